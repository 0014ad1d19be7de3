import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict

from onboarding.core.inputs import (
    QueryForm,
    SearchField,
    SingleLineField,
    TextField,
    bounded_integer,
    ids_read,
    search_clean,
    single_line_validate,
    text_clean,
)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Juan\nPedro", "line_break"),
        ("Juan\r", "line_break"),
        ("Juan\u2028Pedro", "line_break"),
        ("Ju\x1ban", "control"),
        ("Juan\tPedro", "control"),
        ("Ju\x7fan", "control"),
        ("Ju\x85an", "line_break"),
        ("\u202eoiraM", "control"),
    ],
)
def test_it_refuses_line_breaks_and_control_characters_on_one_line(value, code):
    with pytest.raises(ValidationError) as refused:
        single_line_validate(value)

    assert refused.value.code == code


def test_it_leaves_nul_to_djangos_own_message():
    field = SingleLineField()

    with pytest.raises(ValidationError) as refused:
        field.clean("Ju\x00an")

    assert [error.code for error in refused.value.error_list] == ["null_characters_not_allowed"]


def test_it_accepts_ordinary_text_on_one_line():
    assert SingleLineField().clean("  José María O'Higgins-Ñuñoa ") == "José María O'Higgins-Ñuñoa"


def test_it_keeps_line_breaks_and_tabs_of_free_text_and_drops_other_controls():
    assert text_clean("Called\x00 the\x1b client.\r\n\tDone\u202e.") == (
        "Called the client.\r\n\tDone."
    )
    assert TextField().clean("a\x00b\nc") == "ab\nc"


def test_it_cleans_a_search_term_instead_of_refusing_it():
    assert search_clean("  Juan\x00García\n\t12.345  ", max_length=200) == "Juan García 12.345"
    assert search_clean("x" * 500, max_length=200) == "x" * 200
    assert SearchField(max_length=5).clean("a\x00bcdefgh") == "a bcd"


class _Query(QueryForm):
    q = SearchField()
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], required=False)
    sort = forms.ChoiceField(
        choices=[("new", "New"), ("old", "Old")], required=False, initial="new"
    )
    days = bounded_integer(maximum=3650)


def test_it_reads_what_fits_of_query_parameters():
    values = _Query.read(QueryDict("q=Ana&kind=b&sort=old&days=7"))

    assert values == {"q": "Ana", "kind": "b", "sort": "old", "days": 7}


@pytest.mark.parametrize(
    "query",
    [
        "kind=c&sort=%00&days=99999999999999999999",
        "kind=%00&sort=sideways&days=-1",
        "days=1e3&kind=a%0A",
        "days=%C2%B2",
        "days=" + "9" * 5000,
        "",
    ],
)
def test_it_reads_what_does_not_fit_as_not_sent(query):
    values = _Query.read(QueryDict(query))

    assert values == {"q": "", "kind": "", "sort": "new", "days": None}


def test_it_reads_ids_and_leaves_out_anything_else():
    assert ids_read(["12", "²", "١٢", "-3", "0", "7 ", "99999999999", "", "4"]) == [12, 4]
