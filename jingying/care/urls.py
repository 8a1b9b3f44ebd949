"""The care app's pages: each part's views module lists its own patterns."""

from django.urls import URLPattern

app_name = "care"
urlpatterns: list[URLPattern] = []
from jingying.care.views import concerns as _concerns  # noqa: E402

urlpatterns += _concerns.urlpatterns
from jingying.care.views import visits as _visits  # noqa: E402

urlpatterns += _visits.urlpatterns

# --- care-support ---
from jingying.care.views import rights as _rights  # noqa: E402

urlpatterns += _rights.urlpatterns
from jingying.care.views import campaigns as _campaigns  # noqa: E402

urlpatterns += _campaigns.urlpatterns
from jingying.care.views import childcare as _childcare  # noqa: E402

urlpatterns += _childcare.urlpatterns
from jingying.care.views import insurance as _insurance  # noqa: E402

urlpatterns += _insurance.urlpatterns

from jingying.care.views import hospitals  # noqa: E402

urlpatterns += hospitals.urlpatterns

from jingying.care.views import fund as _fund_views  # noqa: E402

urlpatterns += _fund_views.urlpatterns
from jingying.care.views import equipment as _equipment_views  # noqa: E402

urlpatterns += _equipment_views.urlpatterns
from jingying.care.views import scorecard as _scorecard_views  # noqa: E402

urlpatterns += _scorecard_views.urlpatterns
