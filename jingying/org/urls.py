from jingying.org import views, views_roster

app_name = "org"
urlpatterns = views.urlpatterns + views_roster.urlpatterns
