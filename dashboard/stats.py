"""Figures about a set of jobs, each in one query whatever the number of jobs or tags.

The stats page and GET /api/stats/ both read their numbers from here.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet
from django.db.models.functions import TruncDay, TruncHour

from cicallback.models import Job

# The order states are stacked and listed in: outcomes first, then jobs still under way.
STATE_ORDER = [s.value for s in (Job.State.SUCCESS, Job.State.FAILED, Job.State.CANCEL, Job.State.PAUSE)] + [
    Job.State.RUNNING.value,
    Job.State.SUBMITTED.value,
]
DURATION = ExpressionWrapper(F("end_time") - F("start_time"), output_field=DurationField())


def counts_by(jobs: QuerySet, column: str) -> list[tuple[str, int]]:
    rows = jobs.order_by().values_list(column).annotate(n=Count("id")).order_by("-n", column)
    return [(value, n) for value, n in rows]


def ordered_states(counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    known = dict(counts)
    states = [s for s in STATE_ORDER if s in known] + sorted(s for s in known if s not in STATE_ORDER)
    return [(s, known[s]) for s in states]


@dataclass(frozen=True)
class ErrorCode:
    code: str
    count: int
    last_seen: datetime | None


def top_error_codes(jobs: QuerySet, limit: int = 10) -> list[ErrorCode]:
    rows = (
        jobs.failed()
        .order_by()
        .values_list("code")
        .annotate(n=Count("id"), last=Max("end_time"))
        .order_by("-n", "code")[:limit]
    )
    return [ErrorCode(code, n, last) for code, n, last in rows]


class PercentileCont(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra) -> None:
        super().__init__(expression, fraction=float(fraction), output_field=DurationField(), **extra)


@dataclass(frozen=True)
class DurationSpread:
    tag: str
    jobs: int
    p50: timedelta | None
    p95: timedelta | None


def duration_percentiles(jobs: QuerySet) -> list[DurationSpread]:
    finished = jobs.filter(start_time__isnull=False, end_time__isnull=False).order_by()
    if connection.vendor == "postgresql":
        rows = (
            finished.values_list("tag")
            .annotate(n=Count("id"), p50=PercentileCont(DURATION, 0.5), p95=PercentileCont(DURATION, 0.95))
            .order_by("-n", "tag")
        )
        return [DurationSpread(tag, n, p50, p95) for tag, n, p50, p95 in rows]
    # Other databases have no percentile aggregate: read the durations once, in order, and pick.
    by_tag: dict[str, list[timedelta]] = defaultdict(list)
    for tag, spent in finished.annotate(spent=DURATION).values_list("tag", "spent").order_by("tag", "spent"):
        by_tag[tag].append(spent)
    spreads = [DurationSpread(tag, len(d), percentile(d, 0.5), percentile(d, 0.95)) for tag, d in by_tag.items()]
    return sorted(spreads, key=lambda s: (-s.jobs, s.tag))


def percentile(ordered: list[timedelta], fraction: float) -> timedelta:
    """Linear interpolation between closest ranks, as PostgreSQL's percentile_cont computes it."""
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass
class Bucket:
    start: datetime
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def jobs_over_time(jobs: QuerySet, start: datetime, end: datetime) -> tuple[list[Bucket], timedelta]:
    """Jobs created per hour (per day over ranges longer than a week), by state, empty buckets included."""
    step = timedelta(hours=1) if end - start <= timedelta(days=7) else timedelta(days=1)
    trunc = TruncHour if step == timedelta(hours=1) else TruncDay
    rows = (
        jobs.filter(creation_time__gte=start, creation_time__lt=end)
        .order_by()
        .annotate(bucket=trunc("creation_time"))
        .values_list("bucket", "state")
        .annotate(n=Count("id"))
    )
    counted: dict[datetime, dict[str, int]] = defaultdict(dict)
    for bucket, state, n in rows:
        counted[bucket][state] = n
    first = _truncate(start, step)
    buckets = []
    moment = first
    while moment < end:
        buckets.append(Bucket(moment, counted.get(moment, {})))
        moment += step
    return buckets, step


def _truncate(moment: datetime, step: timedelta) -> datetime:
    moment = moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0) if step >= timedelta(days=1) else moment


def tag_counts(jobs: QuerySet) -> list[dict[str, Any]]:
    rows = (
        jobs.order_by().values("tag").annotate(total=Count("id"), failed=Count("id", filter=Q(state=Job.State.FAILED)))
    )
    return list(rows.order_by("-total", "tag"))


def job_stats(jobs: QuerySet, since: datetime, until: datetime) -> dict[str, Any]:
    """Every figure for the jobs created in [since, until), as plain data (the API's stats)."""
    jobs = jobs.filter(creation_time__gte=since, creation_time__lt=until)
    by_state = dict(counts_by(jobs, "state"))
    finished = by_state.get(Job.State.SUCCESS, 0) + by_state.get(Job.State.FAILED, 0)
    buckets, step = jobs_over_time(jobs, since, until)
    return {
        "since": since,
        "until": until,
        "step": "hour" if step == timedelta(hours=1) else "day",
        "total": sum(by_state.values()),
        "by_state": by_state,
        "failure_rate": by_state.get(Job.State.FAILED, 0) / finished if finished else None,
        "by_tag": tag_counts(jobs),
        "over_time": [
            {"start": bucket.start, "total": bucket.total, "by_state": bucket.counts}
            for bucket in buckets
            if bucket.total
        ],
        "duration_by_tag": [
            {"tag": s.tag, "count": s.jobs, "p50": s.p50.total_seconds(), "p95": s.p95.total_seconds()}
            for s in duration_percentiles(jobs)
        ],
        "top_error_codes": [{"code": e.code, "count": e.count} for e in top_error_codes(jobs)],
    }
