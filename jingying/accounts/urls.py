from django.contrib.auth import views as auth_views
from django.urls import path

from jingying.accounts import views, views_admin, views_tokens

app_name = "accounts"
urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.totp_view, name="totp"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change_view, name="password_change"),
    path("users/", views_admin.user_list_view, name="user_list"),
    path("users/new/", views_admin.user_create_view, name="user_create"),
    path("users/<int:pk>/", views_admin.user_detail_view, name="user_detail"),
    path("users/<int:pk>/<str:action>/", views_admin.user_action_view, name="user_action"),
    path("grants/<int:pk>/revoke/", views_admin.grant_revoke_view, name="grant_revoke"),
    path("tokens/", views_tokens.token_list_view, name="token_list"),
    path("tokens/<int:pk>/revoke/", views_tokens.token_revoke_view, name="token_revoke"),
]
