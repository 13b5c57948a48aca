"""Figures about a set of jobs, each in one query whatever the number of jobs or tags.

The stats page and GET /api/stats/ both read their numbers from here.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from itertools import chain
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    Max,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import TruncDay, TruncHour

from cicallback.models import Job, JobCount, JobDurationCount
from dashboard.filters import stored_code

# The order states are stacked and listed in: outcomes first, then jobs still under way.
STATE_ORDER = [s.value for s in (Job.State.SUCCESS, Job.State.FAILED, Job.State.CANCEL, Job.State.PAUSE)] + [
    Job.State.RUNNING.value,
    Job.State.SUBMITTED.value,
]
DURATION = ExpressionWrapper(F("end_time") - F("start_time"), output_field=DurationField())
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
# The filters the counts can answer: their own columns, and creation times.
COUNTED_FILTERS = {"state", "tag", "code", "period", "created_after", "created_before"}
# Each table of counts, the column of its time buckets and their length (UTC).
BUCKETS = {JobCount: ("hour", HOUR), JobDurationCount: ("day", DAY)}


class Scope:
    """The jobs a page's figures are about, and where to read them.

    With only the filters the counts know, the whole hours of the range (whole days for the
    durations) are read from the counts the database keeps, and only the partial hours or days at
    its ends from the jobs. Any other filter (a bucket, a search) reads the jobs themselves.
    """

    def __init__(
        self, jobs: QuerySet, filters: dict | None = None, start: datetime | None = None, end=None, unit=HOUR
    ) -> None:
        self.all_jobs, self.filters, self.start, self.end, self.unit = jobs, filters, start, end, unit
        self.span = _whole_units(filters, start, end, unit)
        self.jobs = jobs
        if self.span is not None:
            first, last = self.span
            # Both partial ends bounded on both sides: SQLite then reads two short ranges of the
            # creation-time index; with an open end it scans a whole index in GROUP BY order.
            self.jobs = jobs.filter(
                Q(creation_time__gte=_unit_before(first, unit), creation_time__lt=first)
                | Q(creation_time__gte=last, creation_time__lte=end)
            )

    def in_days(self) -> Scope:
        """The same jobs, with whole days read from the counts: JobDurationCount's buckets."""
        return Scope(self.all_jobs, self.filters, self.start, self.end, DAY)

    def counted(self, model: type[JobCount] | type[JobDurationCount]) -> QuerySet:
        column, unit = BUCKETS[model]
        assert unit == self.unit, f"{model.__name__} counts by {column}"
        first, last = self.span
        counted = model.objects.filter(**{f"{column}__gte": first, f"{column}__lt": last}).order_by()
        if self.filters.get("state"):
            counted = counted.filter(state__in=self.filters["state"])
        if self.filters.get("tag"):
            counted = counted.filter(tag=self.filters["tag"])
        if self.filters.get("code"):
            counted = counted.filter(code=stored_code(self.filters["code"]))
        return counted


def _unit_before(moment: datetime, unit: timedelta) -> datetime:
    try:
        return moment - unit
    except OverflowError:  # a range that starts in the calendar's first hour or day
        return datetime.min.replace(tzinfo=moment.tzinfo)


def _whole_units(filters: dict | None, start: datetime | None, end: datetime | None, unit: timedelta):
    """The whole hours (or days) of the range, in UTC as the counts are kept; None when there are none."""
    if filters is None or start is None or end is None:
        return None
    if any(value for key, value in filters.items() if key not in COUNTED_FILTERS):
        return None
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    first = _truncate(start, unit)
    try:
        if first < start:
            first += unit
    except OverflowError:  # a range that starts in the calendar's last hour or day
        return None
    last = _truncate(end, unit)
    return (first, last) if first < last else None


def _scope(jobs: Scope | QuerySet) -> Scope:
    return jobs if isinstance(jobs, Scope) else Scope(jobs)


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


