"""The kernel's page URLs: sign in and out, API tokens, the keyboard shortcuts' help."""
from django.contrib.auth import views as auth_views
from django.urls import path

from changemgmt.web import configure, views

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.revoke, name="token-revoke"),
    path("configure/", configure.hub, name="configure"),
    path("configure/policy/", configure.policy_settings, name="configure-policy"),
    path("configure/policy/<str:setting>/", configure.policy_settings, name="configure-policy-edit"),
    path("help/shortcuts/", views.shortcuts, name="shortcuts"),
]
