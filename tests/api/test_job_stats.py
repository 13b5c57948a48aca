from datetime import UTC, datetime, timedelta

import pytest

from cicallback.models import Job
from dashboard.stats import job_stats, percentile

SINCE = datetime(2024, 3, 5, 0, 0, tzinfo=UTC)
UNTIL = SINCE + timedelta(days=1)


def job(n: int, hour: int, state: str = "Success", tag: str = "PicProcess", code: str = "", seconds: float = 1) -> Job:
    created = SINCE + timedelta(hours=hour)
    return Job(
        job_id=f"j{n}",
        state=state,
        tag=tag,
        code=code or state,
        creation_time=created,
        start_time=created + timedelta(seconds=2),
        end_time=created + timedelta(seconds=2 + seconds),
    )


@pytest.fixture
def jobs(db):
    Job.objects.bulk_create(
        [
            job(1, 0, seconds=1),
            job(2, 0, seconds=2),
            job(3, 0, state="Failed", code="InvalidParameter", seconds=3),
            job(4, 1, tag="Transcode", seconds=10),
            job(5, 1, tag="Transcode", state="Failed", code="InternalError", seconds=20),
            job(6, 1, tag="Transcode", state="Failed", code="InternalError", seconds=30),
            job(7, 2, tag="Transcode", state="Running"),
            job(8, -1),  # created before the range
            job(9, 24),  # created at its end, which is excluded
            Job(job_id="j10", state="Submitted", tag="PicProcess"),  # no CreationTime yet
        ]
    )
    Job.objects.filter(job_id="j7").update(start_time=None, end_time=None)


def test_it_counts_jobs_by_state_within_the_range(jobs):
    stats = job_stats(Job.objects.all(), SINCE, UNTIL)

    assert stats["total"] == 7
    assert stats["by_state"] == {"Success": 3, "Failed": 3, "Running": 1}
    assert (stats["since"], stats["until"]) == (SINCE, UNTIL)


def test_the_failure_rate_is_failed_over_finished(jobs):
    assert job_stats(Job.objects.all(), SINCE, UNTIL)["failure_rate"] == 0.5


def test_the_failure_rate_is_none_when_nothing_finished(db):
    assert job_stats(Job.objects.all(), SINCE, UNTIL)["failure_rate"] is None


def test_it_counts_jobs_and_failures_by_tag_largest_first(jobs):
    assert job_stats(Job.objects.all(), SINCE, UNTIL)["by_tag"] == [
        {"tag": "Transcode", "total": 4, "failed": 2},
        {"tag": "PicProcess", "total": 3, "failed": 1},
    ]


def test_a_day_is_counted_hour_by_hour_and_by_state(jobs):
    stats = job_stats(Job.objects.all(), SINCE, UNTIL)

    assert stats["step"] == "hour"
    assert stats["over_time"] == [
        {"start": SINCE, "total": 3, "by_state": {"Failed": 1, "Success": 2}},
        {"start": SINCE + timedelta(hours=1), "total": 3, "by_state": {"Failed": 2, "Success": 1}},
        {"start": SINCE + timedelta(hours=2), "total": 1, "by_state": {"Running": 1}},
    ]


def test_a_month_is_counted_day_by_day(jobs):
    stats = job_stats(Job.objects.all(), SINCE - timedelta(days=29), UNTIL)

    assert stats["step"] == "day"
    assert [(b["start"], b["total"]) for b in stats["over_time"]] == [(SINCE - timedelta(days=1), 1), (SINCE, 7)]


def test_durations_are_given_as_percentiles_by_tag(jobs):
    assert job_stats(Job.objects.all(), SINCE, UNTIL)["duration_by_tag"] == [
        {"tag": "PicProcess", "count": 3, "p50": 2.0, "p95": pytest.approx(2.9)},
        {"tag": "Transcode", "count": 3, "p50": 20.0, "p95": pytest.approx(29.0)},
    ]


def test_top_error_codes_are_those_of_failed_jobs_most_frequent_first(jobs):
    assert job_stats(Job.objects.all(), SINCE, UNTIL)["top_error_codes"] == [
        {"code": "InternalError", "count": 2},
        {"code": "InvalidParameter", "count": 1},
    ]


def test_it_counts_only_the_jobs_of_the_queryset(jobs):
    stats = job_stats(Job.objects.filter(tag="PicProcess"), SINCE, UNTIL)

    assert stats["total"] == 3
    assert [row["tag"] for row in stats["by_tag"]] == ["PicProcess"]


def test_percentile_interpolates_between_ranks():
    seconds = [timedelta(seconds=n) for n in (1, 2, 3, 4)]
    assert percentile(seconds[:1], 0.95) == timedelta(seconds=1)
    assert percentile(seconds, 0.5) == timedelta(seconds=2.5)
    assert percentile([timedelta(0), timedelta(seconds=10)], 0.95) == timedelta(seconds=9.5)
