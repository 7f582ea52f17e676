"""Staff API for products, categories and orders: parse, call a service or selector, render.

Lists render ``.values()`` rows through commerce.representations, one SQL query per
page whatever its size (the key's lookup is cached).
"""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from commerce import representations as rep
from commerce import selectors, services
from commerce.actors import Actor
from verso.api.pagination import page_parameters
from verso.api.query import filter_parameters, ordering_from, sort_parameters
from verso.api.schema import StaffWriteResult, staff_errors, staff_page_of
from verso.api.views import StaffAPIView, apply_filterset, created, read_body, updated

from . import serializers as s
from .filters import CategoryFilter, OrderFilter, ProductFilter

PAGE_PARAMS = page_parameters(default_per_page=25)


def _actor(request) -> Actor:
    return Actor.from_principal(request.auth)


# --- products ---------------------------------------------------------------------------

PRODUCT_SORTS = {
    "created_at": "created_at", "updated_at": "updated_at", "name": "name", "price": "price",
    "inventory_count": "stock_qty", "id": "id",
}
ProductDeleted = inline_serializer(
    "ProductDeleted", {"id": serializers.IntegerField(), "message": serializers.CharField()}
)


@extend_schema(tags=["Products"])
class ProductListView(StaffAPIView):
    required_scopes = {"GET": "read:products", "POST": "write:products"}
    cache_generations = ("catalogue",)

    @extend_schema(
        operation_id="products_list",
        summary="List products",
        description="Every non-deleted product, whatever its approval status.",
        parameters=[*PAGE_PARAMS, *filter_parameters(ProductFilter), *sort_parameters(PRODUCT_SORTS, "created_at")],
        responses={200: staff_page_of("ProductPage", s.ProductOut), **staff_errors(400, 401, 403, 429)},
    )
    def get(self, request):
        return self.cached(request, lambda: self._page(request))

    def _page(self, request) -> dict:
        qs = selectors.product_list()
        qs = apply_filterset(ProductFilter, request, qs)
        qs = qs.order_by(*ordering_from(request, allowed=PRODUCT_SORTS, default_sort="created_at"))
        page = self.paginate(qs, request)
        return self.paginated_response(page, [rep.product_dict(row) for row in page.rows]).data

    @extend_schema(
        operation_id="products_create",
        summary="Create a product",
        description="Staff-created products are approved at once.",
        request=s.ProductInput,
        responses={201: StaffWriteResult, **staff_errors(401, 403, 422, 429)},
    )
    def post(self, request):
        data = read_body(s.ProductInput, request).to_service_fields()
        product = services.product_create(actor=_actor(request), **data)
        return created(product.pk, "Product")


