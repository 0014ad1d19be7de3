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
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.altafid.enums import ContactAddressType, IdentityType
from onboarding.cases import completeness, validators
from onboarding.cases import forms as section_forms
from onboarding.cases.completeness import Unmet
from onboarding.cases.mapping import AMOUNT_NAMES
from onboarding.cases.models import Section
from onboarding.core.display import shown_amount, shown_date
from onboarding.lookups.forms import LookupChoiceField, LookupMemo
from onboarding.lookups.kinds import LookupKind

RawData = dict[str, list[str]]


@dataclass(frozen=True)
class RowGroup:
    prefix: str
    formset: type[section_forms.RowFormSet]
    title: Any
    add_label: Any
    row_title: Any
    # (field, value): the rows count only while the section's field has this value.
    only_when: tuple[str, str] | None = None


@dataclass(frozen=True)
class SectionSpec:
    section: Section
    form: type[section_forms.SectionForm]
    groups: tuple[RowGroup, ...] = ()
    intro: Any = ""
    # Facts this section's calls send from the sections that hold them: shown, never copied.
    shows: tuple[tuple[Section, tuple[str, ...]], ...] = ()


NAMES = section_forms.NAMES
PHONE = ("phone_code", "phone_number")
IDENTITY = ("identity_type", "identity_id", "identity_country")


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
        shows=(
            (
                Section.CLIENT,
                (*NAMES, "preferred_email", *PHONE, "contact_type", "market_segment"),
            ),
        ),
    ),
    Section.COMPLIANCE: SectionSpec(
        Section.COMPLIANCE,
        section_forms.ComplianceForm,
        (
            RowGroup(
                "addresses",
                section_forms.AddressFormSet,
                _("Another address for compliance"),
                _("Add another address"),
                _("Address"),
                only_when=("compliance_address", section_forms.OTHER),
            ),
            RowGroup(
                "documents",
                section_forms.DocumentFormSet,
                _("Other identity documents"),
                _("Add a document"),
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
                only_when=("related_to_pep", "True"),
            ),
        ),
        intro=_(
            "Know-your-client data. What sections 1 and 2 hold is shown here and sent from there."
        ),
        shows=(
            (
                Section.CLIENT,
                (
                    *NAMES,
                    "date_of_birth",
                    "gender",
                    "marital_status",
                    "preferred_contact_language",
                    *PHONE,
                    *IDENTITY,
                ),
            ),
            (
                Section.SALES,
                (
                    "country_of_citizenship",
                    "country_of_birth",
                    "annual_income",
                    "liquid_net_worth",
                    "total_net_worth",
                ),
            ),
        ),
    ),
    Section.ACTIVATION: SectionSpec(
        Section.ACTIVATION,
        section_forms.ActivationForm,
        intro=_("Activation gives the client a login to Altafid."),
        shows=((Section.CLIENT, ("preferred_email", "preferred_contact_language", *IDENTITY)),),
    ),
}
# The sections a section reads facts from, for its own rules and what it shows.
HOMES: dict[Section, tuple[Section, ...]] = {
    section: tuple(home for home, _names in spec.shows) for section, spec in SPECS.items()
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
    # The sections this one shows facts from, bound to their drafts.
    homes: dict[Section, "BoundSection"] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    # Raw keys whose value is stored in the form Altafid documents (RUT, phone, e-mail).
    normalised: dict[str, str] = field(default_factory=dict)
    # The completeness rules the section does not meet (`completeness.RULES`).
    unmet: list[Unmet] = field(default_factory=list)
    # A reviewer's notes on a group of rows as a whole, by the group's prefix (`noted`).
    group_notes: dict[str, list[str]] = field(default_factory=dict)
    editable: bool = True
    _checked: bool = False

    @property
    def section(self) -> Section:
        return self.spec.section

    @property
    def data(self) -> dict[str, Any]:
        """The section's valid values (what the payloads read)."""
        self.check()
        return dict(getattr(self.form, "cleaned_data", {}))

    def home(self, section: Section) -> dict[str, Any]:
        bound = self.homes.get(section)
        return bound.data if bound is not None else {}

    def group_shown(self, group: RowGroup) -> bool:
        if group.only_when is None:
            return True
        name, value = group.only_when
        return str(self.form[name].value() or "") == value

    @property
    def shown_group_specs(self) -> list[RowGroup]:
        return [group for group, _formset in self.shown_groups()]

    def refresh_on_change(self, section_url: str) -> "BoundSection":
        """A choice that shows or hides rows saves and redraws the section when it changes."""
        for group in self.spec.groups:
            if group.only_when and group.only_when[0] in self.form.fields:
                self.form.fields[group.only_when[0]].widget.attrs.update(
                    {
                        "hx-post": section_url,
                        "hx-trigger": "change",
                        "hx-target": "#section-form",
                        "hx-swap": "outerHTML",
                        "hx-vals": '{"action": "save"}',
                    }
                )
        return self

    def group_rows(self, prefix: str) -> list[Any]:
        return next(list(formset.forms) for group, formset in self.groups if group.prefix == prefix)

    def group_errors(self, prefix: str) -> Any:
        """The error list of a group as a whole (its formset's), to add to."""
        return next(formset.non_form_errors() for g, formset in self.groups if g.prefix == prefix)

    def shown_groups(self) -> list[tuple[RowGroup, section_forms.RowFormSet]]:
        return [(group, formset) for group, formset in self.groups if self.group_shown(group)]

    def facts(self) -> list[tuple[Section, list[tuple[str, str, str]]]]:
        """(home, [(label, shown value, input id)]) for the facts this section shows."""
        found = []
        for home, names in self.spec.shows:
            bound = self.homes.get(home)
            if bound is None:
                continue
            found.append(
                (
                    home,
                    [
                        (label, value, f"id_{name}")
                        for name, label, value in _shown(bound.form, names)
                    ],
                )
            )
        return found

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
            errors_described(form, every_field=True)
        return self

    @property
    def blocking(self) -> list[tuple[str, str]]:
        """(label, message) for every error, in page order."""
        self.check()
        found = [(label, message) for label, message in _errors_in_order(self.form, "")]
        for group, formset in self.shown_groups():
            for index, row in enumerate(formset.forms, start=1):
                found.extend(_errors_in_order(row, f"{group.row_title} {index}: "))
            found.extend((str(group.title), str(m)) for m in formset.non_form_errors())
        return found

    @property
    def unplaced_errors(self) -> list[tuple[str, str]]:
        """(label, message) for the errors no single field owns: the form's and a group's."""
        self.check()
        found = [("", str(m)) for m in self.form.non_field_errors()]
        for group, formset in self.shown_groups():
            found.extend((str(group.title), str(m)) for m in formset.non_form_errors())
        return found

    def summary(self) -> list[tuple[str, list["SummaryRow"]]]:
        """What the section holds, field by field in the form's order, each with its errors."""
        self.check()
        parts = [(str(self.spec.section.label), _summary_rows(self.form))]
        for group, formset in self.shown_groups():
            for index, row in enumerate(formset.forms, start=1):
                if row.has_changed() or row.errors:
                    parts.append((f"{group.row_title} {index}", _summary_rows(row)))
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
                errors_described(form)
        return self

    def noted(self, notes: Iterable[Any], *, by: str) -> "BoundSection":
        """Shows a reviewer's notes under the inputs they concern, without making them errors.

        Each note has `field`, `prefix`, `index` and `message`, as Altafid's errors do; a note
        with a `prefix` and no `field` is on the group of rows as a whole (`group_notes`).
        """
        forms = {"": [self.form]}
        forms.update((group.prefix, list(formset.forms)) for group, formset in self.groups)
        for note in notes:
            if not note.field and note.prefix in forms:
                self.group_notes.setdefault(note.prefix, []).append(
                    format_html('<span class="review-note">{}: {}</span>', by, note.message)
                )
                continue
            rows = forms.get(note.prefix, [])
            form = rows[note.index] if note.index < len(rows) else None
            if not note.field or form is None or note.field not in form.fields:
                continue
            form_field = form.fields[note.field]
            form_field.help_text = format_html(
                '<span class="review-note">{}: {}</span> {}',
                by,
                note.message,
                form_field.help_text,
            )
            # A bound field copies its help text when first made (a check may have made it).
            form[note.field].help_text = form_field.help_text
        return self

    def _lookup_labels(self, kind: str) -> list[str]:
        """The labels of the section's dropdowns, rows included, whose list is of `kind`:
        "stale", "unavailable" or "unreadable" (each named once)."""
        forms = [self.form, *(row for _g, formset in self.shown_groups() for row in formset)]
        labels = [label for form in forms for label in getattr(form, f"{kind}_lookups")]
        return list(dict.fromkeys(labels))

    @property
    def lookups_stale(self) -> list[str]:
        return self._lookup_labels("stale")

    @property
    def lookups_unavailable(self) -> list[str]:
        return self._lookup_labels("unavailable")

    @property
    def lookups_unreadable(self) -> list[str]:
        return self._lookup_labels("unreadable")

    @property
    def filled(self) -> bool:
        """Whether anything is entered: a section saved empty is not complete."""
        if not self.form.is_bound:
            return False
        if _shown(self.form):
            return True
        return any(row.has_changed() for _group, formset in self.shown_groups() for row in formset)

    def read_only(self) -> "BoundSection":
        """Shows the section without letting anyone change it (disabled inputs)."""
        self.editable = False
        for form in [self.form, *(row for _g, formset in self.groups for row in formset.forms)]:
            for name, form_field in form.fields.items():
                if form.is_bound:
                    # A disabled field shows its initial value, not the data: the draft's.
                    form.initial[name] = form[name].data
                form_field.disabled = True
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
        """The rows of a group that are sent: shown, filled in and valid, in order."""
        for group, formset in self.shown_groups():
            if group.prefix == prefix:
                for index in self.rows_sent(prefix):
                    yield formset.forms[index].cleaned_data

    def rows_entered(self, prefix: str) -> list[int]:
        """The formset indices of a shown group's rows with anything entered, valid or not."""
        for group, formset in self.shown_groups():
            if group.prefix == prefix:
                return [index for index, row in enumerate(formset.forms) if row.has_changed()]
        return []

    def rows_sent(self, prefix: str) -> list[int]:
        """The formset indices of the rows `rows` gives: an empty row in between is skipped,
        so the n-th entry of an Altafid list need not be the n-th row of the form."""
        for group, formset in self.shown_groups():
            if group.prefix == prefix:
                return [
                    index
                    for index, row in enumerate(formset.forms)
                    if row.is_valid() and row.has_changed()
                ]
        return []


def bind(
    *,
    spec: SectionSpec,
    tenant: Tenant,
    raw: RawData | None,
    homes: dict[Section, BoundSection] | None = None,
    memo: LookupMemo | None = None,
) -> BoundSection:
    data = querydict(raw)
    memo = memo or LookupMemo(tenant)
    form = spec.form(data, tenant=tenant, memo=memo)
    groups = [
        (group, group.formset(data, prefix=group.prefix, tenant=tenant, memo=memo))
        for group in spec.groups
    ]
    for each in [form, *(row for _group, formset in groups for row in formset.forms)]:
        for name, form_field in each.fields.items():
            if isinstance(form_field, LookupChoiceField) and form_field.unavailable:
                _described(each, name)
    return BoundSection(spec, form, groups, homes=homes or {})


def lookup_kinds(spec: SectionSpec) -> list[LookupKind]:
    """The lists the section's dropdowns, rows included, are filled from."""
    forms = [spec.form, *(group.formset.form for group in spec.groups)]
    return sorted(
        {
            form_field.kind
            for form in forms
            for form_field in form.base_fields.values()
            if isinstance(form_field, LookupChoiceField)
        }
    )


def _apply_our_rules(bound: BoundSection) -> None:
    """Rules of ours on top of Altafid's: RUT check digit, phone validity, dates, net worth,
    and what this section needs of the sections it reads from."""
    form = bound.form
    data = getattr(form, "cleaned_data", {})
    if data.get("identity_type") == IdentityType.CHILE_RUT and data.get("identity_id"):
        _normalise(bound, form, "identity_id", validators.rut_validate, data["identity_id"])
    for name, form_field in form.fields.items():
        if isinstance(form_field, section_forms.AmountField) and data.get(name):
            _normalise(bound, form, name, str, data[name])
    if data.get("phone_number") and not data.get("phone_code"):
        _phone_code_follow(bound, form, data["phone_number"])
    if data.get("phone_code") and data.get("phone_number"):
        _normalise(
            bound,
            form,
            "phone_number",
            lambda: validators.phone_validate(
                phone_code=data["phone_code"], number=data["phone_number"]
            ),
        )
    elif (
        data.get("phone_number") and "phone_code" in form.fields and "phone_code" not in form.errors
    ):
        form.add_error(
            "phone_code",
            _("Choose the country code, or type the number with it: +56 9 6123 4567."),
        )
    for name in ("preferred_email", "primary_email"):
        if data.get(name):
            _normalise(bound, form, name, str.strip, data[name])
    if isinstance(data.get("date_of_birth"), datetime.date):
        _run(form, "date_of_birth", validators.date_in_past_validate, data["date_of_birth"])
    warning = validators.net_worth_warning(
        data.get("liquid_net_worth"), data.get("total_net_worth")
    )
    if warning:
        bound.warnings.append(str(warning))
    _apply_cross_rules(bound, data)
    _apply_row_rules(bound)
    completeness.rules_apply(bound)


def _apply_row_rules(bound: BoundSection) -> None:
    for group, formset in bound.shown_groups():
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
                _normalise(
                    bound, row, "identity_id", validators.rut_validate, row_data["identity_id"]
                )


def _phone_code_follow(bound: BoundSection, form: Any, number: str) -> None:
    """A number typed with its dialling code (+56 2 2345 6789) and no country code chosen:
    the country code is the number's, when the tenant's list offers it."""
    code_field = form.fields.get("phone_code")
    code = validators.phone_code_of(number)
    if code is None or not isinstance(code_field, LookupChoiceField):
        return
    if any(value == code for value, _label in code_field.options):
        _normalise(bound, form, "phone_code", lambda: code)
    elif "phone_code" in form.cleaned_data:
        form.add_error(
            "phone_code",
            ValidationError(
                _("This number's country code, %(code)s, is not in the list: choose one."),
                code="phone_code_unknown",
                params={"code": code},
            ),
        )


def _apply_cross_rules(bound: BoundSection, data: dict[str, Any]) -> None:
    if not bound.homes:
        return
    if data.get("login_email") == section_forms.SAME:
        if not bound.home(Section.CLIENT).get("preferred_email"):
            bound.form.add_error(
                "login_email",
                _("The Client section has no e-mail yet: add one there, or enter another here."),
            )
    elif data.get("login_email") == section_forms.OTHER and not data.get("primary_email"):
        bound.form.add_error("primary_email", _("Enter the e-mail the client logs in with."))
    if data.get("compliance_address") == section_forms.SAME and "compliance_address" in data:
        sales = bound.homes.get(Section.SALES)
        if sales is None or not list(sales.rows("addresses")):
            bound.form.add_error(
                "compliance_address",
                _("The sales profile has no address yet: add one there, or enter another here."),
            )


def primary_address(sales: BoundSection) -> dict[str, Any] | None:
    """The sales profile's primary address (its first, if none is marked primary)."""
    rows = list(sales.rows("addresses"))
    primary = [row for row in rows if row.get("is_primary")] or rows
    return primary[0] if primary else None


def _shown(form: Any, names: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """(name, label, value) of each filled-in field, with the label of the option chosen."""
    found = []
    for bound_field in form if names is None else (form[name] for name in names):
        value = bound_field.value()
        if value in (None, "", False):
            continue
        choices = dict(getattr(bound_field.field, "choices", ()) or ())
        shown: object
        if isinstance(value, bool):
            shown = _("Yes")
        elif str(value) in choices:
            shown = choices[str(value)]
        elif bound_field.name in AMOUNT_NAMES and isinstance(value, int | str):
            shown = shown_amount(value, currency=form.tenant.currency)
        elif isinstance(value, datetime.date | str):
            shown = shown_date(value)
        else:
            shown = str(value)
        found.append((bound_field.name, str(bound_field.label), str(shown)))
    return found


@dataclass(frozen=True)
class SummaryRow:
    label: str
    value: str
    errors: list[str]
    anchor: str  # the input's id, to fix it in the section


def _summary_rows(form: Any) -> list[SummaryRow]:
    shown = {name: value for name, _label, value in _shown(form)}
    rows = []
    for bound_field in form:
        errors = [str(message) for message in form.errors.get(bound_field.name, [])]
        if bound_field.name in shown or errors:
            rows.append(
                SummaryRow(
                    str(bound_field.label),
                    shown.get(bound_field.name, "—"),
                    errors,
                    bound_field.auto_id,
                )
            )
    return rows


def _errors_in_order(form: Any, prefix: str) -> list[tuple[str, str]]:
    """A form's errors field by field in the order of the form, then the form's own."""
    found = [
        (f"{prefix}{form.fields[name].label}", str(message))
        for name in form.fields
        for message in form.errors.get(name, [])
    ]
    found.extend((prefix.rstrip(": "), str(m)) for m in form.non_field_errors())
    return found


def errors_described(form: Any, *, every_field: bool = False) -> None:
    """Ties each field in error to its error list, so screen readers announce it with the field.

    `every_field`: also those without errors now, whose (empty) list an autosave fills in place.
    """
    for name in form.fields if every_field else form.errors:
        if name in form.fields:
            _described(form, name)


def _described(form: Any, name: str) -> None:
    form_field = form.fields[name]
    auto_id = form.auto_id % form.add_prefix(name)
    described = [f"{auto_id}-errors"]
    if form_field.help_text:
        described.append(f"{auto_id}-help")
    if getattr(form_field, "unavailable", False):
        described.append(f"{auto_id}-lookup")
    form_field.widget.attrs["aria-describedby"] = " ".join(described)


def _run(form: Any, name: str, check: Any, *args: Any) -> Any:
    try:
        return check(*args)
    except ValidationError as error:
        if name in getattr(form, "cleaned_data", {}):
            form.add_error(name, error)
    return None


def _normalise(bound: BoundSection, form: Any, name: str, check: Any, *args: Any) -> None:
    """Runs the check; a valid value is kept in the form Altafid documents, as the RM sees it."""
    value = _run(form, name, check, *args)
    if not isinstance(value, str) or name not in getattr(form, "cleaned_data", {}):
        return
    form.cleaned_data[name] = value
    key = form.add_prefix(name)
    if (form.data.get(key) or "") != value:
        bound.normalised[key] = value
        # What the RM sees next is what is kept.
        form.data[key] = value


def address_kind(section: Section) -> ContactAddressType:
    return ContactAddressType.SALES if section is Section.SALES else ContactAddressType.COMPLIANCE
