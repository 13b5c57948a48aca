from datetime import UTC, datetime

import pytest

from tests.api.conftest import make_job

BAD = {
    "state": {"state": "Exploded"},
    "period": {"period": "3w"},
    "created_after": {"created_after": "yesterday"},
    "created_before": {"created_before": "2024-13-01T00:00:00Z"},
    "ended_after": {"ended_after": "2024-03-05 25:00"},
    "ended_before": {"ended_before": "soon"},
    "tag": {"tag": "Pic\x00Process"},
    "a time with no UTC equivalent": {"created_before": "9999-12-31T23:59:59-01:00"},
    "a time before year 1 in UTC": {"ended_after": "0001-01-01T00:00:00+01:00"},
}
BAD_PAGING = {
    "ordering": {"ordering": "state"},
    "page_size": {"page_size": "0"},
    "page_size in other digits": {"page_size": "²"},
    "cursor": {"cursor": "not-a-cursor"},
}
CASES = [
    *[
        pytest.param(url, query, id=f"{url} {name}")
        for url in ("/api/jobs/", "/api/stats/")
        for name, query in BAD.items()
    ],
    *[pytest.param("/api/jobs/", query, id=f"/api/jobs/ {name}") for name, query in BAD_PAGING.items()],
    pytest.param("/api/jobs/j1/deliveries/", {"ordering": "-id"}, id="deliveries ordering"),
]


@pytest.mark.parametrize("url, query", CASES)
def test_a_bad_value_is_answered_400_naming_the_parameter(api, url, query):
    (name,) = query
    if "deliveries" in url:
        make_job(job_id="j1")

    response = api.get(url, query)

    assert response.status_code == 400
    assert list(response.json()) == [name]
    assert response.json()[name][0]


def test_page_size_above_the_maximum_is_refused(api):
    response = api.get("/api/jobs/", {"page_size": "501"})

    assert response.status_code == 400
    assert "500" in response.json()["page_size"][0]


def test_a_cursor_from_another_ordering_is_refused(api):
    make_job()
    make_job()
    next_link = api.get("/api/jobs/", {"page_size": 1, "ordering": "-id"}).json()["next"]
    cursor = next_link.split("cursor=")[1].split("&")[0]

    response = api.get("/api/jobs/", {"cursor": cursor, "ordering": "end_time"})

    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_stats_from_the_start_of_time_are_answered(api):
    response = api.get("/api/stats/", {"created_before": "0001-01-01T05:00:00Z"})

    assert response.status_code == 200
    assert response.json()["since"] == "0001-01-01T00:00:00Z"


def test_a_job_id_with_a_nul_character_is_not_found(api):
    assert api.get("/api/jobs/a%00b/").status_code == 404
    assert api.get("/api/jobs/a%00b/deliveries/").status_code == 404


def test_a_time_with_an_offset_postgresql_refuses_is_still_answered(api):
    job = make_job(creation_time=datetime(2024, 3, 6, 0, 0, tzinfo=UTC))

    response = api.get("/api/jobs/", {"created_after": "2024-03-05T00:00:00-23:59"})

    assert [row["job_id"] for row in response.json()["results"]] == [job.job_id]
