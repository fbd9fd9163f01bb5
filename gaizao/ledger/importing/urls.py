from django.urls import path  # noqa: F401

# Included from gaizao/ledger/urls.py under /ledger/import/ (namespace "ledger").
urlpatterns: list = []
