from django.urls import path

from gaizao.portal import audit_views, notification_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/badge/", notification_views.notification_badge, name="notification_badge"),
    path("notifications/<int:pk>/", notification_views.notification_open, name="notification_open"),
]
