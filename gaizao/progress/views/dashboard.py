"""Pages: dashboard (filled by its owner)."""

urlpatterns: list = []
