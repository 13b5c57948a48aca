import csv
import io
from datetime import timedelta

import pytest
from django.http import StreamingHttpResponse
from django.utils import timezone

from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db


def rows(response) -> list[dict[str, str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def jobs():
    now = timezone.now()
    store(xml_job("ok1", created=now - timedelta(minutes=2), took=3))
    store(xml_job("bad1", sample_name="failed-pic.xml", created=now - timedelta(minutes=1)))
    store(xml_job("bad2", sample_name="failed-pic.xml", created=now, Message="=HYPERLINK(&quot;x&quot;)"))


def test_it_asks_for_a_login(client):
    assert client.get("/jobs.csv").status_code == 302


def test_it_exports_the_filtered_list_in_its_order(admin_client, jobs):
    response = admin_client.get("/jobs.csv?state=Failed")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="jobs-')
    assert [row["job_id"] for row in rows(response)] == ["bad2", "bad1"]


def test_a_row_has_the_columns_of_the_list(admin_client, jobs):
    (row,) = rows(admin_client.get("/jobs.csv?q=ok1"))
    assert row["state"] == "Success"
    assert row["duration_seconds"] == "3.0"
    assert row["queue_wait_seconds"] == "1.0"
    assert row["workflow_id"] == "web6ac56c1ef54dbfa44d7f4103203be9"
    assert (row["original_width"], row["processed_width"], row["processed_size"]) == ("500", "417", "24911")
    assert row["output_object"] == "output/out.jpg"


def test_a_cell_a_spreadsheet_would_run_as_a_formula_is_quoted(admin_client, jobs):
    (row,) = rows(admin_client.get("/jobs.csv?q=bad2"))
    assert row["message"] == '\'=HYPERLINK("x")'


def test_it_reads_the_jobs_in_one_query_whatever_their_number(admin_client, jobs, django_assert_num_queries):
    for i in range(20):
        store(xml_job(f"more{i}"))
    response = admin_client.get("/jobs.csv")
    with django_assert_num_queries(1):
        assert len(rows(response)) == 23


def test_a_filter_value_it_cannot_read_is_refused_naming_each_one(admin_client, jobs):
    response = admin_client.get("/jobs.csv?created_after=yesterday&state=Bogus")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    lines = response.content.decode().splitlines()
    assert "created_after: Enter a valid date/time." in lines
    assert "state: Select a valid choice. Bogus is not one of the available choices." in lines


def test_a_bad_value_among_good_ones_is_still_refused(admin_client, jobs):
    response = admin_client.get("/jobs.csv?state=Failed&ended_before=soon")
    assert response.status_code == 400
    assert "ended_before: " in response.content.decode()
