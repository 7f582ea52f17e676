"""Supplier API reads: every function takes the supplier as a required keyword argument, so no
query of a supplier's door can reach another supplier's rows."""
from commerce import images as commerce_images
from commerce.models import Product, ProductImage
from verso.db import child_rows
from verso.errors import NotFound

# --- products (shared) -------------------------------------------------------------------


def product_get(*, supplier_id: int, product_id: int) -> Product:
    """The supplier's live product; another supplier's (or a deleted) one is not found, like a missing id."""
    product = Product.objects.filter(pk=product_id, supplier_id=supplier_id, deleted_at__isnull=True).first()
    if product is None:
        raise NotFound("Product not found")
    return product


# --- product images ----------------------------------------------------------------------


def product_image_list(*, supplier_id: int, product_id: int) -> list[dict]:
    """The images of the supplier's live product in position order, in one SQL query."""
    row = (
        Product.objects.filter(pk=product_id, supplier_id=supplier_id, deleted_at__isnull=True)
        .values("id", image_rows=child_rows(
            ProductImage.objects, parent_field="product_id",
            fields=["id", "image", "thumbnail", "is_primary", "position"],
        ))
        .first()
    )
    if row is None:
        raise NotFound("Product not found")
    rows = sorted(row["image_rows"] or [], key=lambda image: (image["position"], image["id"]))
    # SQLite's JSON writes booleans as 0/1: read them back as booleans on either database.
    return [commerce_images.image_dict({**image, "is_primary": bool(image["is_primary"])}) for image in rows]


def product_image_get(*, supplier_id: int, product_id: int, image_id: int) -> ProductImage:
    """One image of the supplier's product; the product is checked first ("Product not found"),
    then the image must belong to it ("Image not found")."""
    product = product_get(supplier_id=supplier_id, product_id=product_id)
    image = ProductImage.objects.filter(pk=image_id, product_id=product.pk).first()
    if image is None:
        raise NotFound("Image not found")
    return image
