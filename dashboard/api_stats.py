"""The numbers behind GET /api/stats/, for any filtered set of jobs, as one dict.

Counts are grouped in the database. Percentiles are not portable SQL (SQLite has none), so
durations are read for at most DURATION_SAMPLE finished jobs, the latest received, and ranked in
Python; each tag reports how many durations its percentiles rest on.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDay, TruncHour
from django.utils import timezone

from cicallback.models import Job

DURATION_SAMPLE = 20_000
TOP_ERROR_CODES = 10
# As on the stats page: up to a week hour by hour, longer ranges day by day.
HOURLY_UP_TO = timedelta(days=7)


def job_stats(queryset: QuerySet[Job], since: datetime, until: datetime) -> dict[str, Any]:
    """Stats of the jobs of `queryset` created in [since, until)."""
    jobs = queryset.filter(creation_time__gte=since, creation_time__lt=until).order_by()
    by_state = dict(jobs.values_list("state").annotate(n=Count("id")).order_by())
    total = sum(by_state.values())
    outcomes = by_state.get(Job.State.SUCCESS, 0) + by_state.get(Job.State.FAILED, 0)
    step = "hour" if until - since <= HOURLY_UP_TO else "day"
    return {
        "since": since,
        "until": until,
        "step": step,
        "total": total,
        "by_state": by_state,
        "failure_rate": by_state.get(Job.State.FAILED, 0) / outcomes if outcomes else None,
        "by_tag": _by_tag(jobs),
        "over_time": _over_time(jobs, step),
        "duration_by_tag": _duration_by_tag(jobs),
        "top_error_codes": list(
            jobs.failed().values("code").annotate(count=Count("id")).order_by("-count", "code")[:TOP_ERROR_CODES]
        ),
    }


def _by_tag(jobs: QuerySet[Job]) -> list[dict[str, Any]]:
    rows = jobs.values("tag").annotate(total=Count("id"), failed=Count("id", filter=Q(state=Job.State.FAILED)))
    return list(rows.order_by("-total", "tag"))


def _over_time(jobs: QuerySet[Job], step: str) -> list[dict[str, Any]]:
    trunc = TruncHour if step == "hour" else TruncDay
    rows = (
        jobs.annotate(start=trunc("creation_time", tzinfo=timezone.get_current_timezone()))
        .values_list("start", "state")
        .annotate(n=Count("id"))
        .order_by("start", "state")
    )
    buckets: dict[datetime, dict[str, int]] = {}
    for start, state, n in rows:
        buckets.setdefault(start, {})[state] = n
    return [{"start": start, "total": sum(states.values()), "by_state": states} for start, states in buckets.items()]


def _duration_by_tag(jobs: QuerySet[Job]) -> list[dict[str, Any]]:
    finished = jobs.filter(start_time__isnull=False, end_time__isnull=False).order_by("-id")
    seconds: dict[str, list[float]] = {}
    for tag, start, end in finished.values_list("tag", "start_time", "end_time")[:DURATION_SAMPLE]:
        seconds.setdefault(tag, []).append((end - start).total_seconds())
    result = []
    for tag, values in sorted(seconds.items()):
        values.sort()
        result.append({"tag": tag, "count": len(values), "p50": percentile(values, 50), "p95": percentile(values, 95)})
    return result


def percentile(ordered: list[float], p: float) -> float:
    """The p-th percentile of sorted values, interpolated between ranks (PostgreSQL's percentile_cont)."""
    rank = (len(ordered) - 1) * p / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)
