"""Pages of the bulletins area."""

urlpatterns: list = []
