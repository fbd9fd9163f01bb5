"""Pages of the inspections area."""

urlpatterns: list = []
