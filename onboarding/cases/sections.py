"""A section of a case bound to its draft: the main form, its repeating rows, and what blocks it.

Drafts are kept as the raw form data ({name: [values]}), so whatever the RM typed, valid or
not, comes back exactly as typed.
"""

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.altafid.enums import ContactAddressType, IdentityType
from onboarding.cases import forms as section_forms
from onboarding.cases import validators
from onboarding.cases.models import Section
from onboarding.lookups.forms import LookupMemo

RawData = dict[str, list[str]]


@dataclass(frozen=True)
class RowGroup:
    prefix: str
    formset: type[section_forms.RowFormSet]
    title: Any
    add_label: Any
    row_title: Any


@dataclass(frozen=True)
class SectionSpec:
    section: Section
    form: type[section_forms.SectionForm]
    groups: tuple[RowGroup, ...] = ()
    intro: Any = ""


ADDRESSES = RowGroup(
    "addresses",
    section_forms.AddressFormSet,
    _("Addresses"),
    _("Add another address"),
    _("Address"),
)
SPECS: dict[Section, SectionSpec] = {
    Section.CLIENT: SectionSpec(
        Section.CLIENT,
        section_forms.ClientForm,
        intro=_("Who the client is and how to reach them. This creates the contact in Altafid."),
    ),
    Section.SALES: SectionSpec(
        Section.SALES,
        section_forms.SalesForm,
        (ADDRESSES,),
        intro=_("The sales profile. Names and contact details come from section 1."),
    ),
    Section.COMPLIANCE: SectionSpec(
        Section.COMPLIANCE,
        section_forms.ComplianceForm,
        (
            RowGroup(
                "addresses",
                section_forms.AddressFormSet,
                _("Address for compliance"),
                _("Add another address"),
                _("Address"),
            ),
            RowGroup(
                "documents",
                section_forms.DocumentFormSet,
                _("Identity documents"),
                _("Add another document"),
                _("Document"),
            ),
            RowGroup(
                "employment",
                section_forms.EmploymentFormSet,
                _("Employment history"),
                _("Add another job"),
                _("Job"),
            ),
            RowGroup(
                "peps",
                section_forms.PepFormSet,
                _("Politically exposed persons"),
                _("Add another person"),
                _("Person"),
            ),
        ),
        intro=_("Know-your-client data. It starts from what sections 1 and 2 hold."),
    ),
    Section.ACTIVATION: SectionSpec(
        Section.ACTIVATION,
        section_forms.ActivationForm,
        intro=_("Activation gives the client a login to Altafid."),
    ),
}
ORDER = list(Section)


def querydict(raw: RawData | None) -> QueryDict | None:
    if raw is None:
        return None
    data = QueryDict(mutable=True)
    for key, values in raw.items():
        data.setlist(key, list(values))
    return data


def raw_data(data: QueryDict, spec: SectionSpec) -> RawData:
    """What of a POST belongs to the section's fields (buttons and tokens left out)."""
    keep = set(spec.form.base_fields)
    prefixes = tuple(f"{group.prefix}-" for group in spec.groups)
    return {
        key: data.getlist(key)
        for key in data
        if key in keep or (prefixes and key.startswith(prefixes))
    }


