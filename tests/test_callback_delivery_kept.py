"""Nothing a sender sent is lost: a delivery whose job cannot be stored is kept with the reason."""

from unittest import mock

import pytest
from django.db import DataError

from cicallback.models import Delivery, Job, WorkflowRun
from cicallback.receive import Arrival, receive
from tests.conftest import sample

pytestmark = pytest.mark.django_db


def test_a_job_the_database_refuses_is_rolled_back_and_its_delivery_kept(sender):
    with mock.patch("cicallback.store.insert_new_job", side_effect=DataError("value too long")):
        response = sender.post_sample("seed2-workflow.xml")
    assert response.status_code == 400
    assert b"the job could not be stored: value too long" in response.content
    assert Job.objects.count() == 0  # nothing half-written
    delivery = Delivery.objects.get()
    assert delivery.outcome == "rejected"
    assert delivery.reported_job_id == "c93984788066911ed89ed352d4d9d2084"
    assert bytes(delivery.body) == sample("seed2-workflow.xml")


@pytest.mark.parametrize(
    "error",
    [
        OverflowError("date value out of range"),
        ValueError("SQLite does not support this value"),
        UnicodeEncodeError("utf-8", "\ud800", 0, 1, "surrogates not allowed"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_any_value_the_database_layer_cannot_take_leaves_the_delivery_kept_as_rejected(sender, error):
    with mock.patch("cicallback.store.insert_new_job", side_effect=error):
        response = sender.post_sample("seed2-workflow.xml")
    assert response.status_code == 400
    assert response.content.decode() == f"the job could not be stored: {error}\n"
    assert Job.objects.count() == 0
    delivery = Delivery.objects.get()
    assert (delivery.outcome, delivery.error) == ("rejected", f"the job could not be stored: {error}")
    assert bytes(delivery.body) == sample("seed2-workflow.xml")


def test_a_refusal_quoting_a_nul_character_no_text_column_holds_is_kept_escaped(sender):
    with mock.patch("cicallback.store.insert_new_job", side_effect=ValueError("bad \x00 value")):
        response = sender.post_sample("seed2-workflow.xml")
    assert response.content == b"the job could not be stored: bad \\x00 value\n"
    assert Delivery.objects.get().error == "the job could not be stored: bad \\x00 value"


def test_a_workflow_run_the_database_refuses_leaves_its_delivery_kept(sender):
    with mock.patch("cicallback.store.WorkflowTask.objects.bulk_create", side_effect=OverflowError("out of range")):
        response = sender.post_sample("workflow-finish.xml")
    assert response.status_code == 400
    delivery = Delivery.objects.get()
    assert (delivery.outcome, delivery.event_name, delivery.workflow_run) == ("rejected", "WorkflowFinish", None)
    assert not WorkflowRun.objects.exists()  # nothing half-written


def test_the_content_type_is_kept_whole_however_long(sender):
    content_type = "application/xml; " + "; ".join(f"p{i}=v{i}" for i in range(200))
    assert len(content_type) > 1000
    sender.post(sample("seed1-job-api.xml"), content_type=content_type)
    assert Delivery.objects.get().content_type == content_type


def test_the_delivery_records_how_it_arrived(sender):
    sender.post_sample("seed3-workflow.json", REMOTE_ADDR="203.0.113.9")
    delivery = Delivery.objects.get()
    assert delivery.client_ip == "203.0.113.9"
    assert delivery.content_type == "application/json"
    assert delivery.event_name == "TaskFinish"
    assert delivery.body_bytes == len(sample("seed3-workflow.json"))
    assert delivery.job.job_id == "c93984788066911ed89ed352d4d9d2084"


def test_invalid_utf8_is_kept_byte_for_byte():
    body = b"<Response>\xff\xfe</Response>"
    delivery = receive(body, Arrival())
    assert delivery.outcome == "rejected"
    assert bytes(Delivery.objects.get().body) == body


def test_a_rejected_delivery_keeps_its_job_id_and_shows_on_the_job_page(sender, admin_client):
    sender.post_sample("seed1-job-api.xml")
    broken = sample("seed2-workflow.xml").replace(b"<Width>500</Width>", b"<Width>abc</Width>", 1)
    assert broken != sample("seed2-workflow.xml")

    assert sender.post(broken).status_code == 400

    rejected = Delivery.objects.get(outcome="rejected")
    assert rejected.reported_job_id == "c93984788066911ed89ed352d4d9d2084"
    assert rejected.job is None
    job = Job.objects.get()
    assert rejected in job.deliveries_about()
    page = admin_client.get(f"/jobs/{job.job_id}/")
    assert [delivery.outcome for delivery, _ in page.context["deliveries"]] == ["rejected", "stored"]
