"""Staff API routes for scheduling."""

urlpatterns: list = []
