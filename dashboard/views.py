"""The dashboard's pages. They read jobs and never write them."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db.models import Min, Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from cicallback.management.commands.load_demo import DEMO_PREFIX
from cicallback.models import CosHeader, Job, WorkflowRun
from dashboard import export, presenters, stats
from dashboard.charts import stacked_bars
from dashboard.filters import PERIODS, JobFilter
from dashboard.keyset import SORT_KEYS, Ordering, paginate
from dashboard.rows import job_rows

PAGE_SIZE = 50
COUNT_CAP = 10_000
# Pages about a time range (failed jobs, stats) look at the last week unless told otherwise.
DEFAULT_PERIOD = "7d"
SAMPLE_BODY = "tests/samples/seed2-workflow.xml"
# A job may be delivered thousands of times; its page shows the latest few and links to the rest.
DELIVERIES_SHOWN = 20
# The filters the list shows at once; the others fold under "More filters".
MAIN_FILTERS = ("q", "period", "state")


def list_rows(jobs: QuerySet) -> QuerySet:
    """Jobs as a list row shows them: the input's size comes from its COS headers."""
    sizes = CosHeader.objects.filter(key__in=presenters.SIZE_HEADERS)
    return jobs.with_summary().prefetch_related(Prefetch("cos_headers", queryset=sizes, to_attr="size_headers"))


def with_results(jobs) -> list:
    for job in jobs:
        job.result = presenters.result_of(job, getattr(job, "size_headers", None))
        job.finished = presenters.moment(job.end_time)
        job.demo = is_demo(job)
    return jobs


def is_demo(job: Job) -> bool:
    """Whether load_demo made the job up, as its JobId says."""
    return job.job_id.startswith(DEMO_PREFIX)


@require_GET
@login_required
@vary_on_headers("HX-Request")
def job_list(request: HttpRequest) -> HttpResponse:
    """The job list; asked by the live refresh (HX-Request), only its rows."""
    job_filter = JobFilter(request.GET, queryset=list_rows(Job.objects.all()))
    ordering = Ordering.parse(request.GET.get("sort"))
    cursor = request.GET.get("cursor")
    page = paginate(job_filter.qs, ordering, cursor, PAGE_SIZE)
    rows = job_rows(with_results(page.rows))
    if request.headers.get("HX-Request"):
        return HttpResponse(rows)
    context = {"filter": job_filter, "page": page, "rows": rows, "ordering": ordering, "first_page": not cursor}
    filtered = any(value for key, value in request.GET.items() if key in job_filter.filters)
    more_filters = [job_filter.form[name] for name in job_filter.filters if name not in MAIN_FILTERS]
    context |= {
        "more_filters": more_filters,
        # A filter in effect, or one to correct, is not hidden in a closed panel.
        "more_open": any(field.value() for field in more_filters),
        "columns": _columns(ordering),
        "count": _capped_count(job_filter.qs) if page.rows or filtered else 0,
        "count_cap": COUNT_CAP,
        "filtered": filtered,
        "refresh_seconds": getattr(settings, "DASHBOARD_REFRESH_SECONDS", 5),
    }
    if not page.rows and not filtered and request.user.is_staff:
        context |= _callback_help(request)
    return render(request, "dashboard/job_list.html", context)


def _capped_count(jobs: QuerySet) -> int:
    # Counting stops at the cap: an exact count of a million rows costs a full scan per page view.
    return jobs.order_by().values("pk")[: COUNT_CAP + 1].count()


def _columns(ordering: Ordering) -> list[dict]:
    columns = []
    for key in ("job_id", "tag", "state", "duration", "wait", "ended"):
        current = ordering.key == key
        # Times first show the longest or latest; a second click on the sorted column reverses it.
        descending = not ordering.descending if current else key in ("duration", "wait", "ended")
        next_sort = f"-{key}" if descending else key
        aria = ("descending" if ordering.descending else "ascending") if current else None
        columns.append({"key": key, "label": SORT_KEYS[key].label, "sort": next_sort, "aria_sort": aria})
    return columns


def _callback_help(request: HttpRequest) -> dict:
    # The URL pattern's trailing slash is optional; the URL people are told to configure has it.
    path = reverse("callback", args=[settings.CICALLBACK_TOKENS[0]]).rstrip("/") + "/"
    url = request.build_absolute_uri(path)
    return {
        "callback_url": url,
        "curl": f"curl -i -H 'Content-Type: application/xml' --data-binary @{SAMPLE_BODY} {url}",
    }