@extend_schema(tags=["Products"])
class ProductDetailView(StaffAPIView):
    required_scopes = {"GET": "read:products", "PATCH": "write:products", "DELETE": "write:products"}

    @extend_schema(
        operation_id="products_retrieve", summary="Get a product",
        responses={200: s.ProductOut, **staff_errors(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        product = selectors.product_get(product_id=pk)
        return Response(rep.product_dict(rep.values_of(product, rep.PRODUCT_VALUES)))

    @extend_schema(
        operation_id="products_partial_update", summary="Update a product",
        description="Only the fields given change.",
        request=s.ProductInput(partial=True),
        responses={200: StaffWriteResult, **staff_errors(401, 403, 404, 422, 429)},
    )
    def patch(self, request, pk: int):
        product = selectors.product_get(product_id=pk)
        data = read_body(s.ProductInput, request, partial=True).to_service_fields()
        services.product_update(product=product, actor=_actor(request), changes=data)
        return updated(product.pk, "Product")

    @extend_schema(
        operation_id="products_destroy", summary="Delete a product",
        description="Soft delete: the product disappears from the catalogue; orders keep their lines.",
        responses={200: ProductDeleted, **staff_errors(401, 403, 404, 429)},
    )
    def delete(self, request, pk: int):
        product = selectors.product_get(product_id=pk)
        services.product_soft_delete(product=product, actor=_actor(request))
        return Response({"id": product.pk, "message": "Product deleted successfully"})


# --- categories -------------------------------------------------------------------------

CATEGORY_SORTS = {"name": "name", "created_at": "created_at", "id": "id"}


@extend_schema(tags=["Categories"])
class CategoryListView(StaffAPIView):
    required_scopes = {"GET": "read:products", "POST": "write:products"}
    cache_generations = ("catalogue",)

    @extend_schema(
        operation_id="categories_list", summary="List categories",
        parameters=[*PAGE_PARAMS, *filter_parameters(CategoryFilter), *sort_parameters(CATEGORY_SORTS, "name", "asc")],
        responses={200: staff_page_of("CategoryPage", s.CategoryOut), **staff_errors(400, 401, 403, 429)},
    )
    def get(self, request):
        return self.cached(request, lambda: self._page(request))

    def _page(self, request) -> dict:
        qs = apply_filterset(CategoryFilter, request, selectors.category_list())
        qs = qs.order_by(*ordering_from(request, allowed=CATEGORY_SORTS, default_sort="name", default_order="asc"))
        page = self.paginate(qs, request)
        return self.paginated_response(page, [rep.category_dict(row) for row in page.rows]).data

    @extend_schema(
        operation_id="categories_create", summary="Create a category",
        request=s.CategoryInput, responses={201: StaffWriteResult, **staff_errors(401, 403, 409, 422, 429)},
    )
    def post(self, request):
        data = read_body(s.CategoryInput, request).validated_data
        category = services.category_create(**data)
        return created(category.pk, "Category")


@extend_schema(tags=["Categories"])
class CategoryDetailView(StaffAPIView):
    required_scopes = {"GET": "read:products", "PATCH": "write:products"}

    @extend_schema(
        operation_id="categories_retrieve", summary="Get a category",
        responses={200: s.CategoryOut, **staff_errors(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        category = selectors.category_get(category_id=pk)
        return Response(rep.category_dict(rep.values_of(category, rep.CATEGORY_VALUES)))

    @extend_schema(
        operation_id="categories_partial_update", summary="Update a category",
        request=s.CategoryInput(partial=True),
        responses={200: StaffWriteResult, **staff_errors(401, 403, 404, 409, 422, 429)},
    )
    def patch(self, request, pk: int):
        category = selectors.category_get(category_id=pk)
        data = read_body(s.CategoryInput, request, partial=True).validated_data
        services.category_update(category=category, changes=dict(data))
        return updated(category.pk, "Category")


# --- orders -----------------------------------------------------------------------------

ORDER_SORTS = {"created_at": "created_at", "total_amount": "total_amount", "order_number": "order_number", "id": "id"}


@extend_schema(tags=["Orders"])
class OrderListView(StaffAPIView):
    required_scopes = {"GET": "read:orders", "POST": "write:orders"}

    @extend_schema(
        operation_id="orders_list", summary="List orders",
        parameters=[*PAGE_PARAMS, *filter_parameters(OrderFilter), *sort_parameters(ORDER_SORTS, "created_at")],
        responses={200: staff_page_of("OrderPage", s.OrderListOut), **staff_errors(400, 401, 403, 429)},
    )
    def get(self, request):
        qs = apply_filterset(OrderFilter, request, selectors.order_list())
        qs = qs.order_by(*ordering_from(request, allowed=ORDER_SORTS, default_sort="created_at"))
        page = self.paginate(qs, request)
        return self.paginated_response(page, [rep.order_list_dict(row) for row in page.rows])

    @extend_schema(
        operation_id="orders_create", summary="Place an order",
        description=(
            "Prices come from the catalogue. Only approved, active products; each quantity at least the "
            "product's minimum. Stock is taken atomically; any bad item is a 422 naming it "
            "(e.g. items.2.quantity) and nothing is taken."
        ),
        request=s.OrderCreateInput,
        responses={201: s.OrderCreatedOut, **staff_errors(401, 403, 409, 422, 429)},
    )
    def post(self, request):
        data = read_body(s.OrderCreateInput, request).validated_data
        order = services.order_place(
            email=data["email"], items=[dict(item) for item in data["items"]],
            shipping_address=dict(data["shipping_address"]), actor=_actor(request),
        )
        return Response(
            {"id": order.pk, "order_number": order.order_number, "message": "Order created successfully"}, status=201
        )


@extend_schema(tags=["Orders"])
class OrderDetailView(StaffAPIView):
    required_scopes = {"GET": "read:orders", "PATCH": "write:orders"}

    @extend_schema(
        operation_id="orders_retrieve", summary="Get an order with its line items",
        responses={200: s.OrderDetailOut, **staff_errors(401, 403, 404, 429)},
    )
    def get(self, request, pk: int):
        return Response(selectors.order_detail(order_id=pk))

    @extend_schema(
        operation_id="orders_partial_update", summary="Update an order's status or fulfilment details",
        description="A status change must follow the order lifecycle; a 422 names the allowed targets.",
        request=s.OrderUpdateInput,
        responses={200: StaffWriteResult, **staff_errors(401, 403, 404, 422, 429)},
    )
    def patch(self, request, pk: int):
        order = selectors.order_get(order_id=pk)
        data = read_body(s.OrderUpdateInput, request).validated_data
        services.order_update(
            order=order, actor=_actor(request), status=data.get("status"),
            tracking_number=data.get("tracking_number"), fulfillment_status=data.get("fulfillment_status"),
            comment=data.get("comment", ""),
        )
        return updated(order.pk, "Order")


@extend_schema(tags=["Orders"])
class OrderGroupDetailView(StaffAPIView):
    required_scopes = {"PATCH": "write:orders"}

    @extend_schema(
        operation_id="orders_groups_partial_update", summary="Move one supplier's part of an order",
        description="Follows the supplier group lifecycle (staff may also complete a delivered group).",
        request=s.OrderGroupUpdateInput,
        responses={200: StaffWriteResult, **staff_errors(401, 403, 404, 422, 429)},
    )
    def patch(self, request, pk: int, group_id: int):
        group = selectors.order_group_get(order_id=pk, group_id=group_id)
        data = read_body(s.OrderGroupUpdateInput, request).validated_data
        services.order_group_transition(
            group=group, to_status=data["status"], actor=_actor(request), comment=data.get("comment", "")
        )
        return updated(group.pk, "Order group")

