"""Product images: downloaded from URLs, checked, re-encoded, stored and ordered; the only writer of ProductImage.

Adding images is two steps so that no download ever runs inside a database transaction or
holds a row lock: ``prepare_images`` (network and Pillow only: download through
verso.fetch, decode as JPEG, PNG or WebP by content, re-encode without metadata, make the
thumbnail) and ``product_images_attach`` (one short transaction: lock the product, check
the 10-image limit, store the files, create the rows). ``product_images_add`` does both.
One bad URL refuses the whole request and nothing of it is kept. Uploaded files (the
portal) take the same checks through ``prepare_uploaded_images`` instead of the download.
"""
import io
import time
import uuid
import weakref
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from verso import fetch
from verso.errors import NotFound, ValidationFailed

from .actors import Actor
from .models import Product, ProductImage

FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


@dataclass(frozen=True)
class PreparedImage:
    """An image ready to store: re-encoded bytes and its thumbnail, in the format it came in."""

    source_url: str
    format: str  # "JPEG", "PNG" or "WEBP"
    data: bytes
    thumbnail: bytes
    width: int
    height: int

    @property
    def extension(self) -> str:
        return FORMATS[self.format]


def _refuse(url: str, reason: str, *, field: str = "image_url") -> ValidationFailed:
    return ValidationFailed.for_fields({field: f"{url}: {reason}"})


def split_urls(image_url: str) -> list[str]:
    """The URLs of an ``image_url`` field ("a;b"), in their order; blanks between semicolons are skipped."""
    urls = [part.strip() for part in (image_url or "").split(";") if part.strip()]
    if not urls:
        raise ValidationFailed.for_fields({"image_url": "Give at least one URL."})
    if len(urls) > ProductImage.MAX_PER_PRODUCT:
        raise ValidationFailed.for_fields(
            {"image_url": f"A product has at most {ProductImage.MAX_PER_PRODUCT} images; this request has {len(urls)}."}
        )
    for url in urls:
        if len(url) > ProductImage._meta.get_field("source_url").max_length:
            raise _refuse(url[:100] + "…", "The URL is too long.")
    return urls


# --- step 1: network and Pillow, no database ----------------------------------------------


def prepare_images(urls: list[str]) -> list[PreparedImage]:
    """Download and check every URL, in order; the first bad one is a ValidationFailed naming it.

    Touches no database and no storage: call it outside any transaction.
    """
    request_deadline = time.monotonic() + settings.VERSO_IMAGE_REQUEST_DEADLINE_SECONDS
    prepared = []
    for url in urls:
        remaining = request_deadline - time.monotonic()
        if remaining <= 0:
            raise _refuse(url, "The images took too long to download.")
        prepared.append(_prepare_one(url, deadline=min(settings.VERSO_IMAGE_DEADLINE_SECONDS, remaining)))
    return prepared


def _prepare_one(url: str, *, deadline: float) -> PreparedImage:
    try:
        result = fetch.fetch(
            url, max_bytes=settings.VERSO_IMAGE_MAX_BYTES, deadline_seconds=deadline,
            connect_timeout=settings.VERSO_IMAGE_CONNECT_TIMEOUT, read_timeout=settings.VERSO_IMAGE_READ_TIMEOUT,
        )
    except fetch.FetchError as exc:
        raise _refuse(url, exc.reason)
    if result.status != 200:
        raise _refuse(url, f"The server answered HTTP {result.status}.")
    return _reencode(url, result.body, source_url=url)


def prepare_uploaded_images(files: list) -> list[PreparedImage]:
    """Uploaded files (Django ``UploadedFile``s), in order, checked like downloaded images: at most
    ``VERSO_IMAGE_MAX_BYTES`` each, JPEG, PNG or WebP by content, re-encoded, with a thumbnail.

    The first bad file is a ValidationFailed naming it under ``image_file``. No database.
    """
    if not files:
        raise ValidationFailed.for_fields({"image_file": "Choose at least one image file."})
    limit = ProductImage.MAX_PER_PRODUCT
    if len(files) > limit:
        raise ValidationFailed.for_fields(
            {"image_file": f"A product has at most {limit} images; {len(files)} files were chosen."}
        )
    max_bytes = settings.VERSO_IMAGE_MAX_BYTES
    prepared = []
    for upload in files:
        name = upload.name or "file"
        data = b"" if upload.size > max_bytes else upload.read(max_bytes + 1)
        if upload.size > max_bytes or len(data) > max_bytes:
            raise _refuse(name, f"The file is larger than {max_bytes} bytes.", field="image_file")
        prepared.append(_reencode(name, data, source_url="", field="image_file"))
    return prepared


