"""Pages: hardcases (filled by its owner)."""

urlpatterns: list = []
