"""The public contact form."""
from django import forms

from .services import MESSAGE_MAX_LENGTH

# The honeypot's name looks worth filling to a bot; people never see the field (CSS hides it).
HONEYPOT_FIELD = "website"


class ContactForm(forms.Form):
    first_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    email = forms.EmailField(max_length=254, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(max_length=50, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}))
    message = forms.CharField(max_length=MESSAGE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6}))
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_bot(self) -> bool:
        return bool(self.data.get(HONEYPOT_FIELD, "").strip())