@require_GET
@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered list as CSV, in the list's order, streamed row by row whatever its length.

    - 200: the CSV file.
    - 400: a filter value that cannot be read; the plain-text body names each one and why. Exporting
      with the bad filter left out would hand over more jobs than were asked for.
    """
    job_filter = JobFilter(request.GET, queryset=Job.objects.with_summary())
    if not job_filter.is_valid():
        return _bad_filters(job_filter)
    jobs = job_filter.qs
    ordering = Ordering.parse(request.GET.get("sort"))
    jobs = jobs.annotate(sort_value=ordering.sort_key.expression).order_by(
        *(["-sort_value", "-id"] if ordering.descending else ["sort_value", "id"])
    )
    filename = f"jobs-{timezone.now():%Y%m%d-%H%M%S}.csv"
    return StreamingHttpResponse(
        export.csv_lines(jobs),
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _bad_filters(job_filter: JobFilter) -> HttpResponseBadRequest:
    lines = [f"{name}: {' '.join(errors)}" for name, errors in job_filter.errors.items()]
    text = "Some filters could not be read, so nothing was exported.\n" + "\n".join(lines) + "\n"
    return HttpResponseBadRequest(text, content_type="text/plain; charset=utf-8")


@require_GET
@login_required
def job_detail(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_object_or_404(Job.objects.with_details(), job_id=job_id)
    headers = list(job.cos_headers.all())
    workflow = getattr(job, "workflow", None) if _has_workflow(job) else None
    # One more than shown tells whether there are more, so only a job that has more is counted.
    deliveries = list(job.deliveries_about()[: DELIVERIES_SHOWN + 1])
    context = {
        "job": job,
        "demo": is_demo(job),
        "headers": headers,
        "result": presenters.result_of(job, headers),
        "operation": presenters.operation_lines(job.operation or {}),
        "deliveries": [(d, presenters.pretty_body(bytes(d.body))) for d in deliveries[:DELIVERIES_SHOWN]],
        "delivery_count": job.deliveries_about().count() if len(deliveries) > DELIVERIES_SHOWN else None,
        "workflow": workflow,
    }
    if workflow is not None:
        context |= _workflow_context(job, workflow)
    return render(request, "dashboard/job_detail.html", context)


def _has_workflow(job: Job) -> bool:
    try:
        return job.workflow is not None
    except Job.workflow.RelatedObjectDoesNotExist:
        return False


def _workflow_context(job: Job, workflow) -> dict:
    run_jobs = []
    if workflow.run_id:
        run_jobs = list(Job.objects.of_run(workflow.run_id).exclude(pk=job.pk).order_by("creation_time", "id")[:20])
    run = None
    if workflow.run_id:
        run = WorkflowRun.objects.filter(run_id=workflow.run_id).prefetch_related("tasks").first()
    return {"run_jobs": run_jobs, "workflow_run": run}


def _with_default_period(query: QueryDict) -> QueryDict:
    if "period" in query or query.get("created_after") or query.get("created_before"):
        return query
    query = query.copy()
    query["period"] = DEFAULT_PERIOD
    return query


def _range(job_filter: JobFilter, jobs: QuerySet) -> tuple[datetime | None, datetime]:
    """The start and end of the time range the filter asks for (start None: no job at all)."""
    start, end = job_filter.creation_range()
    if start is None:
        start = jobs.aggregate(first=Min("creation_time"))["first"]
    return start, end


@require_GET
@login_required
def failed_jobs(request: HttpRequest) -> HttpResponse:
    query = _with_default_period(request.GET)
    job_filter = JobFilter(query, queryset=Job.objects.all())
    jobs = job_filter.qs
    latest = list_rows(jobs.failed()).order_by("-id")[:10]
    start, end = _range(job_filter, jobs)
    context = {
        "filter": job_filter,
        "period": query.get("period", ""),
        "periods": PERIODS,
        "error_codes": stats.top_error_codes(stats.Scope(jobs, job_filter.form.cleaned_data, start, end), limit=20),
        "latest": job_rows(with_results(list(latest))),
        "list_query": _list_query(query, state="Failed"),
    }
    return render(request, "dashboard/failed.html", context)


def _list_query(query: QueryDict, **changes: str) -> str:
    """The job list's query string for these filters, so a figure links to the jobs behind it."""
    query = query.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@require_GET
@login_required
def stats_page(request: HttpRequest) -> HttpResponse:
    query = _with_default_period(request.GET)
    job_filter = JobFilter(query, queryset=Job.objects.all())
    jobs = job_filter.qs
    start, end = _range(job_filter, jobs)
    scope = stats.Scope(jobs, job_filter.form.cleaned_data, start, end)
    figures = stats.counts(scope, start, end)
    by_state = stats.ordered_states(figures.by_state)
    total = figures.total
    finished = sum(n for state, n in by_state if state in (Job.State.SUCCESS, Job.State.FAILED))
    failed = dict(by_state).get(Job.State.FAILED, 0)
    chart = None
    if start is not None and total:
        chart = stacked_bars(figures.buckets, figures.step, [state for state, _ in by_state])
    context = {
        "filter": job_filter,
        "period": query.get("period", ""),
        "periods": PERIODS,
        "total": total,
        "by_state": by_state,
        "by_tag": figures.by_tag,
        "failure_rate": failed / finished if finished else None,
        "failed": failed,
        "chart": chart,
        "durations": stats.duration_percentiles(scope),
        "error_codes": stats.top_error_codes(scope),
        "list_query": _list_query(query),
    }
    return render(request, "dashboard/stats.html", context)
