from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from jingying.api.urls import api

urlpatterns = [
    path("", include("jingying.core.urls")),
    path("accounts/", include("jingying.accounts.urls")),
    path("org/", include("jingying.org.urls")),
    path("surveys/", include("jingying.surveys.urls")),
    path("care/", include("jingying.care.urls")),
    path("health/", include("jingying.health.urls")),
    path("p/", include("jingying.surveys.public_urls")),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("api/v1/", api.urls),
]
