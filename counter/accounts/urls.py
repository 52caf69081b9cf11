"""Account pages: login, password, second factor, a supervisor's staff access."""

from django.contrib.auth import views as auth_views
from django.urls import path

from counter.accounts import views

app_name = "accounts"

urlpatterns = [
    path("password/", views.PasswordChange.as_view(), name="password_change"),
    path("second-factor/", views.second_factor, name="second_factor"),
    path("second-factor/enrol/", views.second_factor_enrol, name="second_factor_enrol"),
    path("staff/", views.staff_access, name="staff_access"),
    path(
        "staff/<int:pk>/logout-everywhere/",
        views.staff_logout_everywhere,
        name="staff_logout_everywhere",
    ),
    path(
        "staff/<int:pk>/password-reset/",
        views.staff_password_reset,
        name="staff_password_reset",
    ),
]

# Named at the root ("login", "logout") as Django's settings expect.
root_urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=False),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
