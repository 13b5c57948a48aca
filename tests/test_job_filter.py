from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.utils import timezone

from cicallback.models import Job
from dashboard.filters import JobFilter
from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db


def job_ids(query: dict) -> set[str]:
    data = QueryDict(urlencode(query, doseq=True))
    return set(JobFilter(data, queryset=Job.objects.all()).qs.values_list("job_id", flat=True))


@pytest.fixture
def jobs():
    now = timezone.now()
    store(xml_job("ok-recent", created=now - timedelta(minutes=10)))
    store(xml_job("ok-old", created=now - timedelta(days=3), sample_name="seed1-job-api.xml"))
    store(xml_job("failed-recent", sample_name="failed-pic.xml", created=now - timedelta(hours=5)))
    store(xml_job("media", sample_name="transcode-workflow.xml", created=now - timedelta(days=10)))


def test_it_keeps_every_job_without_filters(jobs):
    assert job_ids({}) == {"ok-recent", "ok-old", "failed-recent", "media"}


def test_it_filters_by_one_state(jobs):
    assert job_ids({"state": "Failed"}) == {"failed-recent"}


def test_it_filters_by_several_states(jobs):
    query = {"state": ["Failed", "Success"]}
    assert job_ids(query) == {"ok-recent", "ok-old", "failed-recent", "media"}


def test_it_filters_by_tag_bucket_and_region(jobs):
    assert job_ids({"tag": "Transcode"}) == {"media"}
    assert job_ids({"bucket": "test-1234567890"}) == {"ok-recent", "ok-old"}
    assert job_ids({"region": "ap-guangzhou"}) == {"failed-recent", "media"}


def test_it_filters_by_workflow_run_template_queue_and_code(jobs):
    assert job_ids({"workflow_id": "web6ac56c1ef54dbfa44d7f4103203be9"}) == {"ok-recent", "media"}
    assert job_ids({"run_id": "ic90edd59f84f11ec9d4f525400a3c59f"}) == {"ok-recent", "media"}
    assert job_ids({"template_id": "t01e57db1c2d154d2fb57aa5de9313a897"}) == {"media"}
    assert job_ids({"queue_id": "p2911917386e148639319e13c285cc774"}) == {"ok-recent", "ok-old", "failed-recent"}
    assert job_ids({"code": "InvalidParameter"}) == {"failed-recent"}


def test_q_finds_an_exact_job_id_an_object_key_prefix_or_user_data(jobs):
    assert job_ids({"q": "media"}) == {"media"}
    assert job_ids({"q": "medi"}) == set()
    assert job_ids({"q": "input/de"}) == {"ok-recent", "ok-old"}
    assert job_ids({"q": "上传/"}) == {"failed-recent"}
    assert job_ids({"q": "order-8812"}) == {"failed-recent"}


def test_presets_keep_jobs_created_in_the_last_hour_day_or_week(jobs):
    assert job_ids({"period": "1h"}) == {"ok-recent"}
    assert job_ids({"period": "24h"}) == {"ok-recent", "failed-recent"}
    assert job_ids({"period": "7d"}) == {"ok-recent", "failed-recent", "ok-old"}


def test_it_reads_iso_8601_bounds_with_an_offset(jobs):
    cutoff = (timezone.now() - timedelta(hours=1)).astimezone(timezone.get_fixed_timezone(480))
    assert job_ids({"created_after": cutoff.isoformat()}) == {"ok-recent"}
    assert job_ids({"ended_before": cutoff.isoformat()}) == {"ok-old", "failed-recent", "media"}


def test_an_unreadable_bound_is_an_error_and_filters_nothing(jobs):
    job_filter = JobFilter({"created_after": "yesterday"}, queryset=Job.objects.all())
    assert "created_after" in job_filter.errors
