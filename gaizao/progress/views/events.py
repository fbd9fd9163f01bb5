"""Pages: events (filled by its owner)."""

urlpatterns: list = []
