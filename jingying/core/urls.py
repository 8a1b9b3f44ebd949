from django.urls import path

from jingying.core import views, views_audit

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("audit/", views_audit.audit_list_view, name="audit_list"),
    path("audit/export.xlsx", views_audit.audit_export_view, name="audit_export"),
    path("me/access-log/", views_audit.my_access_log_view, name="my_access_log"),
]
