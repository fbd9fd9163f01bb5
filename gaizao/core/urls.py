from django.urls import path

from gaizao.core import audit_views, notification_views, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/badge/", notification_views.notification_badge, name="notification_badge"),
    path("notifications/<int:pk>/", notification_views.notification_open, name="notification_open"),
]
