from django.urls import path

from gaizao.api import views

# Mounted at /api/ before the API's own patterns (ApiConfig.url_prefix; gaizao/urls.py mounts app URLs
# first). Not "api": that namespace is the NinjaAPI's (api:openapi-json …).
app_name = "api_docs"

urlpatterns = [
    path("docs", views.docs, name="docs"),
]