def _reencode(label: str, data: bytes, *, source_url: str, field: str = "image_url") -> PreparedImage:
    """The image re-encoded in its own format with no metadata (EXIF, GPS, ICC, text), and its thumbnail.

    ``label`` (its URL or file name) and ``field`` name it in a refusal."""
    max_pixels = settings.VERSO_IMAGE_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data), formats=list(FORMATS)) as original:
            kind = original.format
            if original.width * original.height > max_pixels:
                raise _refuse(label, f"The image has more than {max_pixels} pixels.", field=field)
            original.load()
            upright = ImageOps.exif_transpose(original)  # keep how the photo looks, drop the tag
            image = _fresh_copy(upright, kind)
    except ValidationFailed:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse(label, f"The image has more than {max_pixels} pixels.", field=field)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise _refuse(label, "Not a JPEG, PNG or WebP image.", field=field)
    thumbnail = image.copy()
    side = settings.VERSO_IMAGE_THUMBNAIL_SIZE
    thumbnail.thumbnail((side, side))
    return PreparedImage(
        source_url=source_url, format=kind, data=_encode(image, kind), thumbnail=_encode(thumbnail, kind),
        width=image.width, height=image.height,
    )


def _fresh_copy(image: Image.Image, kind: str) -> Image.Image:
    """The pixels alone in a new image (nothing of the original's ``info`` comes along)."""
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if kind == "JPEG":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    elif image.mode in ("1", "L") and not has_alpha:
        mode = "L"
    else:
        mode = "RGBA" if has_alpha else "RGB"
    pixels = image.convert(mode)
    return Image.frombytes(mode, pixels.size, pixels.tobytes())


def _encode(image: Image.Image, kind: str) -> bytes:
    out = io.BytesIO()
    if kind == "JPEG":
        image.save(out, "JPEG", quality=settings.VERSO_IMAGE_JPEG_QUALITY)
    elif kind == "WEBP":
        image.save(out, "WEBP", quality=settings.VERSO_IMAGE_JPEG_QUALITY)
    else:
        image.save(out, "PNG", optimize=False)
    return out.getvalue()


# --- step 2: one short transaction ----------------------------------------------------------


def images_payload(product_id: int) -> list[dict]:
    """A product's images as the APIs and the product events show them, in position order."""
    rows = ProductImage.objects.filter(product_id=product_id).order_by("position", "id").values(
        "id", "image", "thumbnail", "is_primary",
    )
    return [image_dict(row) for row in rows]


def image_dict(row: dict) -> dict:
    return {
        "id": row["id"],
        "url": default_storage.url(row["image"]),
        "thumbnail_url": default_storage.url(row["thumbnail"]) if row["thumbnail"] else None,
        "is_primary": row["is_primary"],
    }


def _lock_product(product_id: int, actor: Actor) -> Product:
    """The live product under its row lock; someone else's product is not found, like a missing one."""
    product = Product.objects.select_for_update().filter(pk=product_id, deleted_at__isnull=True).first()
    if product is None or (not actor.is_staff and product.supplier_id != actor.supplier_id):
        raise NotFound("Product not found")
    return product


def _emit_images_changed(product: Product, before: list[dict]) -> None:
    """``product.updated`` for a change of images: the product as the other product events show
    it, plus its ``images``; ``previous_attributes`` holds the images before."""
    from .services import _emit_product_updated, product_payload

    before_payload = {**product_payload(product), "images": before}
    product.save(update_fields=["updated_at"])
    _emit_product_updated(before_payload, {**product_payload(product), "images": images_payload(product.pk)})


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def _delete_files_unless_committed(names: list[str]) -> None:
    """Delete ``names`` if the transaction that stored them never commits.

    Django has no on-rollback hook, but it drops the on-commit callbacks of a transaction
    (or savepoint) that rolls back. So the files are handed to an on-commit callback that
    marks them kept, and a finalizer deletes them when that callback is dropped without
    having run: an outer transaction that rolls back long after this function returned
    takes the files with it. (A process killed mid-transaction still leaves orphans.)
    """
    state = {"committed": False}

    class _KeepOnCommit:
        def __call__(self) -> None:
            state["committed"] = True

    keeper = _KeepOnCommit()
    weakref.finalize(keeper, lambda: None if state["committed"] else _delete_files(names))
    transaction.on_commit(keeper)


def _stored_name(field_name: str, extension: str) -> str:
    field = ProductImage._meta.get_field(field_name)
    return field.generate_filename(None, f"{uuid.uuid4().hex}.{extension}")


