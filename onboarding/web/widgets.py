from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


class FastSelect(forms.Select):
    """A single-choice select rendered in one pass.

    Django renders each option through a template, which costs milliseconds for the
    250-country lists that a section page shows several times.
    """

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        chosen = "" if value is None else str(value)
        options = []
        for option_value, label in self.choices:
            option = "" if option_value is None else str(option_value)
            selected = " selected" if option == chosen else ""
            options.append(f'<option value="{escape(option)}"{selected}>{escape(label)}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(options)}</select>")  # noqa: S308
