from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant, User
from onboarding.accounts.roles import Role
from onboarding.accounts.validators import email_script_validate
from onboarding.cases.sections import errors_described
from onboarding.core.inputs import QueryForm, SearchField, SingleLineField
from onboarding.staff.services import staff_hand_over_candidates

STATES = (
    ("active", _("Active")),
    ("invited", _("Invited, not logged in yet")),
    ("inactive", _("Deactivated")),
)

ALTAFID_UUID = RegexValidator(
    r"^[A-Za-z0-9-]{1,64}$", _("Letters, digits and dashes only, as Altafid shows it.")
)


class DescribedErrorsForm(forms.Form):
    """Ties each error list and help text to its input, so screen readers read them with it."""

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        errors_described(self)


class StaffInviteForm(DescribedErrorsForm):
    email = forms.EmailField(
        label=_("E-mail address"), max_length=254, validators=[email_script_validate]
    )
    first_name = SingleLineField(label=_("First name"), max_length=150)
    last_name = SingleLineField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    altafid_staff_uuid = forms.CharField(
        label=_("Altafid staff UUID"),
        max_length=64,
        required=False,
        validators=[ALTAFID_UUID],
        help_text=_("Required for relationship managers: sent as the manager of their clients."),
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).lower()


class StaffRoleForm(DescribedErrorsForm):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    altafid_staff_uuid = forms.CharField(
        label=_("Altafid staff UUID"),
        max_length=64,
        required=False,
        validators=[ALTAFID_UUID],
        help_text=_("Required for relationship managers: sent as the manager of their clients."),
    )


class StaffDeactivateForm(DescribedErrorsForm):
    confirm = forms.BooleanField(
        label=_("I confirm that this person loses access now."),
        error_messages={"required": _("Tick the box to confirm.")},
    )
    hand_over_to = forms.ModelChoiceField(
        label=_("Who takes over their open onboardings"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Choose a relationship manager"),
    )

    def __init__(self, *args: Any, tenant: Tenant, member: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hand_over_to"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = staff_hand_over_candidates(tenant=tenant, member=member)


class StaffListQuery(QueryForm):
    q = SearchField()
    role = forms.ChoiceField(choices=Role.choices, required=False)
    state = forms.ChoiceField(choices=STATES, required=False)