def product_images_attach(*, product: Product, prepared: list[PreparedImage], actor: Actor) -> list[ProductImage]:
    """Store prepared images after the product's existing ones, in their order; the first
    image a product gets becomes its primary. All of them or none (files included)."""
    saved: list[str] = []
    try:
        with transaction.atomic():
            product = _lock_product(product.pk, actor)
            existing = list(ProductImage.objects.filter(product=product).order_by("position", "id"))
            limit = ProductImage.MAX_PER_PRODUCT
            if len(existing) + len(prepared) > limit:
                raise ValidationFailed.for_fields({"image_url": (
                    f"A product has at most {limit} images; this one has {len(existing)} "
                    f"and this request adds {len(prepared)}."
                )})
            before = [image_dict({"id": i.pk, "image": i.image.name, "thumbnail": i.thumbnail.name,
                                  "is_primary": i.is_primary}) for i in existing]
            position = max((i.position for i in existing), default=-1) + 1
            needs_primary = not any(i.is_primary for i in existing)
            created = []
            for offset, item in enumerate(prepared):
                image_name = default_storage.save(_stored_name("image", item.extension), ContentFile(item.data))
                saved.append(image_name)
                thumb_name = default_storage.save(_stored_name("thumbnail", item.extension),
                                                  ContentFile(item.thumbnail))
                saved.append(thumb_name)
                created.append(ProductImage.objects.create(
                    product=product, image=image_name, thumbnail=thumb_name, position=position + offset,
                    is_primary=needs_primary and offset == 0, source_url=item.source_url,
                ))
            if created:
                _emit_images_changed(product, before)
            _delete_files_unless_committed(list(saved))
    except BaseException:
        _delete_files(saved)
        raise
    return created


def product_create_with_images(*, actor: Actor, fields: dict, prepared: list[PreparedImage]) -> Product:
    """A new product (``services.product_create``'s fields) and its prepared images together or not at
    all: a refused image leaves no product. Prepare the images first, outside any transaction."""
    from .services import product_create

    if not prepared:
        return product_create(actor=actor, **fields)
    with transaction.atomic():
        product = product_create(actor=actor, **fields)
        product_images_attach(product=product, prepared=prepared, actor=actor)
    return product


def product_images_add(*, product: Product, urls: list[str], actor: Actor) -> list[ProductImage]:
    """Download ``urls`` and attach them. Call it outside any transaction: the downloads would
    otherwise run inside it (a door with an open transaction calls the two steps itself)."""
    if not actor.is_staff and product.supplier_id != actor.supplier_id:
        raise NotFound("Product not found")  # before anything is downloaded
    product_images_check_room(product=product, adding=len(urls))
    return product_images_attach(product=product, prepared=prepare_images(urls), actor=actor)


def product_images_check_room(*, product: Product, adding: int) -> None:
    """Refuse early (before downloading) a request that would take a product past the limit;
    ``product_images_attach`` checks again under the row lock."""
    limit = ProductImage.MAX_PER_PRODUCT
    count = ProductImage.objects.filter(product_id=product.pk).count()
    if count + adding > limit:
        raise ValidationFailed.for_fields({"image_url": (
            f"A product has at most {limit} images; this one has {count} and this request adds {adding}."
        )})


# --- removing and choosing the primary -------------------------------------------------------


def _locked_image(image: ProductImage, actor: Actor) -> tuple[Product, ProductImage]:
    product = _lock_product(image.product_id, actor)
    image = ProductImage.objects.filter(pk=image.pk, product=product).first()
    if image is None:
        raise NotFound("Image not found")
    return product, image


@transaction.atomic
def product_image_delete(*, image: ProductImage, actor: Actor) -> None:
    """Delete an image and (once that commits) its files; deleting the primary promotes the next by position."""
    product, image = _locked_image(image, actor)
    before = images_payload(product.pk)
    files = [image.image.name, image.thumbnail.name]
    was_primary = image.is_primary
    image.delete()
    if was_primary:
        successor = ProductImage.objects.filter(product=product).order_by("position", "id").first()
        if successor is not None:
            successor.is_primary = True
            successor.save(update_fields=["is_primary"])
    _emit_images_changed(product, before)
    transaction.on_commit(lambda: _delete_files(files))


@transaction.atomic
def product_image_set_primary(*, image: ProductImage, actor: Actor) -> ProductImage:
    """Make ``image`` its product's one primary image (already primary: nothing changes)."""
    product, image = _locked_image(image, actor)
    if image.is_primary:
        return image
    before = images_payload(product.pk)
    # The old primary first: the partial unique index allows one primary per product.
    ProductImage.objects.filter(product=product, is_primary=True).update(is_primary=False)
    image.is_primary = True
    image.save(update_fields=["is_primary"])
    _emit_images_changed(product, before)
    return image
