from datetime import timedelta

import pytest
from django.utils import timezone

from cicallback.models import Job
from dashboard import stats
from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs():
    now = timezone.now()
    for i in range(10):
        store(xml_job(f"pic{i}", created=now - timedelta(hours=i), took=i + 1))
    for i in range(3):
        store(xml_job(f"bad{i}", sample_name="failed-pic.xml", created=now - timedelta(hours=i)))
    store(xml_job("bad-media", sample_name="transcode-workflow.xml", created=now, State="Failed", Code="InternalError"))
    store(xml_job("old", created=now - timedelta(days=20)))


def test_it_counts_jobs_by_state_and_tag_in_the_last_week(admin_client, jobs):
    context = admin_client.get("/stats/").context
    assert context["total"] == 14
    assert context["by_state"] == [("Success", 10), ("Failed", 4)]
    assert context["by_tag"] == [("PicProcess", 13), ("Transcode", 1)]
    assert context["failure_rate"] == pytest.approx(4 / 14)


def test_a_preset_narrows_the_range(admin_client, jobs):
    context = admin_client.get("/stats/?period=1h").context
    assert context["total"] == 3
    assert admin_client.get("/stats/?period=").context["total"] == 15


def test_it_lists_the_top_error_codes_linked_to_the_failed_jobs(admin_client, jobs):
    response = admin_client.get("/stats/")
    assert [(e.code, e.count) for e in response.context["error_codes"]] == [
        ("InvalidParameter", 3),
        ("InternalError", 1),
    ]
    assert 'href="/?period=7d&amp;state=Failed&amp;code=InvalidParameter"' in response.content.decode()


def test_it_draws_jobs_over_time_stacked_by_state_as_inline_svg(admin_client, jobs):
    response = admin_client.get("/stats/?period=24h")
    html = response.content.decode()
    assert "<svg" in html
    assert html.count('<rect class="fill-ok fill-success"') == 10
    assert html.count('<rect class="fill-bad fill-failed"') == 3
    chart = response.context["chart"]
    assert sum(bar.total for bar in chart.bars) == 14
    assert len(chart.bars) in (24, 25)  # whole hours from the start's hour to now


def test_duration_percentiles_interpolate_like_percentile_cont(jobs):
    spreads = {s.tag: s for s in stats.duration_percentiles(Job.objects.all())}
    # PicProcess durations: 1..10 s, and 2 s for the three failures and the old job.
    pic = spreads["PicProcess"]
    assert pic.jobs == 14
    assert pic.p50 == timedelta(seconds=3.5)
    assert pic.p95 == timedelta(seconds=9.35)
    assert spreads["Transcode"].p95 == timedelta(seconds=2)


def test_its_query_count_is_fixed(admin_client, jobs, django_assert_num_queries):
    # session, user; counts by state, tag and hour (one query), durations and error codes, each
    # read from the jobs of the range's partial hours and from the counts of its whole hours
    with django_assert_num_queries(8):
        admin_client.get("/stats/")


def test_an_empty_range_says_so(admin_client):
    html = admin_client.get("/stats/").content.decode()
    assert "No job was created in this time range." in html
