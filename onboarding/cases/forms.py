"""The four sections of an onboarding, as Django forms.

Field names follow our payload models in `onboarding.altafid.contacts` (snake_case); labels are
plain words for the RM. A section is a main form plus its repeating rows (formsets).
"""

import json
from typing import Any, ClassVar, cast

from django import forms
from django.forms.formsets import BaseFormSet, formset_factory
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import DEFAULT_CURRENCY, Tenant
from onboarding.altafid.enums import (
    AddressType,
    ContactMeans,
    ContactPreference,
    ContactType,
    DocumentType,
    EmploymentStatus,
    Gender,
    IdentityType,
    Language,
    MaritalStatus,
)
from onboarding.cases.lifecycle import LISTED, Worklist
from onboarding.cases.validators import amount_parse
from onboarding.core.display import currency_affixes, grouped
from onboarding.core.inputs import (
    QueryForm,
    SearchField,
    SingleLineField,
    TextField,
    single_line_validate,
)
from onboarding.core.widgets import FastSelect
from onboarding.lookups.forms import LookupChoiceField, LookupFormMixin, LookupMemo
from onboarding.lookups.kinds import LookupKind


def _choice(choices: Any, label: Any, required: bool = False, **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[("", _("Choose…")), *choices],
        label=label,
        required=required,
        widget=FastSelect,
        **kwargs,
    )


def _text(label: Any, required: bool = False, max_length: int = 200, **kw: Any) -> forms.CharField:
    return SingleLineField(label=label, required=required, max_length=max_length, **kw)


def _date(label: Any, **kwargs: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": _("Enter a date as YYYY-MM-DD.")},
        **kwargs,
    )


class AmountInput(forms.TextInput):
    """An amount's input: its currency beside it, as the page's language writes it ("CLP",
    "$"), and a kept amount grouped the page's way ("120,000,000", "120.000.000")."""

    currency = DEFAULT_CURRENCY

    def format_value(self, value: Any) -> str | None:
        if value in (None, ""):
            return None
        return grouped(str(value))

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        before, after = currency_affixes(self.currency)
        return format_html(
            '<span class="amount-input">{}{}{}</span>',
            format_html('<span class="amount-currency" aria-hidden="true">{}</span>', before)
            if before
            else "",
            super().render(name, value, attrs, renderer),
            format_html('<span class="amount-currency" aria-hidden="true">{}</span>', after)
            if after
            else "",
        )


class AmountField(forms.CharField):
    """An amount of money typed as people write it, kept as whole units in digits
    (`validators.amount_parse`); in the currency of the tenant (`currency`)."""

    widget = AmountInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
        self.currency = DEFAULT_CURRENCY

    def in_currency(self, currency: str) -> None:
        self.currency = currency.strip().upper()
        assert isinstance(self.widget, AmountInput)
        self.widget.currency = self.currency
        self.help_text = _(
            "In %(currency)s, without decimals; dots or commas between thousands are fine."
        ) % {"currency": self.currency}

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        return amount_parse(text, currency=self.currency)


def _amount(label: Any) -> AmountField:
    return AmountField(label=label)


def _country(label: Any, required: bool = False) -> LookupChoiceField:
    return LookupChoiceField(
        kind=LookupKind.COUNTRIES,
        label=label,
        required=required,
        widget=FastSelect(attrs={"data-filterable": "true"}),
    )


def _phone_number() -> forms.CharField:
    return forms.RegexField(
        regex=r"^[\d\s()+.-]{4,30}$",
        label=_("Phone number"),
        required=False,
        help_text=_(
            "Spaces and dashes are fine. Typed with its country code (+56 2 2345 6789), "
            "the country code is filled in."
        ),
        error_messages={"invalid": _("Use digits, spaces or dashes only.")},
        validators=[single_line_validate],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )


SAME = "same"
OTHER = "other"


def _same_or_other(label: Any, same: Any, other: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        choices=[(SAME, same), (OTHER, other)],
        label=label,
        initial=SAME,
        widget=forms.RadioSelect,
    )


class CountryWithCitiesSelect(FastSelect):
    """The country of an address row: choosing one swaps in that country's cities (htmx).

    The view sets `cities_url`; without it, or without JavaScript, the city list follows
    the country when the section is saved.
    """

    cities_url: str | None = None

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if self.cities_url:
            attrs = {
                **(attrs or {}),
                "hx-get": self.cities_url,
                "hx-trigger": "change",
                "hx-target": "next .field-city",
                "hx-swap": "outerHTML",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"prefix": name.rpartition("-")[0]}),
            }
        return super().render(name, value, attrs, renderer)


