from datetime import timedelta

from django.utils import timezone

from cicallback.models import Job
from tests.api.conftest import make_job


def test_it_answers_the_stats_of_the_last_24_hours_by_default(api):
    now = timezone.now()
    make_job(state=Job.State.FAILED, code="InternalError", creation_time=now - timedelta(hours=1))
    make_job(state=Job.State.SUCCESS, creation_time=now - timedelta(hours=2))
    make_job(state=Job.State.SUCCESS, creation_time=now - timedelta(hours=25))

    stats = api.get("/api/stats/").json()

    assert stats["total"] == 2
    assert stats["by_state"] == {"Failed": 1, "Success": 1}
    assert stats["failure_rate"] == 0.5
    assert stats["top_error_codes"] == [{"code": "InternalError", "count": 1}]
    assert stats["step"] == "hour"


def test_it_takes_the_range_from_created_after_and_created_before(api):
    make_job(creation_time=timezone.now() - timedelta(days=20))

    stats = api.get("/api/stats/", {"created_after": "2024-03-01T00:00:00Z", "created_before": "2024-03-15T00:00:00Z"})

    assert stats.json()["since"] == "2024-03-01T00:00:00Z"
    assert stats.json()["until"] == "2024-03-15T00:00:00Z"
    assert stats.json()["step"] == "day"
    assert stats.json()["total"] == 0


def test_it_takes_the_range_from_period(api):
    now = timezone.now()
    make_job(creation_time=now - timedelta(days=6))
    make_job(creation_time=now - timedelta(days=8))

    stats = api.get("/api/stats/", {"period": "7d"}).json()

    assert stats["total"] == 1
    assert stats["step"] == "hour"


def test_it_applies_the_job_list_filters(api):
    now = timezone.now()
    make_job(tag="Transcode", creation_time=now)
    make_job(tag="PicProcess", creation_time=now)

    stats = api.get("/api/stats/", {"tag": "Transcode"}).json()

    assert stats["by_tag"] == [{"tag": "Transcode", "total": 1, "failed": 0}]


def test_period_and_created_before_together_count_what_the_job_list_lists(api):
    now = timezone.now()
    for hours_ago in (12, 30, 40):
        make_job(creation_time=now - timedelta(hours=hours_ago))
    # The last 24 hours, up to 10 hours ago: the job of 30 hours ago is outside the period.
    query = {"period": "24h", "created_before": (now - timedelta(hours=10)).isoformat()}

    listed = api.get("/api/jobs/", query).json()["results"]
    stats = api.get("/api/stats/", query).json()

    assert len(listed) == stats["total"] == 1
    assert stats["by_state"] == {"Success": 1}


def test_a_period_that_starts_after_created_before_counts_nothing(api):
    make_job(creation_time=timezone.now() - timedelta(days=3))

    stats = api.get("/api/stats/", {"period": "1h", "created_before": "2024-01-01T00:00:00Z"}).json()

    assert stats["total"] == 0
