"""factory_boy factories for every app's models (one section per app)."""
import factory
from django.contrib.auth import get_user_model

from supplier.models import Membership, Supplier

# --- accounts & suppliers -------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-12345-long")


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    name = factory.Sequence(lambda n: f"Supplier {n}")
    slug = factory.Sequence(lambda n: f"supplier-{n}")
    contact_email = factory.LazyAttribute(lambda s: f"{s.slug}@example.com")
    country = "Netherlands"
    is_verified = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    supplier = factory.SubFactory(SupplierFactory)