class SectionForm(LookupFormMixin):
    """A section's main form; `parts` groups its fields under headings on the page.

    Its amounts are in the tenant's currency."""

    parts: ClassVar[tuple[tuple[Any, tuple[str, ...]], ...]] = ()

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, tenant=tenant, **kwargs)
        self.tenant = tenant
        for form_field in self.fields.values():
            if isinstance(form_field, AmountField):
                form_field.in_currency(tenant.currency)

    def fieldsets(self) -> list[tuple[Any, list[forms.BoundField]]]:
        placed = {name for _title, names in self.parts for name in names}
        sets = [(title, [self[name] for name in names]) for title, names in self.parts]
        rest = [self[name] for name in self.fields if name not in placed]
        return [*sets, ("", rest)] if rest else sets


class RowForm(LookupFormMixin):
    """One row of a repeating group; a row left blank is ignored, not an error."""

    # Fields that carry a default, so that they alone do not make a row count as filled in.
    defaults_only: ClassVar[tuple[str, ...]] = ()

    def has_changed(self) -> bool:
        return any(
            str(self.data.get(self.add_prefix(name), "") or "").strip()
            for name in self.fields
            if name not in self.defaults_only
        )


class RowFormSet(BaseFormSet):
    """Rows of a section. Every row is new to Django (we edit a draft, not model rows)."""

    def __init__(
        self, *args: Any, tenant: Tenant, memo: LookupMemo | None = None, **kwargs: Any
    ) -> None:
        kwargs["form_kwargs"] = {"tenant": tenant, "memo": memo}
        super().__init__(*args, **kwargs)
        self.extra = max(len(self.initial or []), 1)

    def initial_form_count(self) -> int:
        return 0


NAMES = ("first_name", "middle_name", "paternal_last_name", "maternal_last_name")


class ClientForm(SectionForm):
    parts = (
        (
            _("Identity"),
            (
                *NAMES,
                "date_of_birth",
                "gender",
                "marital_status",
            ),
        ),
        (_("Government ID"), ("identity_type", "identity_id", "identity_country")),
        (
            _("Contact details"),
            (
                "preferred_email",
                "phone_code",
                "phone_number",
                "contact_means",
                "contact_preference",
                "preferred_contact_language",
            ),
        ),
        (_("Classification"), ("contact_type", "contact_source", "market_segment")),
    )

    first_name = _text(_("First name"), required=True, max_length=100)
    middle_name = _text(_("Middle name"), max_length=100)
    paternal_last_name = _text(_("Paternal last name"), required=True, max_length=100)
    maternal_last_name = _text(_("Maternal last name"), max_length=100)
    contact_type = _choice(
        ContactType.choices,
        _("Contact type"),
        required=True,
        help_text=_("How Altafid classifies this contact."),
    )
    contact_means = _choice(ContactMeans.choices, _("Reach the client by"), required=True)
    contact_preference = _choice(ContactPreference.choices, _("Contact preference"))
    preferred_contact_language = _choice(
        Language.choices, _("Language for communications"), required=True
    )
    preferred_email = forms.EmailField(label=_("E-mail"), required=False)
    date_of_birth = _date(_("Date of birth"))
    gender = _choice(Gender.choices, _("Gender"))
    marital_status = _choice(MaritalStatus.choices, _("Marital status"))
    phone_code = LookupChoiceField(
        kind=LookupKind.PHONE_CODES,
        label=_("Phone country code"),
        required=False,
        widget=FastSelect(attrs={"data-filterable": "true"}),
    )
    phone_number = _phone_number()
    identity_type = _choice(IdentityType.choices, _("Identity document type"))
    identity_id = _text(
        _("Identity number"),
        max_length=50,
        help_text=_("For a Chilean RUT, with its check digit, dots or not: 12.345.678-5."),
    )
    identity_country = _country(_("Issuing country of the identity document"))
    contact_source = LookupChoiceField(
        kind=LookupKind.SOURCES, label=_("Contact source"), required=False
    )
    market_segment = LookupChoiceField(
        kind=LookupKind.SEGMENTS, label=_("Market segment"), required=False
    )


