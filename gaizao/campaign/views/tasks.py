"""tasks pages."""

urlpatterns: list = []
