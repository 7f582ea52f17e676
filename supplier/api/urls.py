"""Supplier API routes under /api/v1/supplier/ (the contract's table; no trailing slashes)."""

urlpatterns: list = []
