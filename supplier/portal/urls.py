"""The portal's pages under /portal/ (namespace "portal")."""
from django.urls import path

from . import auth, dashboard, keys, orders, payouts, products, profile, stock

app_name = "portal"

urlpatterns = [
    path("", dashboard.DashboardView.as_view(), name="dashboard"),
    # logging in and out, passwords
    path("login/", auth.PortalLoginView.as_view(), name="login"),
    path("logout/", auth.PortalLogoutView.as_view(), name="logout"),
    path("password/", auth.PortalPasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", auth.PortalPasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", auth.PortalPasswordResetDoneView.as_view(), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>/", auth.PortalPasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("password/reset/done/", auth.PortalPasswordResetCompleteView.as_view(), name="password_reset_complete"),
    # products and their images
    path("products/", products.ProductListView.as_view(), name="products"),
    path("products/new/", products.ProductCreateView.as_view(), name="product_create"),
    path("products/<id:pk>/", products.ProductEditView.as_view(), name="product"),
    path("products/<id:pk>/delete/", products.ProductDeleteView.as_view(), name="product_delete"),
    path("products/<id:pk>/images/", products.ProductImagesView.as_view(), name="product_images"),
    path("products/<id:pk>/images/<id:image_id>/primary/",
         products.ProductImageActionView.as_view(action="primary"), name="product_image_primary"),
    path("products/<id:pk>/images/<id:image_id>/delete/",
         products.ProductImageActionView.as_view(action="delete"), name="product_image_delete"),
    # store profile and API keys
    path("profile/", profile.ProfileView.as_view(), name="profile"),
    path("keys/", keys.KeyListView.as_view(), name="keys"),
    path("keys/<id:pk>/revoke/", keys.KeyRevokeView.as_view(), name="key_revoke"),
    # stock and prices, orders
    path("stock/", stock.StockView.as_view(), name="stock"),
    path("orders/", orders.OrderListView.as_view(), name="orders"),
    path("orders/<id:pk>/", orders.OrderDetailView.as_view(), name="order"),
    # settlement statements (issued and paid)
    path("payouts/", payouts.PayoutListView.as_view(), name="payouts"),
    path("payouts/<id:pk>/lines.csv", payouts.PayoutCsvView.as_view(), name="payout_csv"),
]
