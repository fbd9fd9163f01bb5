"""Pages of the assessment area."""

urlpatterns: list = []
