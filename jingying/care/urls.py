"""The care app's pages: each part's views module lists its own patterns."""

from django.urls import URLPattern

app_name = "care"
urlpatterns: list[URLPattern] = []
from jingying.care.views import concerns as _concerns  # noqa: E402

urlpatterns += _concerns.urlpatterns
from jingying.care.views import visits as _visits  # noqa: E402

urlpatterns += _visits.urlpatterns
