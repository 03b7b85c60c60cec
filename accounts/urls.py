from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views, views_invitations, views_language, views_members, views_organization
from accounts.forms import LoginForm, PasswordResetForm

app_name = "accounts"

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(template_name="accounts/login.html", authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset.html",
            form_class=PasswordResetForm,
            success_url=reverse_lazy("accounts:password-reset-sent"),
        ),
        name="password-reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_sent.html"),
        name="password-reset-sent",
    ),
    path(
        "password-reset/complete/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("accounts:password-reset-complete"),
        ),
        name="password-reset-confirm",
    ),
    # The first admin of a new organization chooses a password here and is signed in at once.
    path(
        "password-set/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_set.html",
            post_reset_login=True,
            post_reset_login_backend="django.contrib.auth.backends.ModelBackend",  # axes' backend is first
            success_url=reverse_lazy("dashboards:overview"),
        ),
        name="password-set",
    ),
    path("invite/<str:token>/", views_invitations.invitation_accept, name="invitation-accept"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("settings/members/", views_members.member_list, name="member-list"),
    path("settings/members/invite/", views_members.invitation_create, name="invitation-create"),
    path("settings/members/<int:pk>/", views_members.member_edit, name="member-edit"),
    path("settings/members/<int:pk>/deactivate/", views_members.member_deactivate, name="member-deactivate"),
    path("settings/members/<int:pk>/reactivate/", views_members.member_reactivate, name="member-reactivate"),
    path("settings/invitations/<int:pk>/resend/", views_members.invitation_resend, name="invitation-resend"),
    path("settings/invitations/<int:pk>/revoke/", views_members.invitation_revoke, name="invitation-revoke"),
    path("settings/organization/", views_organization.organization_settings, name="organization-settings"),
    path("organizations/", views_organization.organization_switch, name="organization-switch"),
    path("language/", views_language.language_set, name="language"),
]
