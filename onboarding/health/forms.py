from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onboarding.lookups.forms import LookupChoiceField, LookupFormMixin
from onboarding.lookups.kinds import LookupKind


class LookupPreviewForm(LookupFormMixin):
    """Every lookup the onboarding forms use, so an admin sees the whole chain at once."""

    stage = LookupChoiceField(kind=LookupKind.STAGES, label=_("Pipeline stage"), required=False)
    source = LookupChoiceField(kind=LookupKind.SOURCES, label=_("Contact source"), required=False)
    segment = LookupChoiceField(kind=LookupKind.SEGMENTS, label=_("Market segment"), required=False)
    industry = LookupChoiceField(kind=LookupKind.INDUSTRIES, label=_("Industry"), required=False)
    country = LookupChoiceField(kind=LookupKind.COUNTRIES, label=_("Country"), required=False)
    city = LookupChoiceField(
        kind=LookupKind.CITIES, country_field="country", label=_("City"), required=False
    )
    phone_code = LookupChoiceField(
        kind=LookupKind.PHONE_CODES, label=_("Phone country code"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["country"].widget.attrs.update(
            {
                "hx-get": reverse("health:status"),
                "hx-trigger": "change",
                "hx-target": "#city-field",
                "hx-swap": "outerHTML",
                "hx-include": "closest form",
            }
        )
