"""The supplier portal (/portal/): suppliers' own pages, over the same services and selectors as the APIs.

Tenancy comes from the logged-in user's ``supplier.Membership`` only (``PortalMixin``),
never from a URL or a form field.
"""