def top_error_codes(jobs: Scope | QuerySet, limit: int = 10) -> list[ErrorCode]:
    scope = _scope(jobs)
    rows: Iterable = scope.jobs.failed().order_by().values_list("code").annotate(n=Count("id"), last=Max("end_time"))
    if scope.span is not None:
        counted = scope.counted(JobCount).filter(state=Job.State.FAILED).values_list("code")
        rows = chain(rows, counted.annotate(n=Sum("jobs"), last=Max("last_end_time")))
    codes: dict[str, ErrorCode] = {}
    for code, n, last in rows:
        if not n:
            continue
        seen = codes.get(code)
        if seen is not None:
            n += seen.count
            last = max(filter(None, (last, seen.last_seen)), default=None)
        codes[code] = ErrorCode(code, n, last)
    return sorted(codes.values(), key=lambda e: (-e.count, e.code))[:limit]


@dataclass(frozen=True)
class DurationSpread:
    tag: str
    jobs: int
    p50: timedelta | None
    p95: timedelta | None


def duration_percentiles(jobs: Scope | QuerySet) -> list[DurationSpread]:
    """p50 and p95 of each tag's durations, exact, from how many jobs took each duration.

    CI reports times to the second, so a million jobs have a few hundred distinct durations: the
    database counts them in one hashed pass instead of sorting every duration per tag, which
    PERCENTILE_CONT must do (seconds at a million jobs).
    """
    scope = _scope(jobs).in_days()
    finished = scope.jobs.filter(start_time__isnull=False, end_time__isnull=False).order_by()
    rows: Iterable = finished.annotate(spent=DURATION).values_list("tag", "spent").annotate(n=Count("*"))
    if scope.span is not None:
        counted = scope.counted(JobDurationCount).values_list("tag", "microseconds").annotate(n=Sum("jobs"))
        rows = chain(rows, ((tag, timedelta(microseconds=us), n) for tag, us, n in counted))
    took: dict[str, dict[timedelta, int]] = defaultdict(lambda: defaultdict(int))
    for tag, spent, n in rows:
        took[tag][spent] += n
    by_tag = {tag: sorted((spent, n) for spent, n in spents.items() if n) for tag, spents in took.items()}
    spreads = []
    for tag, counted in by_tag.items():
        if not counted:
            continue
        total = sum(n for _, n in counted)
        spreads.append(DurationSpread(tag, total, counted_percentile(counted, 0.5), counted_percentile(counted, 0.95)))
    return sorted(spreads, key=lambda s: (-s.jobs, s.tag))


def counted_percentile(counted: list[tuple[timedelta, int]], fraction: float) -> timedelta:
    """percentile() of the durations that `counted` lists in order as (duration, how many)."""
    total = sum(n for _, n in counted)
    position = (total - 1) * fraction
    low = int(position)
    high = min(low + 1, total - 1)
    return _nth(counted, low) + (_nth(counted, high) - _nth(counted, low)) * (position - low)


def _nth(counted: list[tuple[timedelta, int]], rank: int) -> timedelta:
    for value, n in counted:
        if rank < n:
            return value
        rank -= n
    raise IndexError(rank)


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


@dataclass
class Counts:
    """Jobs counted by state, by tag and by time bucket: all read in one pass over the jobs."""

    by_state: list[tuple[str, int]]
    by_tag: list[tuple[str, int]]
    failed_by_tag: dict[str, int]
    buckets: list[Bucket]
    step: timedelta

    @property
    def total(self) -> int:
        return sum(n for _, n in self.by_state)


def step_for(start: datetime, end: datetime) -> timedelta:
    return timedelta(hours=1) if end - start <= timedelta(days=7) else timedelta(days=1)


