from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from onboarding.accounts.models import Tenant
from onboarding.core.widgets import FastSelect, OptionList
from onboarding.lookups.kinds import LookupKind
from onboarding.lookups.services import Choices, lookups_get


class LookupChoiceField(forms.ChoiceField):
    """A dropdown whose options are the tenant's lookup list of `kind`.

    A CITIES field names the country field it follows in `country_field`.
    """

    def __init__(
        self, *, kind: LookupKind, country_field: str | None = None, **kwargs: Any
    ) -> None:
        self.kind = kind
        self.country_field = country_field
        self.options: list[tuple[str, str]] = []
        # Altafid could not give the list and no copy of it is kept: the page offers to try again.
        self.unavailable = False
        kwargs.setdefault("widget", FastSelect)
        super().__init__(**kwargs)


class LookupMemo:
    """The lists already read for one page or task, so that its forms read each list once."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self._found: dict[tuple[LookupKind, str | None], Choices] = {}

    def get(self, kinds: list[LookupKind], country: str | None = None) -> dict[LookupKind, Choices]:
        missing = [kind for kind in kinds if (kind, country) not in self._found]
        if missing:
            found = lookups_get(tenant=self.tenant, kinds=missing, country=country)
            self._found.update(((kind, country), found[kind]) for kind in missing)
        return {kind: self._found[(kind, country)] for kind in kinds}


class LookupFormMixin(forms.Form):
    """Fills every LookupChoiceField from the tenant's lookups with one cache read.

    Forms of one page share a `memo`, so that the page reads each list once.
    """

    def __init__(
        self, *args: Any, tenant: Tenant, memo: LookupMemo | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        memo = memo if memo is not None and memo.tenant == tenant else LookupMemo(tenant)
        self.lookups: dict[str, Choices] = {}
        lookup_fields = {
            name: field
            for name, field in self.fields.items()
            if isinstance(field, LookupChoiceField)
        }
        wide = {n: f for n, f in lookup_fields.items() if f.kind is not LookupKind.CITIES}
        found = memo.get(sorted({f.kind for f in wide.values()}))
        for name, field in wide.items():
            self._fill(name, field, found[field.kind])
        for name, field in lookup_fields.items():
            if field.kind is LookupKind.CITIES:
                country = self._chosen_country(field)
                cities = memo.get([LookupKind.CITIES], country)
                self._fill(name, field, cities[LookupKind.CITIES])

    def _fill(self, name: str, field: LookupChoiceField, choices: Choices) -> None:
        self.lookups[name] = choices
        field.options = choices.options
        field.unavailable = not choices.available and not (
            choices.unreadable or self._waits_for_country(name)
        )
        options = [("", self._placeholder(field, choices)), *choices.options]
        saved = self._value_given(name, field)
        if not choices.available and saved:
            # Without the list the value kept would not be shown, and the next save would drop it.
            options.append((saved, str(_("%(code)s (as saved)") % {"code": saved})))
        field.choices = OptionList(options)

    def _value_given(self, name: str, field: LookupChoiceField) -> str:
        """The field's value as sent or saved, read without making its bound field (a form may
        still replace the field)."""
        if self.is_bound:
            value = field.widget.value_from_datadict(self.data, self.files, self.add_prefix(name))
        else:
            value = self.get_initial_for_field(field, name)
        return str(value or "").strip()

    def _chosen_country(self, field: LookupChoiceField) -> str | None:
        """The country picked in the field a city list follows, if it is a known country."""
        if field.country_field is None:
            return None
        value = self[field.country_field].value()
        known = self.lookups.get(field.country_field)
        if not value or known is None:
            return None
        value = str(value).upper()
        return value if any(code == value for code, _label in known.options) else None

    def _placeholder(self, field: LookupChoiceField, choices: Choices) -> str:
        if field.kind is LookupKind.CITIES and self._chosen_country(field) is None:
            return str(_("Choose a country first"))
        if choices.unreadable:
            return str(_("This list cannot be read; administrators can see why"))
        if not choices.available:
            return str(_("Could not be loaded"))
        return str(_("Choose…"))

    @property
    def stale_lookups(self) -> list[str]:
        """The lists shown from a copy kept from before: they may be out of date."""
        return [str(self.fields[name].label) for name, c in self.lookups.items() if c.stale]

    @property
    def unavailable_lookups(self) -> list[str]:
        """The lists Altafid could not give, of which no copy is kept: trying again may help."""
        return [
            str(field.label)
            for name in self.lookups
            if isinstance(field := self.fields[name], LookupChoiceField) and field.unavailable
        ]

    @property
    def unreadable_lookups(self) -> list[str]:
        """The lists Altafid gave in a shape we cannot read: trying again soon does not help."""
        return [str(self.fields[name].label) for name, c in self.lookups.items() if c.unreadable]

    def _waits_for_country(self, name: str) -> bool:
        field = self.fields[name]
        return (
            isinstance(field, LookupChoiceField)
            and field.kind is LookupKind.CITIES
            and self._chosen_country(field) is None
        )
