"""The health app's pages: each part's views module lists its own patterns."""

from django.urls import URLPattern

app_name = "health"
urlpatterns: list[URLPattern] = []

from jingying.health.views import checkups  # noqa: E402

urlpatterns += checkups.urlpatterns
from jingying.health.views import psych  # noqa: E402  (health-psych)

urlpatterns += psych.urlpatterns
