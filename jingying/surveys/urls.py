from jingying.surveys import public_views, views, views_analysis

app_name = "surveys"
urlpatterns = views.urlpatterns + public_views.staff_urlpatterns
urlpatterns += views_analysis.urlpatterns
