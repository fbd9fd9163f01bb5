"""Pages of the records area."""

urlpatterns: list = []
