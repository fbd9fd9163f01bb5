"""Pages of the orders area."""

urlpatterns: list = []
