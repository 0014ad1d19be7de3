"""What people send, read the same way everywhere.

PostgreSQL refuses NUL in text, and no other control character belongs in what people type:
a line break in a name would reach e-mail headers and Altafid, a bidirectional override would
make a page show something else than is stored. So:

- text typed on one line (`SingleLineField`) is refused at its field when it holds a line
  break or a control character, with a message saying which;
- free text on several lines (`TextField`, notes and comments) keeps its line breaks and tabs
  and loses any other control character;
- searches and filters of a list are read through a `QueryForm`: a search term loses its
  control characters and is cut to length; any other value that does not fit (a choice not
  offered, a number that is not one or is out of range) reads as if it had not been sent, so
  a hand-made URL never breaks a page.
"""

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

# C0 and C1 controls, DEL, the Unicode line and paragraph separators and the bidirectional
# embeddings, overrides and isolates. NUL is among them, though Django's CharField already
# refuses it with its own message.
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
LINE_BREAK = re.compile("[\n\r\x0b\x0c\x85\u2028\u2029]")
# What free text on several lines keeps.
LAYOUT = "\n\r\t"

# The largest value a PostgreSQL integer column (and so a primary key of ours) holds.
INT_MAX = 2**31 - 1


def single_line_validate(value: str) -> None:
    """Refuses a line break or a control character in text meant for one line."""
    if LINE_BREAK.search(value):
        raise ValidationError(
            _("Keep this on one line: remove the line breaks."), code="line_break"
        )
    if CONTROL.search(value.replace("\x00", "")):
        raise ValidationError(
            _("Remove the invisible control characters from this value."), code="control"
        )


def text_clean(value: str) -> str:
    """Free text with its line breaks and tabs, without any other control character."""
    return CONTROL.sub(lambda found: found[0] if found[0] in LAYOUT else "", value)


def search_clean(value: str, *, max_length: int) -> str:
    """A search term: control characters become spaces, spaces run together, cut to length."""
    return " ".join(CONTROL.sub(" ", value).split())[:max_length]


class SingleLineField(forms.CharField):
    """Text on one line: a name, an address line, a number as typed."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs["validators"] = [single_line_validate, *kwargs.get("validators", [])]
        super().__init__(**kwargs)


class TextField(forms.CharField):
    """Free text on several lines; control characters other than line breaks and tabs go."""

    widget = forms.Textarea

    def to_python(self, value: Any) -> str:
        return text_clean(str(super().to_python(value)))


class SearchField(forms.CharField):
    """A search term of a list, cleaned rather than refused (see `search_clean`)."""

    def __init__(self, *, max_length: int = 200, **kwargs: Any) -> None:
        super().__init__(max_length=max_length, required=False, **kwargs)

    def to_python(self, value: Any) -> str:
        assert self.max_length is not None
        return search_clean(str(super().to_python(value)), max_length=self.max_length)


class QueryForm(forms.Form):
    """The query parameters of a page. Every field is optional; `read` never fails."""

    @classmethod
    def read(cls, data: QueryDict | dict[str, Any]) -> dict[str, Any]:
        """Each field's cleaned value, or its default where what was sent does not fit."""
        form = cls(data)
        form.is_valid()
        return {
            name: _value_or_default(field, form.cleaned_data.get(name))
            for name, field in form.fields.items()
        }


def _value_or_default(field: forms.Field, value: Any) -> Any:
    if value not in field.empty_values:
        return value
    return field.initial if field.initial is not None else field.to_python("")


def bounded_integer(*, minimum: int = 0, maximum: int = INT_MAX) -> forms.IntegerField:
    """An integer query parameter within what a database column (an ID) can hold."""
    return forms.IntegerField(min_value=minimum, max_value=maximum, required=False)


def ids_read(values: list[str]) -> list[int]:
    """The IDs among `values` (a form's checked boxes); anything else is left out."""
    return [
        int(value)
        for value in values
        if value.isascii() and value.isdigit() and 0 < int(value) <= INT_MAX
    ]
