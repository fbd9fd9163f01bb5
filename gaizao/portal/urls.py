from django.urls import path

from gaizao.portal import audit_views, calendar_views, notification_views, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/remove/", calendar_views.calendar_remove, name="calendar_remove"),
    path("notifications/", notification_views.notification_list, name="notifications"),
    path("notifications/badge/", notification_views.notification_badge, name="notification_badge"),
    path("notifications/<int:pk>/", notification_views.notification_open, name="notification_open"),
]