class AddressForm(RowForm):
    defaults_only = ("address_type", "is_primary")

    street_name = _text(_("Street"))
    street_number = _text(_("Number"), max_length=30)
    apartment = _text(_("Apartment or office"), max_length=50)
    commune = _text(_("Commune or district"), max_length=100)
    country = LookupChoiceField(
        kind=LookupKind.COUNTRIES,
        label=_("Country"),
        widget=CountryWithCitiesSelect(attrs={"data-filterable": "true"}),
    )
    city = LookupChoiceField(kind=LookupKind.CITIES, country_field="country", label=_("City"))
    state = _text(_("Region or state"), max_length=100)
    zip_code = _text(_("Postal code"), max_length=20)
    address_type = _choice(AddressType.choices, _("Address type"), initial=AddressType.HOME)
    is_primary = forms.BooleanField(label=_("Primary address"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        city = self.fields["city"]
        assert isinstance(city, LookupChoiceField)
        if self._chosen_country(city) and len(city.options) == 0:
            # Altafid has no city list for this country: let the RM type the city.
            self.fields["city"] = _text(_("City"), max_length=100)
            self.lookups.pop("city", None)


class DocumentForm(RowForm):
    specification_type = _choice(DocumentType.choices, _("Document type"), required=True)
    identity_id = _text(_("Document number"), required=True, max_length=50)
    country = _country(_("Issuing country"), required=True)
    issuing_authority = _text(_("Issuing authority"), max_length=100)


class EmploymentForm(RowForm):
    employment_status = _choice(EmploymentStatus.choices, _("Employment status"), required=True)
    employer_name = _text(_("Employer"))
    job_position = _text(_("Position"), max_length=100)
    start_date = _date(_("Start date"))
    end_date = _date(_("End date"), help_text=_("Leave empty for a current job."))
    country = _country(_("Country"))
    city = _text(_("City"), max_length=100)
    street_name = _text(_("Street"))
    street_number = _text(_("Number"), max_length=30)
    region_state = _text(_("Region or state"), max_length=100)
    zip_code = _text(_("Postal code"), max_length=20)


class PepForm(RowForm):
    name = _text(_("Full name of the politically exposed person"), required=True)
    position = _text(_("Public position"), max_length=100)
    country = _country(_("Country"))
    relationship = _text(
        _("Relationship to the client"), max_length=100, help_text=_("For example: self, spouse.")
    )


class SalesForm(SectionForm):
    parts = (
        (_("Pipeline"), ("stage_name", "display_name")),
        (_("Wealth"), ("annual_income", "liquid_net_worth", "total_net_worth")),
        (_("Origin"), ("country_of_citizenship", "country_of_birth")),
    )

    stage_name = LookupChoiceField(
        kind=LookupKind.STAGES, label=_("Pipeline stage"), required=False
    )
    display_name = _text(
        _("Display name"),
        help_text=_("How the client's name is shown; leave empty to use their name."),
    )
    annual_income = _amount(_("Annual income"))
    liquid_net_worth = _amount(_("Liquid net worth"))
    total_net_worth = _amount(_("Total net worth"))
    country_of_citizenship = _country(_("Country of citizenship"))
    country_of_birth = _country(_("Country of birth"))


class ComplianceForm(SectionForm):
    """What only KYC asks. Names, birth, phone, nationality and wealth are shown from the
    sections that hold them, and the identity document from the client's identity."""

    parts = (
        (_("Identity"), ("alias", "identity_issuing_authority")),
        (_("Address for compliance"), ("compliance_address",)),
        (
            _("Declarations"),
            (
                "related_to_pep",
                "director_or_ten_percent_shareholder",
                "company_names",
                "trading_symbols",
            ),
        ),
    )

    alias = _text(_("Also known as"), max_length=100)
    identity_issuing_authority = _text(
        _("Issuing authority of the identity document"),
        max_length=100,
        help_text=_("The document itself is the identity number of the Client section."),
    )
    compliance_address = _same_or_other(
        _("Address for compliance"),
        _("The primary address of the sales profile"),
        _("Another address, entered below"),
    )
    related_to_pep = forms.BooleanField(
        label=_("The client is, or is close to, a politically exposed person (PEP)"),
        required=False,
    )
    director_or_ten_percent_shareholder = forms.BooleanField(
        label=_("The client is a director or holds 10% or more of a listed company"),
        required=False,
    )
    company_names = _text(_("Those companies"), help_text=_("Separate names with commas."))
    trading_symbols = _text(_("Their trading symbols"), help_text=_("Separate with commas."))


class ActivationForm(SectionForm):
    login_email = _same_or_other(
        _("Login e-mail"),
        _("The client's e-mail of the Client section"),
        _("Another address"),
    )
    primary_email = forms.EmailField(
        label=_("Other login e-mail"),
        required=False,
        help_text=_("The client logs in to Altafid with this address."),
    )


def _rows(form: type[RowForm], max_num: int) -> type[RowFormSet]:
    formset = formset_factory(
        form, formset=RowFormSet, extra=0, max_num=max_num, absolute_max=max_num
    )
    return cast(type[RowFormSet], formset)


AddressFormSet = _rows(AddressForm, 5)
DocumentFormSet = _rows(DocumentForm, 5)
EmploymentFormSet = _rows(EmploymentForm, 10)
PepFormSet = _rows(PepForm, 10)


class CaseListQuery(QueryForm):
    """The list's search and its filter: a status or one of the worklists."""

    q = SearchField()
    status = forms.ChoiceField(
        choices=[(status.value, status.label) for status in LISTED] + Worklist.choices,
        required=False,
    )


class DifferentPersonForm(forms.Form):
    """Why the client is not the contact Altafid already has: the officer reads it."""

    reason = TextField(
        label=_("Why is the client a different person?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "For example: a different date of birth, or the RUT was mistyped in Altafid. The "
            "compliance officer sees this."
        ),
    )
