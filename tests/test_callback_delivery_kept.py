"""Nothing a sender sent is lost: a delivery whose job cannot be stored is kept with the reason."""

from unittest import mock

import pytest
from django.db import DataError

from cicallback.models import Delivery, Job
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
