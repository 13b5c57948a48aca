"""JobCount and JobDurationCount, kept by database triggers, always add up to the job table, and
figures read from them equal figures read from the jobs."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db.models import Count, Max, Q

from cicallback.models import Job, JobCount, JobDurationCount
from dashboard import stats
from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 12, 34, 56, tzinfo=UTC)
STATES = ["Success", "Failed", "Running"]
TAGS = ["PicProcess", "Transcode", "Snapshot"]
CODES = {"Success": ["Success"], "Failed": ["InvalidParameter", "NoSuchKey"], "Running": [""]}


def make_jobs(count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    jobs = []
    for i in range(count):
        state = rng.choice(STATES)
        created = NOW - timedelta(seconds=rng.uniform(0, 9 * 24 * 3600))
        started = created + timedelta(seconds=rng.choice((0, 1, 2.5)))
        ended = started + timedelta(seconds=rng.choice((0.25, 1, 2, 2, 40, 41.5)))
        jobs.append(
            Job(
                job_id=f"j{i}",
                state=state,
                tag=rng.choice(TAGS),
                code=rng.choice(CODES[state]),
                creation_time=created,
                start_time=None if state == "Running" else started,
                end_time=None if state == "Running" else ended,
            )
        )
    jobs.append(Job(job_id="no-times", state="Success", tag="PicProcess", code="Success"))
    Job.objects.bulk_create(jobs)


def counts_of_jobs() -> set:
    rows = Job.objects.exclude(creation_time=None).values_list("creation_time", "state", "tag", "code")
    counted: dict = {}
    for created, state, tag, code in rows:
        key = (created.replace(minute=0, second=0, microsecond=0), state, tag, code)
        counted[key] = counted.get(key, 0) + 1
    return set(counted.items())


def counts_kept() -> set:
    return {((c.hour, c.state, c.tag, c.code), c.jobs) for c in JobCount.objects.exclude(jobs=0)}


def durations_of_jobs() -> set:
    counted: dict = {}
    for job in Job.objects.exclude(creation_time=None).exclude(start_time=None).exclude(end_time=None):
        day = job.creation_time.replace(hour=0, minute=0, second=0, microsecond=0)
        key = (day, job.state, job.tag, job.code, job.duration // timedelta(microseconds=1))
        counted[key] = counted.get(key, 0) + 1
    return set(counted.items())


def durations_kept() -> set:
    return {((c.day, c.state, c.tag, c.code, c.microseconds), c.jobs) for c in JobDurationCount.objects.exclude(jobs=0)}


def test_stored_callbacks_are_counted_by_hour_state_tag_and_code():
    store(xml_job("a", created=NOW, took=3))
    store(xml_job("b", created=NOW + timedelta(minutes=10), took=3))
    store(xml_job("c", sample_name="failed-pic.xml", created=NOW))

    hour = NOW.replace(minute=0, second=0)
    assert {(c.hour, c.state, c.tag, c.code, c.jobs) for c in JobCount.objects.all()} == {
        (hour, "Success", "PicProcess", "Success", 2),
        (hour, "Failed", "PicProcess", "InvalidParameter", 1),
    }
    assert JobDurationCount.objects.get(state="Success").microseconds == 3_000_000
    assert JobCount.objects.get(state="Success").last_end_time == NOW + timedelta(minutes=10, seconds=4)


def test_the_counts_follow_inserts_updates_and_deletes():
    make_jobs(300)
    assert counts_kept() == counts_of_jobs()
    assert durations_kept() == durations_of_jobs()

    Job.objects.filter(state="Running", tag="Snapshot").update(
        state="Failed", code="InternalError", start_time=NOW, end_time=NOW + timedelta(seconds=5)
    )
    job = Job.objects.filter(state="Success").first()
    job.creation_time -= timedelta(hours=30)
    job.tag = "Transcode"
    job.save()
    Job.objects.filter(Q(job_id__endswith="7") | Q(job_id__endswith="3")).delete()

    assert counts_kept() == counts_of_jobs()
    assert durations_kept() == durations_of_jobs()


def test_an_update_that_changes_nothing_counted_keeps_the_counts():
    make_jobs(20)
    before = counts_kept()
    Job.objects.update(message="seen again")
    assert counts_kept() == before


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"state": ["Failed"]},
        {"state": ["Success", "Running"], "tag": "Transcode"},
        {"code": "NoSuchKey"},
    ],
    ids=["all", "failed", "states and tag", "code"],
)
@pytest.mark.parametrize("days", [1, 7, 9])
def test_figures_from_the_counts_equal_figures_from_the_jobs(filters, days):
    make_jobs(400)
    start, end = NOW - timedelta(days=days, minutes=17), NOW
    jobs = Job.objects.filter(creation_time__gte=start, creation_time__lt=end)
    if filters.get("state"):
        jobs = jobs.filter(state__in=filters["state"])
    if filters.get("tag"):
        jobs = jobs.filter(tag=filters["tag"])
    if filters.get("code"):
        jobs = jobs.filter(code=filters["code"])
    counted = stats.Scope(jobs, {"created_after": start, **filters}, start, end)
    assert counted.span is not None
    assert (counted.in_days().span is not None) == (days > 1)  # durations come by whole days

    assert figures(counted, start, end) == figures(stats.Scope(jobs), start, end)


def figures(scope: stats.Scope, start: datetime, end: datetime) -> dict:
    counts = stats.counts(scope, start, end)
    return {
        "by_state": counts.by_state,
        "by_tag": counts.by_tag,
        "failed_by_tag": counts.failed_by_tag,
        "buckets": [(b.start, b.counts) for b in counts.buckets],
        "durations": stats.duration_percentiles(scope),
        "errors": [(e.code, e.count) for e in stats.top_error_codes(scope)],
    }


def test_last_seen_of_an_error_code_is_its_latest_end_time():
    make_jobs(200)
    start, end = NOW - timedelta(days=9), NOW
    failed = Job.objects.filter(state="Failed", creation_time__gte=start)
    latest = dict(failed.values_list("code").annotate(Max("end_time")))
    scope = stats.Scope(Job.objects.filter(creation_time__gte=start), {"created_after": start}, start, end)

    assert {e.code: e.last_seen for e in stats.top_error_codes(scope)} == latest


@pytest.mark.parametrize(
    "filters", [{"bucket": "examplebucket-1250000000"}, {"q": "j1"}, {"queue_id": "p1"}, {"ended_after": NOW}]
)
def test_other_filters_read_the_jobs(filters):
    start = NOW - timedelta(days=7)
    assert stats.Scope(Job.objects.all(), {"created_after": start, **filters}, start, NOW).span is None


def test_a_range_without_a_whole_hour_reads_the_jobs():
    start = NOW - timedelta(minutes=50)
    assert stats.Scope(Job.objects.all(), {}, start, NOW).span is None


def test_the_hours_counted_are_the_whole_hours_of_the_range():
    start = NOW - timedelta(days=1)
    scope = stats.Scope(Job.objects.all(), {"period": "24h"}, start, NOW)
    assert scope.span == (datetime(2026, 3, 9, 13, tzinfo=UTC), datetime(2026, 3, 10, 12, tzinfo=UTC))


def test_the_days_counted_for_durations_are_the_whole_days_of_the_range_in_utc():
    start = NOW - timedelta(days=9)
    scope = stats.Scope(Job.objects.all(), {"period": "7d"}, start, NOW)
    assert scope.in_days().span == (datetime(2026, 3, 2, tzinfo=UTC), datetime(2026, 3, 10, tzinfo=UTC))


def test_a_range_that_starts_in_the_calendars_last_day_reads_the_jobs():
    start = datetime(9999, 12, 31, 12, tzinfo=UTC)
    assert stats.Scope(Job.objects.all(), {}, start, datetime.max.replace(tzinfo=UTC)).in_days().span is None


def test_counts_by_code_sum_to_the_failed_jobs():
    make_jobs(100)
    by_code = dict(Job.objects.failed().values_list("code").annotate(Count("id")))
    kept = {}
    for count in JobCount.objects.filter(state="Failed"):
        kept[count.code] = kept.get(count.code, 0) + count.jobs
    assert kept == by_code
