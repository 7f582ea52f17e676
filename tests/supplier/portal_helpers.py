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
