from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator

from onboarding.core.inputs import single_line_validate


class TenantChoiceForm(forms.Form):
    tenant = forms.IntegerField(widget=forms.HiddenInput)


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the address checked at its field before anyone is looked up.

    Django sets the field's length only on the widget, so an overlong address went on to be
    counted as a failed sign-in, in a column too short for it.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        assert isinstance(username, forms.CharField)
        assert username.max_length is not None
        username.validators.extend([MaxLengthValidator(username.max_length), single_line_validate])
