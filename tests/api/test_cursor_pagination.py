"""Walking the job list page by page meets every job once, in order, whatever the ties and NULLs."""

from datetime import datetime, timedelta

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicallback.models import Job
from tests.api.conftest import at, job_ids, make_job

ORDERINGS = ["-id", "id", "-creation_time", "creation_time", "-end_time", "end_time"]


def expected_order(jobs: list[Job], ordering: str) -> list[str]:
    """NULL sorts as the largest value; ties by id, in the direction of the ordering."""
    field = ordering.lstrip("-")

    def key(job: Job):
        value = getattr(job, field)
        return (value is None, value.timestamp() if isinstance(value, datetime) else 0, job.id)

    ascending = [job.job_id for job in sorted(jobs, key=key)]
    return ascending[::-1] if ordering.startswith("-") else ascending


def at_hour(hour: int | None):
    return None if hour is None else at(hour)


def walk(api, query: dict, link: str = "next") -> list[list[str]]:
    pages = []
    response = api.get("/api/jobs/", query)
    while True:
        pages.append(job_ids(response))
        url = response.json()[link]
        if url is None:
            return pages
        response = api.get(url)


@pytest.fixture
def jobs_with_ties_and_nulls(db) -> list[Job]:
    times = [at(1), at(1), None, at(2), at(1), None, at(3), at(2), None, at(1), at(3)]
    return [make_job(creation_time=t, end_time=t and t + timedelta(seconds=5)) for t in times]


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_pages_forwards_meet_every_job_once_in_order(api, jobs_with_ties_and_nulls, ordering):
    pages = walk(api, {"ordering": ordering, "page_size": 3})

    assert [len(page) for page in pages] == [3, 3, 3, 2]
    assert [job for page in pages for job in page] == expected_order(jobs_with_ties_and_nulls, ordering)


@pytest.mark.parametrize("ordering", ORDERINGS)
def test_previous_links_lead_back_through_the_same_pages(api, jobs_with_ties_and_nulls, ordering):
    forwards = walk(api, {"ordering": ordering, "page_size": 3})
    last_page_url = None
    response = api.get("/api/jobs/", {"ordering": ordering, "page_size": 3})
    while response.json()["next"]:
        last_page_url = response.json()["next"]
        response = api.get(last_page_url)

    backwards = []
    response = api.get(last_page_url)
    while True:
        backwards.append(job_ids(response))
        if response.json()["previous"] is None:
            break
        response = api.get(response.json()["previous"])

    assert backwards[::-1] == forwards


def test_the_first_page_has_no_previous_link_and_the_last_no_next(api, jobs_with_ties_and_nulls):
    first = api.get("/api/jobs/", {"page_size": 10}).json()
    last = api.get(first["next"]).json()

    assert first["previous"] is None
    assert len(last["results"]) == 1
    assert last["next"] is None
    assert last["previous"] is not None


def test_the_default_order_is_newest_received_first(api):
    older, newer = make_job(), make_job()

    assert job_ids(api.get("/api/jobs/")) == [newer.job_id, older.job_id]


def test_a_page_holds_50_jobs_unless_page_size_says_otherwise(api):
    Job.objects.bulk_create(Job(job_id=f"bulk{i}", state="Success", tag="PicProcess") for i in range(51))

    assert len(job_ids(api.get("/api/jobs/"))) == 50
    assert len(job_ids(api.get("/api/jobs/", {"page_size": 7}))) == 7


def test_links_keep_the_filters(api):
    for _ in range(3):
        make_job(state=Job.State.FAILED)
    make_job(state=Job.State.SUCCESS)

    pages = walk(api, {"state": "Failed", "page_size": 2})

    assert [len(page) for page in pages] == [2, 1]


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    hours=st.lists(st.one_of(st.none(), st.integers(0, 3)), max_size=12),
    ordering=st.sampled_from(ORDERINGS),
    page_size=st.integers(1, 5),
)
def test_any_mix_of_ties_and_nulls_pages_exactly(api, hours, ordering, page_size):
    cache.clear()  # one test, hundreds of requests: the throttle would step in
    Job.objects.all().delete()
    jobs = [make_job(creation_time=at_hour(h), end_time=at_hour(None if h is None else 3 - h)) for h in hours]

    pages = walk(api, {"ordering": ordering, "page_size": page_size})

    assert [job for page in pages for job in page] == expected_order(jobs, ordering)
    assert all(len(page) == page_size for page in pages[:-1])
