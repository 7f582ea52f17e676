"""The API platform shared by the Staff API and the Supplier API."""
