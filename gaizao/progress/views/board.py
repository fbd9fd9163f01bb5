"""Pages: board (filled by its owner)."""

urlpatterns: list = []