@dataclass
class BoundSection:
    spec: SectionSpec
    form: section_forms.SectionForm
    groups: list[tuple[RowGroup, section_forms.RowFormSet]]
    warnings: list[str] = field(default_factory=list)
    _checked: bool = False

    @property
    def section(self) -> Section:
        return self.spec.section

    def check(self) -> "BoundSection":
        """Runs every rule once; errors end up on the fields they concern."""
        if self._checked or not self.form.is_bound:
            return self
        self._checked = True
        self.form.is_valid()
        for _group, formset in self.groups:
            formset.is_valid()
        _apply_our_rules(self)
        for form in [self.form, *(row for _g, formset in self.groups for row in formset.forms)]:
            _describe_errors(form)
        return self

    @property
    def blocking(self) -> list[tuple[str, str]]:
        """(label, message) for every error, in page order."""
        self.check()
        found: list[tuple[str, str]] = []
        for name, messages in self.form.errors.items():
            label = str(self.form.fields[name].label) if name in self.form.fields else ""
            found.extend((label, str(m)) for m in messages)
        for group, formset in self.groups:
            for index, row in enumerate(formset.forms, start=1):
                for name, messages in row.errors.items():
                    label = f"{group.row_title} {index}: {row.fields[name].label}"
                    found.extend((label, str(m)) for m in messages)
            found.extend((str(group.title), str(m)) for m in formset.non_form_errors())
        return found

    def summary(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """What the section holds, as (heading, [(label, shown value)]), for the review page."""
        parts = [(str(self.spec.section.label), _shown(self.form))]
        for group, formset in self.groups:
            for index, row in enumerate(formset.forms, start=1):
                if row.has_changed():
                    parts.append((f"{group.row_title} {index}", _shown(row)))
        return parts

    def refused(self, errors: Iterable[Any]) -> "BoundSection":
        """Puts errors Altafid gave for these very values under the inputs they concern.

        Each error has `field`, `prefix` (a row's group, or "") and `index` (the row).
        """
        self.check()
        forms = {"": [self.form]}
        forms.update((group.prefix, list(formset.forms)) for group, formset in self.groups)
        for error in errors:
            rows = forms.get(error.prefix, [])
            form = rows[error.index] if error.index < len(rows) else None
            if error.field and form is not None and error.field in form.fields:
                form.add_error(error.field, error.message)
                _describe_errors(form)
        return self

    def follow_countries(self, cities_url: str) -> "BoundSection":
        """Lets each address row fetch the cities of the country chosen, without saving."""
        for _group, formset in self.groups:
            for row in formset.forms:
                country = row.fields.get("country")
                if country and isinstance(country.widget, section_forms.CountryWithCitiesSelect):
                    country.widget.cities_url = cities_url
        return self

    def rows(self, prefix: str) -> Iterator[dict[str, Any]]:
        for group, formset in self.groups:
            if group.prefix == prefix:
                for row in formset.forms:
                    if row.is_valid() and row.has_changed():
                        yield row.cleaned_data


def bind(
    *,
    spec: SectionSpec,
    tenant: Tenant,
    raw: RawData | None,
    initial: dict[str, Any] | None = None,
    initial_rows: dict[str, list[dict[str, Any]]] | None = None,
    memo: LookupMemo | None = None,
) -> BoundSection:
    data = querydict(raw)
    memo = memo or LookupMemo(tenant)
    form = spec.form(data, initial=initial or {}, tenant=tenant, memo=memo)
    groups = [
        (
            group,
            group.formset(
                data,
                prefix=group.prefix,
                initial=(initial_rows or {}).get(group.prefix) or None,
                tenant=tenant,
                memo=memo,
            ),
        )
        for group in spec.groups
    ]
    return BoundSection(spec, form, groups)


def _apply_our_rules(bound: BoundSection) -> None:
    """Rules of ours on top of Altafid's: RUT check digit, phone validity, dates, net worth."""
    form = bound.form
    data = getattr(form, "cleaned_data", {})
    if data.get("identity_type") == IdentityType.CHILE_RUT and data.get("identity_id"):
        _run(form, "identity_id", validators.rut_validate, data["identity_id"])
    if data.get("phone_code") and data.get("phone_number"):
        _run(
            form,
            "phone_number",
            lambda: validators.phone_validate(
                phone_code=data["phone_code"],
                number=data["phone_number"],
                region=data.get("phone_country") or None,
            ),
        )
    elif data.get("phone_number") and "phone_code" in form.fields:
        form.add_error("phone_code", _("Choose the country code of this phone number."))
    if isinstance(data.get("date_of_birth"), datetime.date):
        _run(form, "date_of_birth", validators.date_in_past_validate, data["date_of_birth"])
    warning = validators.net_worth_warning(
        data.get("liquid_net_worth"), data.get("total_net_worth")
    )
    if warning:
        bound.warnings.append(str(warning))
    for group, formset in bound.groups:
        for row in formset.forms:
            row_data = getattr(row, "cleaned_data", {})
            if group.prefix == "employment" and row_data:
                try:
                    validators.period_validate(row_data.get("start_date"), row_data.get("end_date"))
                except ValidationError as error:
                    row.add_error("end_date", error)
            if (
                group.prefix == "documents"
                and row_data.get("specification_type") == "CHILE_RUT_CARD"
            ) and row_data.get("identity_id"):
                _run(row, "identity_id", validators.rut_validate, row_data["identity_id"])


def _shown(form: Any) -> list[tuple[str, str]]:
    """Each filled-in field with the label of the option chosen, not its code."""
    shown = []
    for bound_field in form:
        value = bound_field.value()
        if value in (None, "", False):
            continue
        choices = dict(getattr(bound_field.field, "choices", ()) or ())
        shown_value = _("Yes") if isinstance(value, bool) else choices.get(str(value), value)
        shown.append((str(bound_field.label), str(shown_value)))
    return shown


def _describe_errors(form: Any) -> None:
    """Ties each error list to its field, so screen readers announce it with the field."""
    for name in form.errors:
        if name not in form.fields:
            continue
        bound_field = form[name]
        described = [f"{bound_field.auto_id}-errors"]
        if form.fields[name].help_text:
            described.append(f"{bound_field.auto_id}-help")
        form.fields[name].widget.attrs["aria-describedby"] = " ".join(described)


def _run(form: Any, name: str, check: Any, *args: Any) -> None:
    try:
        check(*args)
    except ValidationError as error:
        if name in getattr(form, "cleaned_data", {}):
            form.add_error(name, error)


def address_kind(section: Section) -> ContactAddressType:
    return ContactAddressType.SALES if section is Section.SALES else ContactAddressType.COMPLIANCE
