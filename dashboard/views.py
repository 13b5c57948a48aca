from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cicallback.models import Job


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = Job.objects.with_summary().order_by("-id")[:50]
    return render(request, "dashboard/job_list.html", {"jobs": jobs})
