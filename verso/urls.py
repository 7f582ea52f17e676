"""URL map: admin, portal, contact form, both APIs, docs and health checks."""
from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from verso import health, logins, media
from verso.api.converters import IdConverter
from verso.api.views import StaffUnknownPathView, SupplierUnknownPathView

register_converter(IdConverter, "id")

supplier_api = [
    path("", include("supplier.api.urls")),
    re_path(r"^.*$", SupplierUnknownPathView.as_view()),
]

staff_api = [
    path("", include("crm.api.urls")),
    path("", include("commerce.api.urls")),
    path("", include("scheduling.api.urls")),
    path("", include("webhooks.api.urls")),
    path("", include("settlement.api.urls")),
    re_path(r"^.*$", StaffUnknownPathView.as_view()),
]

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("portal/", include("supplier.portal.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/v1/supplier", SupplierUnknownPathView.as_view()),
    path("api/v1/supplier/", include(supplier_api)),
    path("api/v1/", include(staff_api)),
    re_path(rf"^{settings.MEDIA_URL.strip('/')}/(?P<path>.+)$", media.serve_media, name="media"),
    path("", include("crm.urls")),
]

admin.site.login_form = logins.AdminLoginForm

handler500 = "verso.errorpages.server_error"
handler404 = "verso.errorpages.not_found"
