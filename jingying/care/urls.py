"""The care app's pages: each part's views module lists its own patterns."""

from django.urls import URLPattern

app_name = "care"
urlpatterns: list[URLPattern] = []

from jingying.care.views import fund as _fund_views  # noqa: E402

urlpatterns += _fund_views.urlpatterns
from jingying.care.views import equipment as _equipment_views  # noqa: E402

urlpatterns += _equipment_views.urlpatterns
from jingying.care.views import scorecard as _scorecard_views  # noqa: E402

urlpatterns += _scorecard_views.urlpatterns
