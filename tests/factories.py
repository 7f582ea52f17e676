"""factory_boy factories for every app's models (one section per app)."""
import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from supplier.models import Membership, Supplier

# --- accounts & suppliers -------------------------------------------------------------


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("pw-12345-long")


class StaffUserFactory(UserFactory):
    """A staff login that is not a superuser: it holds exactly ``permissions`` ("app_label.codename")."""

    class Meta:
        skip_postgeneration_save = True

    is_staff = True

    @factory.post_generation
    def permissions(user, create, extracted, **kwargs):
        for name in extracted or ():
            app_label, codename = name.split(".")
            user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


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


# --- commerce -------------------------------------------------------------------------
# Orders are placed through commerce.services.order_place in tests, never built by hand.

from decimal import Decimal as _Decimal  # noqa: E402

from commerce.models import Category, Product  # noqa: E402


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    type = Category.TYPE_FLOWER


class ProductFactory(factory.django.DjangoModelFactory):
    """An approved, active product with stock, sold by a supplier (supplier=None: the operator's)."""

    class Meta:
        model = Product

    supplier = factory.SubFactory(SupplierFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    description = "A fine product"
    price = 1000
    stock_qty = 100
    vat_rate = _Decimal("21")
    approval_status = Product.APPROVED


# --- crm & scheduling -----------------------------------------------------------------

import datetime as _dt  # noqa: E402

from django.utils import timezone as _timezone  # noqa: E402

from crm.models import Lead  # noqa: E402
from scheduling.models import Appointment, Estimator, Service  # noqa: E402


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Doe"
    email = factory.Sequence(lambda n: f"lead{n}@example.com")
    phone = "+1-555-123-4567"
    message = "Interested in your services"
    tags = factory.LazyFunction(list)


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    name = factory.Sequence(lambda n: f"Service {n}")
    duration_minutes = 60


class EstimatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Estimator

    name = factory.Sequence(lambda n: f"Estimator {n}")


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    first_name = "John"
    last_name = "Doe"
    email = factory.Sequence(lambda n: f"client{n}@example.com")
    phone = "+1-555-123-4567"
    scheduled_time = factory.Sequence(
        lambda n: _timezone.now().replace(minute=0, second=0, microsecond=0) + _dt.timedelta(days=1, hours=2 * n)
    )
    duration_minutes = 60
    service = factory.SubFactory(ServiceFactory)
    estimator = factory.SubFactory(EstimatorFactory)
