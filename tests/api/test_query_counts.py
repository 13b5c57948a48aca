"""Every page costs a fixed number of queries, however many rows and related rows it shows.

The first query of each is the token lookup, the second counts the request against the user's rate.
"""

from datetime import timedelta

import pytest

from cicallback.models import CosHeader, Delivery, Job, PicProcessResult
from tests.api.conftest import at, make_job
from tests.conftest import sample


@pytest.fixture
def busy_jobs(db) -> list[Job]:
    jobs = []
    for i in range(30):
        start = at(i % 24, day=5 + i % 2)
        job = make_job(
            workflow={"run_id": f"r{i}", "workflow_id": "w"},
            tag=["PicProcess", "Transcode"][i % 2],
            state=Job.State.SUCCESS,
            creation_time=start,
            start_time=start,
            end_time=start + timedelta(seconds=i),
        )
        PicProcessResult.objects.create(job=job, object_name=f"out/{i}.jpg", processed_size=i)
        CosHeader.objects.bulk_create(CosHeader(job=job, position=p, key="k", value=str(p)) for p in range(3))
        jobs.append(job)
    return jobs


def test_the_job_list_takes_three_queries(api, busy_jobs, django_assert_num_queries):
    with django_assert_num_queries(3):
        response = api.get("/api/jobs/", {"state": "Success", "workflow_id": "w"})

    assert len(response.json()["results"]) == 30


def test_a_later_page_takes_as_many_queries_as_the_first(api, busy_jobs, django_assert_num_queries):
    next_page = api.get("/api/jobs/", {"page_size": 10}).json()["next"]
    last_page = api.get(next_page).json()["next"]

    with django_assert_num_queries(3):
        response = api.get(last_page)

    assert len(response.json()["results"]) == 10


def test_a_time_ordered_page_takes_one_query_more_when_it_reaches_the_jobs_without_that_time(
    api, busy_jobs, django_assert_num_queries
):
    with django_assert_num_queries(3):
        api.get("/api/jobs/", {"ordering": "end_time", "page_size": 10})
    # Descending, the jobs without an end time come first: there are none, so the values are read too.
    with django_assert_num_queries(4):
        response = api.get("/api/jobs/", {"ordering": "-end_time", "page_size": 10})

    assert len(response.json()["results"]) == 10


def test_a_job_takes_four_queries(api, busy_jobs, django_assert_num_queries):
    with django_assert_num_queries(4):
        response = api.get(f"/api/jobs/{busy_jobs[0].job_id}/")

    assert len(response.json()["cos_headers"]) == 3
    assert response.json()["workflow"]["run_id"] == "r0"


def test_the_deliveries_of_a_job_take_four_queries(api, busy_jobs, django_assert_num_queries):
    job = busy_jobs[0]
    Delivery.objects.bulk_create(
        Delivery(job=job, received_at=job.first_received_at, body=sample("seed1-job-api.xml"), outcome="stored")
        for _ in range(5)
    )

    with django_assert_num_queries(4):
        response = api.get(f"/api/jobs/{job.job_id}/deliveries/")

    assert len(response.json()["results"]) == 5


def test_stats_take_eight_queries(api, busy_jobs, django_assert_num_queries):
    # token; rate; counts by state, tag and time bucket (one query), durations and error codes, each
    # from the jobs of partial hours and from the counts of whole hours
    with django_assert_num_queries(8):
        response = api.get(
            "/api/stats/", {"created_after": "2024-03-01T00:00:00Z", "created_before": "2024-03-31T00:00:00Z"}
        )

    assert response.json()["total"] == 30
    assert len(response.json()["over_time"]) == 2
    assert len(response.json()["duration_by_tag"]) == 2
