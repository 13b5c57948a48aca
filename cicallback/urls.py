from django.contrib import admin
from django.urls import include, path, re_path

from cicallback.views import receive_callback

urlpatterns = [
    # The trailing slash is optional: CI posts to the URL exactly as configured, and a redirect
    # would turn its POST into a GET.
    re_path(r"^callback/(?P<token>[^/]+)/?$", receive_callback, name="callback"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("dashboard.urls")),
]
