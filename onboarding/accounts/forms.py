from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django_otp import match_token
from django_otp.models import Device

from onboarding.accounts.models import User
from onboarding.core.inputs import single_line_validate
from onboarding.outbox.models import MailKind
from onboarding.outbox.services import mail_queue


class TenantChoiceForm(forms.Form):
    tenant = forms.IntegerField(widget=forms.HiddenInput)


class ReauthenticateForm(forms.Form):
    """Password and a current code (or a recovery code), before replacing an authenticator.

    The password goes through `authenticate`, so django-axes counts wrong ones as it does at
    sign-in; django-otp slows down wrong codes."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    token = forms.CharField(
        label=_("A code from your authenticator app, or a recovery code"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code"}),
    )

    def __init__(self, *args: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.request = request
        self.user = user
        self.device: Device | None = None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password, token = cleaned.get("password"), cleaned.get("token")
        if password is None or token is None:
            return cleaned
        if authenticate(self.request, username=self.user.email, password=password) != self.user:
            self.add_error("password", _("That password is not right."))
            return cleaned
        self.device = match_token(self.user, token.replace(" ", ""))
        if self.device is None:
            self.add_error("token", _("That code is not right, or was used already."))
        return cleaned


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


class PasswordResetQueuedForm(PasswordResetForm):
    """Django's reset form, whose e-mail a worker sends: the page never waits on the mail
    server, and one that is down delays the e-mail rather than losing it."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        mail_queue(
            kind=MailKind.PASSWORD_RESET,
            recipient_id=context["user"].pk,
            to=[to_email],
            subject=subject,
            body=render_to_string(email_template_name, context),
        )
