from django import forms

from onboarding.cases.lifecycle import StepKind
from onboarding.core.inputs import QueryForm, SearchField, TextField
from onboarding.operations.services import FailureKind

SORTS = ("latest", "oldest", "client", "step")


class FailureQuery(QueryForm):
    """The failure queue's search, filters and order (the CSV export reads the same)."""

    q = SearchField()
    kind = forms.ChoiceField(choices=list(FailureKind.LABELS.items()), required=False)
    step = forms.ChoiceField(choices=StepKind.choices, required=False)
    sort = forms.ChoiceField(
        choices=[(sort, sort) for sort in SORTS], required=False, initial=SORTS[0]
    )


class ResolveForm(forms.Form):
    note = TextField(max_length=2000, required=False)
