"""Straightforward versions of the read pages, as a first Django version would write them.

The benchmark times each dashboard page beside its counterpart here: a ListView with
`paginate_by` (OFFSET pages and an exact COUNT), a DetailView that follows relations lazily, the
stats as one ORM aggregate per figure, a DRF list with page numbers, and a ModelAdmin with
Django's defaults. They filter with the same JobFilter, so both sides answer the same question.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import connection
from django.db.models import Aggregate, Count, DurationField, Max
from django.db.models.functions import TruncDay, TruncHour
from django.http import HttpRequest, JsonResponse
from django.template import engines
from django.utils import timezone
from django.views.generic import DetailView, ListView
from rest_framework import generics
from rest_framework.pagination import PageNumberPagination

from cicallback.models import Job
from dashboard.filters import JobFilter
from dashboard.serializers import JobSummarySerializer
from dashboard.stats import DURATION

ORDERINGS = {
    "received": "id",
    "created": "creation_time",
    "ended": "end_time",
    "job_id": "job_id",
    "tag": "tag",
    "state": "state",
}

_LIST = engines["django"].from_string(
    """<table>{% for job in page_obj %}<tr><td><a href="{{ job.job_id }}/">{{ job.job_id }}</a></td>
<td>{{ job.tag }}</td><td>{{ job.state }}</td><td>{{ job.input_bucket }}</td><td>{{ job.input_object }}</td>
<td>{{ job.creation_time }}</td><td>{{ job.end_time }}</td><td>{{ job.workflow.workflow_name }}</td></tr>
{% endfor %}</table><p>{{ paginator.count }} jobs, page {{ page_obj.number }} of {{ paginator.num_pages }}</p>"""
)
_DETAIL = engines["django"].from_string(
    """<h1>{{ job.job_id }}</h1><p>{{ job.state }} {{ job.code }} {{ job.message }}</p>
<ul>{% for header in job.cos_headers.all %}<li>{{ header.key }}: {{ header.value }}</li>{% endfor %}</ul>
<p>{{ job.workflow.workflow_name }} {{ job.pic_process_result.object_name }}</p>
{% for delivery in job.deliveries.all %}<pre>{{ delivery.body_text }}</pre>{% endfor %}"""
)


class PercentileCont(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra) -> None:
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


class JobList(LoginRequiredMixin, ListView):
    paginate_by = 50

    def get_queryset(self):
        sort = self.request.GET.get("sort", "-received")
        field = ORDERINGS.get(sort.lstrip("-"), "id")
        ordering = ("-" if sort.startswith("-") else "") + field
        jobs = Job.objects.select_related("workflow").order_by(ordering, "-id" if sort.startswith("-") else "id")
        return JobFilter(self.request.GET, queryset=jobs).qs

    def render_to_response(self, context, **kwargs):
        return self.response_class(self.request, _LIST, context)


class JobDetail(LoginRequiredMixin, DetailView):
    model = Job
    slug_field = "job_id"
    slug_url_kwarg = "job_id"

    def render_to_response(self, context, **kwargs):
        return self.response_class(self.request, _DETAIL, context)


def stats(request: HttpRequest) -> JsonResponse:
    """The stats page's figures, one aggregate query each over the filtered jobs."""
    jobs = JobFilter(request.GET, queryset=Job.objects.all()).qs
    by_state = list(jobs.order_by().values("state").annotate(n=Count("id")))
    by_tag = list(jobs.order_by().values("tag").annotate(n=Count("id")))
    long_range = "period" not in request.GET
    trunc = TruncDay if long_range else TruncHour
    over_time = list(jobs.order_by().annotate(t=trunc("creation_time")).values("t", "state").annotate(n=Count("id")))
    finished = jobs.filter(start_time__isnull=False, end_time__isnull=False).order_by()
    if connection.vendor == "postgresql":
        durations = list(finished.values("tag").annotate(p50=PercentileCont(DURATION, 0.5)))
    else:
        durations = len(list(finished.annotate(d=DURATION).values_list("tag", "d").order_by("tag", "d")))
    errors = list(jobs.failed().order_by().values("code").annotate(n=Count("id"), last=Max("end_time"))[:10])
    figures = [by_state, by_tag, over_time, durations, errors, timezone.now()]
    return JsonResponse({"figures": len(figures)}, json_dumps_params={"default": str})


class NumberedPages(PageNumberPagination):
    page_size = 50


class ApiJobList(generics.ListAPIView):
    queryset = Job.objects.with_summary().order_by("-id")
    serializer_class = JobSummarySerializer
    filterset_class = JobFilter
    pagination_class = NumberedPages


site = admin.AdminSite(name="baseline_admin")


@admin.register(Job, site=site)
class JobAdmin(admin.ModelAdmin):
    # Only what is needed to accept the same filters; everything else is Django's default.
    list_filter = ["state", "tag", "input_region", "input_bucket"]
