"""What the portal's tests share: a logged-in supplier user's browser client."""
from django.test import Client

from tests.factories import MembershipFactory, SupplierFactory, UserFactory

PASSWORD = "pw-12345-long"  # UserFactory's


def portal_client(supplier=None, **supplier_fields) -> Client:
    """A test client logged in as a new user of ``supplier`` (a new verified one by default);
    ``client.user`` and ``client.supplier`` are theirs."""
    supplier = supplier or SupplierFactory(**supplier_fields)
    membership = MembershipFactory(supplier=supplier, user=UserFactory())
    client = Client()
    client.force_login(membership.user)
    client.user, client.supplier = membership.user, supplier
    return client


def edit_data(form, **changes) -> dict:
    """What the browser posts back from an edit page showing ``form`` (its values and the hidden
    "initial-" copies of them), with ``changes`` typed in; a ``False`` checkbox is left out, like unticked."""
    shown = {}
    for name, value in form.initial.items():
        if value is None:
            value = ""
        shown[f"initial-{name}"] = value
        shown[name] = "on" if value is True else value
    data = {**shown, **changes}
    return {name: value for name, value in data.items() if value is not False}
