"""Public pages of the CRM: the contact form."""

urlpatterns: list = []
