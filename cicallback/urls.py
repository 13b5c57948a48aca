from django.contrib import admin
from django.urls import include, path, re_path

from cicallback.health import healthz
from cicallback.metrics import metrics
from cicallback.views import receive_callback

urlpatterns = [
    path("api/", include("dashboard.api_urls")),
    # The trailing slash is optional: CI posts to the URL exactly as configured, and a redirect
    # would turn its POST into a GET.
    re_path(r"^callback/(?P<token>[^/]+)/?$", receive_callback, name="callback"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("dashboard.urls")),
]
