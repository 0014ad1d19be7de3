from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _


class ListUploadForm(forms.Form):
    dataset = forms.CharField(
        label=_("List"),
        max_length=100,
        initial="sanctions",
        validators=[
            RegexValidator(
                r"^[a-z0-9_-]+$",
                _("Lower-case letters, digits, - and _ only, e.g. sanctions or peps."),
            )
        ],
        help_text=_("The name of the list this file replaces, e.g. sanctions or peps."),
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A FollowTheMoney JSON-lines export (entities.ftm.json) or OpenSanctions' "
            "targets.simple.csv."
        ),
    )
