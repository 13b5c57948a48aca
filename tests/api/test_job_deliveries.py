from datetime import timedelta

from django.utils import timezone

from cicallback.models import Delivery
from tests.api.conftest import receive_sample
from tests.conftest import sample

SEED = "c93984788066911ed89ed352d4d9d2084"


def test_it_lists_the_deliveries_of_a_job_oldest_first_with_raw_bodies(api):
    now = timezone.now()
    receive_sample("seed1-job-api.xml", received_at=now - timedelta(minutes=2))
    receive_sample("seed2-workflow.xml", received_at=now - timedelta(minutes=1))
    receive_sample("failed-pic.xml", received_at=now)

    response = api.get(f"/api/jobs/{SEED}/deliveries/")

    assert response.status_code == 200
    deliveries = response.json()["results"]
    assert [d["outcome"] for d in deliveries] == ["stored", "stored"]
    assert [d["body"] for d in deliveries] == [
        sample("seed1-job-api.xml").decode(),
        sample("seed2-workflow.xml").decode(),
    ]
    assert {d["body_encoding"] for d in deliveries} == {"utf-8"}
    assert deliveries[0]["reported_job_id"] == SEED
    assert deliveries[0]["body_bytes"] == len(sample("seed1-job-api.xml"))


def test_newest_first_on_request(api):
    now = timezone.now()
    first = receive_sample("seed1-job-api.xml", received_at=now - timedelta(minutes=1))
    second = receive_sample("seed2-workflow.xml", received_at=now)

    deliveries = api.get(f"/api/jobs/{SEED}/deliveries/", {"ordering": "-received_at"}).json()["results"]

    assert [d["id"] for d in deliveries] == [second.pk, first.pk]


def test_a_body_that_is_not_utf8_comes_base64_encoded(api):
    delivery = receive_sample("seed1-job-api.xml")
    Delivery.objects.filter(pk=delivery.pk).update(body=b"\xff\xfe<Response/>")

    (row,) = api.get(f"/api/jobs/{SEED}/deliveries/").json()["results"]

    assert row["body_encoding"] == "base64"
    assert row["body"] == "//48UmVzcG9uc2UvPg=="


def test_deliveries_of_an_unknown_job_are_404(api):
    assert api.get("/api/jobs/nosuchjob/deliveries/").status_code == 404
