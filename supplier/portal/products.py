"""The supplier's products and their images: the Supplier API's rules through the same services.

Every product and image is looked up through the tenant-scoped selectors with the login's
supplier, so another supplier's id is a 404. Images are downloaded or decoded before any
transaction opens (commerce.images' two steps), like the API does.
"""
from django.contrib import messages
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView, TemplateView

from commerce import images, services
from commerce.models import Product, ProductImage
from supplier import selectors
from verso.errors import ValidationFailed

from . import forms
from .mixins import PortalMixin

PER_PAGE = 20
def _thumbnail_url(name: str | None) -> str | None:
    return default_storage.url(name) if name else None


class ProductListView(PortalMixin, TemplateView):
    template_name = "portal/products/list.html"
    portal_section = "products"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filters = forms.ProductFilterForm(self.request.GET)
        filters.is_valid()  # a bad value is shown next to its field; the valid ones still filter
        wanted = filters.cleaned_data
        rows = selectors.product_filter(
            selectors.product_list_with_thumbnails(supplier_id=self.supplier.pk),
            status=wanted.get("status", ""), search=wanted.get("search", ""), low_stock=wanted.get("stock") == "low",
        )
        page = Paginator(rows, PER_PAGE).get_page(self.request.GET.get("page"))
        for row in page.object_list:
            row["thumbnail_url"] = _thumbnail_url(row["primary_thumbnail"])
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(filters=filters, page=page, query=query.urlencode(), filtered=any(wanted.values()))
        return context


class ProductCreateView(PortalMixin, FormView):
    template_name = "portal/products/form.html"
    form_class = forms.ProductCreateForm
    portal_section = "products"

    def form_valid(self, form):
        fields = form.service_fields()
        files = form.cleaned_data["images"]
        image_url = form.cleaned_data["image_url"]
        try:
            prepared = []
            if files or image_url.strip():
                # A refusal of the product itself costs no download or decoding.
                services.product_create_check(actor=self.actor, **fields)
                if image_url.strip():
                    prepared += images.prepare_images(images.split_urls(image_url))
                if files:
                    prepared += images.prepare_uploaded_images(files)
            product = images.product_create_with_images(actor=self.actor, fields=fields, prepared=prepared)
        except ValidationFailed as exc:
            forms.add_service_errors(form, exc, rename={"price": "base_price", "image_file": "images"})
            return self.form_invalid(form)
        messages.success(self.request, f"“{product.name}” was created. It waits for approval by marketplace staff "
                                       "before it appears in the catalogue.")
        return redirect("portal:product", pk=product.pk)


class ProductEditView(PortalMixin, FormView):
    """A product's page: its approval (and why it was rejected), the edit form, its images."""

    template_name = "portal/products/form.html"
    form_class = forms.ProductUpdateForm
    portal_section = "products"

    def get_product(self) -> Product:
        if not hasattr(self, "product"):
            self.product = selectors.product_get(supplier_id=self.supplier.pk, product_id=self.kwargs["pk"])
        return self.product

    def get_form_kwargs(self):
        product = self.get_product()
        kwargs = super().get_form_kwargs()
        kwargs["initial"] = forms.ProductForm.initial_from(product)
        if product.category_id is not None:
            kwargs["current_category"] = (product.category_id, product.category.name)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(product=self.get_product(),
                       images=selectors.product_image_list(supplier_id=self.supplier.pk, product_id=self.product.pk))
        return context

    def form_valid(self, form):
        # Only what the supplier changed on the page: a stock level the API moved meanwhile stays.
        changes = form.service_fields(form.changed_data)
        try:
            services.product_update(product=self.get_product(), actor=self.actor, changes=changes)
        except ValidationFailed as exc:
            forms.add_service_errors(form, exc, rename={"price": "base_price"})
            return self.form_invalid(form)
        messages.success(self.request, "Your changes were saved." if changes else "Nothing was changed.")
        return redirect("portal:product", pk=self.product.pk)


class ProductDeleteView(PortalMixin, TemplateView):
    """GET asks for confirmation; POST deletes (soft: orders keep their lines, the SKU is free again)."""

    template_name = "portal/products/delete.html"
    portal_section = "products"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["product"] = selectors.product_get(supplier_id=self.supplier.pk, product_id=self.kwargs["pk"])
        return context

    def post(self, request, pk: int):
        product = selectors.product_get(supplier_id=self.supplier.pk, product_id=pk)
        services.product_soft_delete(product=product, actor=self.actor)
        messages.success(request, f"“{product.name}” was deleted.")
        return redirect("portal:products")


# --- images ---------------------------------------------------------------------------------------


class ProductImagesView(PortalMixin, TemplateView):
    """A product's images: thumbnails, set primary, delete; add by upload (several files) or by URL."""

    template_name = "portal/products/images.html"
    portal_section = "products"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        product = selectors.product_get(supplier_id=self.supplier.pk, product_id=self.kwargs["pk"])
        context.setdefault("upload_form", forms.ImageUploadForm())
        context.setdefault("url_form", forms.ImageUrlForm())
        context.update(
            product=product, max_images=ProductImage.MAX_PER_PRODUCT,
            images=selectors.product_image_list(supplier_id=self.supplier.pk, product_id=product.pk),
        )
        return context

    def post(self, request, pk: int):
        product = selectors.product_get(supplier_id=self.supplier.pk, product_id=pk)
        by_url = "image_url" in request.POST
        form = forms.ImageUrlForm(request.POST) if by_url else forms.ImageUploadForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                # Downloaded or decoded here, before the short transaction that stores them.
                if by_url:
                    urls = images.split_urls(form.cleaned_data["image_url"])
                    images.product_images_check_room(product=product, adding=len(urls))
                    prepared = images.prepare_images(urls)
                else:
                    files = form.cleaned_data["images"]
                    images.product_images_check_room(product=product, adding=len(files))
                    prepared = images.prepare_uploaded_images(files)
                added = images.product_images_attach(product=product, prepared=prepared, actor=self.actor)
            except ValidationFailed as exc:
                forms.add_service_errors(form, exc, rename={"image_url": "image_url" if by_url else "images",
                                                            "image_file": "images"})
            else:
                messages.success(request, f"{len(added)} image{'s' if len(added) != 1 else ''} added.")
                return redirect("portal:product_images", pk=product.pk)
        context = self.get_context_data(**{"url_form" if by_url else "upload_form": form})
        return self.render_to_response(context, status=400)


class ProductImageActionView(PortalMixin, TemplateView):
    """POST only: make an image the primary one, or delete it."""

    http_method_names = ["post"]
    action = ""  # "primary" or "delete"

    def post(self, request, pk: int, image_id: int):
        image = selectors.product_image_get(supplier_id=self.supplier.pk, product_id=pk, image_id=image_id)
        if self.action == "primary":
            images.product_image_set_primary(image=image, actor=self.actor)
            messages.success(request, "The primary image was changed.")
        else:
            images.product_image_delete(image=image, actor=self.actor)
            messages.success(request, "The image was deleted.")
        return redirect(reverse("portal:product_images", kwargs={"pk": pk}))
