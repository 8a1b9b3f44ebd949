"""/p/<token>/: the public evaluation form (no sign-in)."""

from jingying.surveys.public_views import public_urlpatterns

app_name = "public"
urlpatterns = public_urlpatterns
