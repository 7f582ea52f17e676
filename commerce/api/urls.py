"""Staff API routes for commerce."""

urlpatterns: list = []
