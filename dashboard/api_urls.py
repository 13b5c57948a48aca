from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from dashboard import api

app_name = "api"

router = SimpleRouter()
router.register("jobs", api.JobViewSet, basename="job")

urlpatterns = [
    *router.urls,
    re_path(r"^jobs/(?P<job_id>[^/\x00]+)/deliveries/$", api.JobDeliveryList.as_view(), name="job-deliveries"),
    path("stats/", api.JobStats.as_view(), name="stats"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
]
