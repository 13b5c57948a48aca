from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from cicallback.health import healthz
from cicallback.metrics import metrics
from cicallback.views import receive_callback, unknown_callback_path

urlpatterns = [
    path("api/", include("dashboard.api_urls")),
    # The trailing slash is optional: CI posts to the URL exactly as configured, and a redirect
    # would turn its POST into a GET.
    re_path(r"^callback/(?P<token>[^/]+)/?$", receive_callback, name="callback"),
    re_path(r"^callback/", unknown_callback_path, name="callback_unknown"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    # Sign in and out only: password reset would send mail, and no mail is set up.
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("dashboard.urls")),
]

# Answers Django makes itself: plain text for callback senders, Django's own pages for people.
handler400 = "cicallback.errors.bad_request"
handler500 = "cicallback.errors.server_error"
