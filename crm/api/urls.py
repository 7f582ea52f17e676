"""Staff API routes for crm."""

urlpatterns: list = []
