from django.urls import path

from bench import read_baseline
from cicallback.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("baseline/jobs/", read_baseline.JobList.as_view()),
    path("baseline/jobs/<str:job_id>/", read_baseline.JobDetail.as_view()),
    path("baseline/stats/", read_baseline.stats),
    path("baseline/api/jobs/", read_baseline.ApiJobList.as_view()),
    path("baseline/admin/", read_baseline.site.urls),
    *project_urlpatterns,
]
