from django import forms


class TenantChoiceForm(forms.Form):
    tenant = forms.IntegerField(widget=forms.HiddenInput)
