from jingying.surveys import views

app_name = "surveys"
urlpatterns = views.urlpatterns