def counts(jobs: Scope | QuerySet, start: datetime | None, end: datetime) -> Counts:
    """By state and tag, and per hour (per day over ranges longer than a week) from start to end.

    One GROUP BY (bucket, state, tag) gives every figure, where a query per figure would read a
    million jobs each; the (creation_time, state, tag, ...) index lets it skip the table.
    """
    scope = _scope(jobs)
    step = step_for(start, end) if start is not None else timedelta(days=1)
    bucket: Any = Value(None, output_field=DateTimeField())
    if start is not None:
        origin = _truncate(start, step)
        bucket = _bucket(step, origin)
    rows: Iterable = (
        scope.jobs.order_by().annotate(bucket=bucket).values_list("bucket", "state", "tag").annotate(n=Count("*"))
    )
    if scope.span is not None:
        counted = scope.counted(JobCount).annotate(bucket=_bucket(step, origin, "hour"))
        rows = chain(rows, counted.values_list("bucket", "state", "tag").annotate(n=Sum("jobs")))
    by_state: dict[str, int] = defaultdict(int)
    by_tag: dict[str, int] = defaultdict(int)
    failed_by_tag: dict[str, int] = defaultdict(int)
    counted: dict[datetime, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for moment, state, tag, n in rows:
        if not n:
            continue
        by_state[state] += n
        by_tag[tag] += n
        if state == Job.State.FAILED:
            failed_by_tag[tag] += n
        if moment is not None:
            counted[moment][state] += n
    buckets = _buckets(counted, start, end, step) if start is not None else []
    return Counts(_by_count(by_state), _by_count(by_tag), dict(failed_by_tag), buckets, step)


class DateBin(Func):
    function = "DATE_BIN"
    output_field = DateTimeField()


def _bucket(step: timedelta, origin: datetime, moment: str = "creation_time") -> Any:
    """The start of the hour or day of `moment` (a job's creation), counted in steps from origin."""
    if connection.vendor == "postgresql":
        # Plain arithmetic on the timestamp: date_trunc converts each of a million times to a
        # time zone first, which costs more than reading them.
        return DateBin(Value(step), F(moment), Value(origin))
    trunc = TruncHour if step == timedelta(hours=1) else TruncDay
    return trunc(moment)


def _by_count(counted: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def _buckets(counted: dict, start: datetime, end: datetime, step: timedelta) -> list[Bucket]:
    buckets = []
    moment = _truncate(start, step)
    while moment < end:
        buckets.append(Bucket(moment, dict(counted.get(moment, {}))))
        moment += step
    return buckets


def jobs_over_time(jobs: QuerySet, start: datetime, end: datetime) -> tuple[list[Bucket], timedelta]:
    """Jobs created per hour (per day over ranges longer than a week), by state, empty buckets included."""
    figures = counts(jobs.filter(creation_time__gte=start, creation_time__lt=end), start, end)
    return figures.buckets, figures.step


def _truncate(moment: datetime, step: timedelta) -> datetime:
    moment = moment.replace(minute=0, second=0, microsecond=0)
    return moment.replace(hour=0) if step >= timedelta(days=1) else moment


def job_stats(jobs: QuerySet, since: datetime, until: datetime, filters: dict | None = None) -> dict[str, Any]:
    """Every figure for the jobs created in [since, until), as plain data (the API's stats).

    `filters`, the JobFilter's values that made `jobs`, lets the figures come from the counts.
    """
    jobs = Scope(jobs.filter(creation_time__gte=since, creation_time__lt=until), filters, since, until)
    figures = counts(jobs, since, until)
    by_state = dict(figures.by_state)
    finished = by_state.get(Job.State.SUCCESS, 0) + by_state.get(Job.State.FAILED, 0)
    return {
        "since": since,
        "until": until,
        "step": "hour" if figures.step == timedelta(hours=1) else "day",
        "total": figures.total,
        "by_state": by_state,
        "failure_rate": by_state.get(Job.State.FAILED, 0) / finished if finished else None,
        "by_tag": [{"tag": tag, "total": n, "failed": figures.failed_by_tag.get(tag, 0)} for tag, n in figures.by_tag],
        "over_time": [
            {"start": bucket.start, "total": bucket.total, "by_state": bucket.counts}
            for bucket in figures.buckets
            if bucket.total
        ],
        "duration_by_tag": [
            {"tag": s.tag, "count": s.jobs, "p50": s.p50.total_seconds(), "p95": s.p95.total_seconds()}
            for s in duration_percentiles(jobs)
        ],
        "top_error_codes": [{"code": e.code, "count": e.count} for e in top_error_codes(jobs)],
    }
