"""Supplier API: a product's images (list, add by URL, delete, choose the primary).

The product is resolved through the tenant-scoped selector before anything else, so
another supplier's product is a 404 before any download. Downloads run in
``prepare_outside_transaction``: never inside a transaction or under a row lock.
"""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from commerce import images
from supplier import selectors
from verso.api.fields import InputSerializer
from verso.api.pagination import page_parameters, paginate_rows, supplier_page_body
from verso.api.views import read_body

from .base import SupplierView
from .schema import supplier_page_of

TAGS = ["Supplier Images"]
MAX_IMAGE_URL_LENGTH = 30_000  # ten URLs of the longest kind we keep, and the semicolons


class ImageUrlInput(InputSerializer):
    image_url = serializers.CharField(
        max_length=MAX_IMAGE_URL_LENGTH,
        help_text="Image URL(s): http or https; JPEG, PNG or WebP by content; at most 5 MB each. Several are "
                  "separated by semicolons (;) and kept in that order. A product has at most 10 images.",
    )


ImageOut = inline_serializer("SupplierImage", {
    "id": serializers.IntegerField(),
    "url": serializers.CharField(),
    "thumbnail_url": serializers.CharField(allow_null=True),
    "is_primary": serializers.BooleanField(),
})
ImageList = supplier_page_of("SupplierImageList", "images", ImageOut)


def _images_body(request, supplier_id: int, product_id: int) -> dict:
    """The product's images under ``images`` beside ``pagination``, like every Supplier API list."""
    page = paginate_rows(selectors.product_image_list(supplier_id=supplier_id, product_id=product_id), request,
                         default_per_page=SupplierView.default_per_page)
    return supplier_page_body(page, "images", page.rows)


class ProductImagesView(SupplierView):
    prepared: list[images.PreparedImage] = []

    def prepare_outside_transaction(self, request, *args, **kwargs) -> None:
        if request.method != "POST":
            return
        product = selectors.product_get(supplier_id=self.supplier_id, product_id=kwargs["pk"])
        urls = images.split_urls(read_body(ImageUrlInput, request).validated_data["image_url"])
        images.product_images_check_room(product=product, adding=len(urls))
        self.prepared = images.prepare_images(urls)

    @extend_schema(
        operation_id="supplier_product_images_list", tags=TAGS, summary="List a product's images",
        description="The product's images in their order, the primary one flagged (at most 10, so one page).",
        parameters=page_parameters(default_per_page=SupplierView.default_per_page), responses={200: ImageList},
    )
    def get(self, request, pk: int):
        return Response(_images_body(request, self.supplier_id, pk))

    @extend_schema(
        operation_id="supplier_product_images_add", tags=TAGS, summary="Add images by URL",
        description="Downloads every URL, checks it is a JPEG, PNG or WebP image of at most 5 MB, re-encodes it "
                    "and makes a thumbnail. One bad URL refuses the whole request (422 naming it) and none of its "
                    "images is added. The first image a product gets becomes its primary. Answers with all of the "
                    "product's images.",
        request=ImageUrlInput, responses={201: ImageList},
    )
    def post(self, request, pk: int):
        product = selectors.product_get(supplier_id=self.supplier_id, product_id=pk)
        images.product_images_attach(product=product, prepared=self.prepared, actor=self.actor)
        return Response(_images_body(request, self.supplier_id, pk), status=201)


class ProductImageDeleteView(SupplierView):
    @extend_schema(
        operation_id="supplier_product_image_delete", tags=TAGS, summary="Delete an image",
        description="Removes the image and its files. If it was the primary, the next image becomes primary. "
                    "Answers with the product's remaining images.",
        request=None, responses={200: ImageList},
    )
    def post(self, request, pk: int, image_id: int):
        image = selectors.product_image_get(supplier_id=self.supplier_id, product_id=pk, image_id=image_id)
        images.product_image_delete(image=image, actor=self.actor)
        return Response(_images_body(request, self.supplier_id, pk))


class ProductImagePrimaryView(SupplierView):
    @extend_schema(
        operation_id="supplier_product_image_set_primary", tags=TAGS, summary="Set the primary image",
        description="Makes this image the product's one primary image. Answers with the product's images.",
        request=None, responses={200: ImageList},
    )
    def post(self, request, pk: int, image_id: int):
        image = selectors.product_image_get(supplier_id=self.supplier_id, product_id=pk, image_id=image_id)
        images.product_image_set_primary(image=image, actor=self.actor)
        return Response(_images_body(request, self.supplier_id, pk))
