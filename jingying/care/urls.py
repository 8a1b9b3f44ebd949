"""The care app's pages: each part's views module lists its own patterns."""

from django.urls import URLPattern

app_name = "care"
urlpatterns: list[URLPattern] = []

from jingying.care.views import hospitals  # noqa: E402

urlpatterns += hospitals.urlpatterns
