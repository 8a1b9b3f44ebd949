from django.urls import path

from jingying.core import views, views_audit, views_notifications

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views_audit.audit_list_view, name="audit_list"),
    path("audit/export.xlsx", views_audit.audit_export_view, name="audit_export"),
    path("me/access-log/", views_audit.my_access_log_view, name="my_access_log"),
    path("notifications/", views_notifications.notification_list_view, name="notification_list"),
    path("notifications/bell/", views_notifications.notification_bell_view, name="notification_bell"),
    path("notifications/read-all/", views_notifications.notification_read_all_view, name="notification_read_all"),
    path("notifications/<int:pk>/", views_notifications.notification_open_view, name="notification_open"),
]
