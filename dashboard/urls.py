from django.urls import path

from dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("jobs.csv", views.export_csv, name="export_csv"),
    path("jobs/<str:job_id>/", views.job_detail, name="job_detail"),
    path("failed/", views.failed_jobs, name="failed"),
    path("stats/", views.stats_page, name="stats"),
]
