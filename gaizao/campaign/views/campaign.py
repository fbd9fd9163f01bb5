"""campaign pages."""

urlpatterns: list = []
