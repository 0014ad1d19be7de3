import html
from collections.abc import Iterator, Sequence
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.choices import BaseChoiceIterator
from django.utils.safestring import SafeString, mark_safe


class OptionList(BaseChoiceIterator):
    """Choices that are already (value, label) strings.

    Django normalises a plain list of choices item by item each time a field gets them; a
    form with several 250-country lists pays that on every request.
    """

    def __init__(self, options: Sequence[tuple[str, str]]) -> None:
        self.options = options

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.options)

    def __len__(self) -> int:
        return len(self.options)


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
            shown = html.escape(str(label))
            options.append(f'<option value="{html.escape(option)}"{selected}>{shown}</option>')
        return mark_safe(f"<select{flatatt(final_attrs)}>{''.join(options)}</select>")  # noqa: S308
