from jingying.surveys import public_views, views

app_name = "surveys"
urlpatterns = views.urlpatterns + public_views.staff_urlpatterns
