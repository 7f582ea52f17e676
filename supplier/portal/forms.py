"""The portal's forms: they check shape only (types, lengths, required); every rule is the services'.

``add_service_errors`` puts a service's refusal next to the field it names, so a rule's
message reads the same in the portal as in the API.
"""
from decimal import Decimal

from django import forms

from commerce.models import Category, Product, ProductImage
from supplier import selectors
from supplier.models import Supplier
from verso.api.models import ApiKey
from verso.db import MAX_INT
from verso.errors import DomainError

MAX_EUROS = Decimal(MAX_INT) / 100


def add_service_errors(form: forms.Form, exc: DomainError, *, rename: dict[str, str] | None = None) -> None:
    """Show a service's refusal on the form: each field it names beside that field (``rename`` maps the
    service's names to the form's), the rest above the form."""
    rename = rename or {}
    details = {key: value for key, value in (exc.details or {}).items() if isinstance(value, str)}
    placed = False
    for name, message in details.items():
        field = rename.get(name, name)
        if field in form.fields:
            form.add_error(field, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several files from one ``<input type=file multiple>``; the image checks are commerce.images'."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleImageField, self).clean(item, initial) for item in files]


IMAGE_FILES_HELP = (
    f"JPEG, PNG or WebP, at most 5 MB each; choose several at once. A product has at most "
    f"{ProductImage.MAX_PER_PRODUCT} images."
)
IMAGE_URL_HELP = "One or more http(s) addresses of JPEG, PNG or WebP images, separated by semicolons (;)."


# --- products ---------------------------------------------------------------------------------


class ProductForm(forms.Form):
    """Every field of the Supplier API's product create/update, in the API's names and units."""

    name = forms.CharField(max_length=200)
    category_id = forms.TypedChoiceField(label="Category", coerce=int)
    base_price = forms.DecimalField(
        label="Price (€, VAT included)", min_value=0, max_value=MAX_EUROS, decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    unit = forms.ChoiceField(choices=Product.UNIT_CHOICES)
    type = forms.ChoiceField(choices=Category.TYPE_CHOICES, initial=Category.TYPE_FLOWER)
    sku = forms.CharField(label="SKU", max_length=64, required=False,
                          help_text="Unique among your products.")
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 4}))
    stock_qty = forms.IntegerField(label="Stock", min_value=0, max_value=MAX_INT, initial=0)
    min_order_qty = forms.IntegerField(label="Minimum order quantity", min_value=1, max_value=MAX_INT, initial=1)
    color = forms.CharField(max_length=50, required=False)
    stem_length = forms.IntegerField(label="Stem length (cm)", min_value=0, max_value=MAX_INT, required=False)
    country_of_origin = forms.CharField(max_length=100, required=False)
    vat_rate = forms.DecimalField(
        label="VAT rate (%)", min_value=0, max_value=100, decimal_places=2, initial=Decimal("21"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    # The service's names for this form's fields, where they differ (its errors come back in them).
    SERVICE_NAMES = {"base_price": "price"}

    def __init__(self, *args, current_category: tuple[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(row["id"], row["name"]) for row in selectors.category_list()]
        if current_category and current_category[0] not in {pk for pk, _ in choices}:
            choices.append(current_category)  # a product keeps a category that was switched off since
        self.fields["category_id"].choices = [("", "Choose a category")] + choices

    def clean_description(self):
        # Browsers send CRLF line breaks; keep the text as the API would store it.
        return self.cleaned_data["description"].replace("\r\n", "\n")

    def service_fields(self, names=None) -> dict:
        """The cleaned values (all, or only ``names``) in commerce.services' names: the price in cents."""
        fields = {}
        for name in names if names is not None else self.fields:
            if name not in self.fields or name in ("images", "image_url"):
                continue
            value = self.cleaned_data[name]
            if name == "base_price":
                value = int(value * 100)
            fields[self.SERVICE_NAMES.get(name, name)] = value
        return fields

    @staticmethod
    def initial_from(product: Product) -> dict:
        return {
            "name": product.name, "category_id": product.category_id, "base_price": Decimal(product.price) / 100,
            "unit": product.unit, "type": product.type, "sku": product.sku, "description": product.description,
            "stock_qty": product.stock_qty, "min_order_qty": product.min_order_qty, "color": product.color,
            "stem_length": product.stem_length, "country_of_origin": product.country_of_origin,
            "vat_rate": product.vat_rate, "is_active": product.is_active,
        }


class ProductCreateForm(ProductForm):
    images = MultipleImageField(label="Image files", required=False, help_text=IMAGE_FILES_HELP)
    image_url = forms.CharField(label="Image URLs", required=False, max_length=30_000, help_text=IMAGE_URL_HELP)


class ProductUpdateForm(ProductForm):
    is_active = forms.BooleanField(label="On sale", required=False,
                                   help_text="Untick to take the product off sale without deleting it.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each field carries the value the page showed (a hidden "initial-" input), so ``changed_data``
        # names what the supplier changed, not what changed in the database since the page was loaded.
        for field in self.fields.values():
            field.show_hidden_initial = True


class ImageUploadForm(forms.Form):
    images = MultipleImageField(label="Image files", help_text=IMAGE_FILES_HELP)


class ImageUrlForm(forms.Form):
    image_url = forms.CharField(label="Image URLs", max_length=30_000, help_text=IMAGE_URL_HELP)


class ProductFilterForm(forms.Form):
    search = forms.CharField(label="Search name or SKU", required=False, max_length=200,
                             widget=forms.TextInput(attrs={"type": "search"}))
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any status")] + [(name, name.capitalize()) for name in selectors.PRODUCT_STATUSES],
    )
    stock = forms.ChoiceField(label="Stock", required=False, choices=[("", "Any stock"), ("low", "Low or out")])


# --- store profile and API keys ---------------------------------------------------------------------


class ProfileForm(forms.Form):
    contact_email = forms.EmailField(label="Contact email", required=False,
                                     max_length=Supplier._meta.get_field("contact_email").max_length)
    contact_phone = forms.CharField(label="Contact phone", required=False,
                                    max_length=Supplier._meta.get_field("contact_phone").max_length,
                                    widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}))
    country = forms.CharField(required=False, max_length=Supplier._meta.get_field("country").max_length,
                              widget=forms.TextInput(attrs={"autocomplete": "country-name"}))


class ApiKeyForm(forms.Form):
    name = forms.CharField(label="Key name", max_length=ApiKey._meta.get_field("name").max_length,
                           help_text="What uses the key, e.g. “Shop sync”.")
