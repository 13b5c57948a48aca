from datetime import timedelta

import pytest
from django.utils import timezone

from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def failures():
    now = timezone.now()
    for i in range(3):
        store(xml_job(f"bad{i}", sample_name="failed-pic.xml", created=now - timedelta(hours=i)))
    store(xml_job("other", sample_name="failed-pic.xml", created=now - timedelta(hours=30), Code="NoSuchKey"))
    store(xml_job("fine", created=now))


def test_every_page_links_to_the_failed_jobs(admin_client, failures):
    for url in ("/", "/stats/", "/jobs/fine/", "/failed/"):
        assert 'href="/failed/"' in admin_client.get(url).content.decode()


def test_it_counts_error_codes_in_the_last_week_by_default(admin_client, failures):
    response = admin_client.get("/failed/")
    assert [(e.code, e.count) for e in response.context["error_codes"]] == [("InvalidParameter", 3), ("NoSuchKey", 1)]


def test_each_code_links_to_its_jobs_in_the_list(admin_client, failures):
    html = admin_client.get("/failed/?period=24h").content.decode()
    assert 'href="/?period=24h&amp;state=Failed&amp;code=InvalidParameter"' in html
    assert "NoSuchKey" not in html


def test_it_shows_the_latest_failures(admin_client, failures):
    html = admin_client.get("/failed/").content.decode()
    assert 'href="/jobs/bad0/"' in html
    assert 'href="/jobs/fine/"' not in html


def test_its_query_count_is_fixed(admin_client, failures, django_assert_num_queries):
    # session, user, error codes (from the jobs of the range's partial hours, and from the
    # counts of its whole hours), latest failures, their input sizes
    with django_assert_num_queries(6):
        admin_client.get("/failed/")


def test_without_failures_it_says_so(admin_client):
    assert "No job failed in this time range." in admin_client.get("/failed/").content.decode()


def test_failures_without_a_code_link_to_themselves_only(admin_client, failures):
    store(xml_job("no-code", sample_name="failed-pic.xml", created=timezone.now(), Code=""))
    html = admin_client.get("/failed/?period=24h").content.decode()
    assert 'href="/?period=24h&amp;state=Failed&amp;code=-">(no code)</a>' in html

    listed = admin_client.get("/?period=24h&state=Failed&code=-").context["page"]
    assert [job.job_id for job in listed.rows] == ["no-code"]
