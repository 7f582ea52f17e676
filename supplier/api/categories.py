"""Supplier API categories: the catalogue's active categories, flat, for choosing a product's category_id."""
from drf_spectacular.utils import extend_schema
from rest_framework import serializers

from commerce.api.serializers import CatalogueTypeField
from supplier import selectors
from verso.api.pagination import page_parameters

from .base import SupplierView
from .schema import supplier_page_of


class SupplierCategoryOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    slug = serializers.CharField()
    parent_id = serializers.IntegerField(allow_null=True)
    type = CatalogueTypeField()


SupplierCategoryPage = supplier_page_of("SupplierCategoryPage", "categories", SupplierCategoryOut)


@extend_schema(tags=["Supplier Categories"])
class CategoryListView(SupplierView):
    plural = "categories"
    cache_generations = ("catalogue",)

    @extend_schema(
        operation_id="supplier_categories_list",
        summary="List categories",
        description="Every active category, flat, by name; parent_id points at the parent category.",
        parameters=page_parameters(default_per_page=20),
        responses={200: SupplierCategoryPage},
    )
    def get(self, request):
        return self.cached(request, lambda: self._page(request))

    def _page(self, request) -> dict:
        page = self.paginate(selectors.category_list(), request)
        return self.paginated_response(page, page.rows).data
