"""The callback's status codes are a contract with the sender; each is pinned here."""

from unittest import mock

import pytest
from django.db import OperationalError

from cicallback.models import Delivery, Job
from tests.conftest import OTHER_TOKEN, sample

pytestmark = pytest.mark.django_db


def test_it_answers_200_when_a_job_is_stored(sender):
    response = sender.post_sample("seed2-workflow.xml")
    assert response.status_code == 200
    assert response.content == b"stored c93984788066911ed89ed352d4d9d2084\n"
    assert Job.objects.count() == 1


def test_it_answers_200_to_a_duplicate(sender):
    sender.post_sample("seed2-workflow.xml")
    response = sender.post_sample("seed2-workflow.xml")
    assert response.status_code == 200
    assert response.content.startswith(b"duplicate")


def test_it_answers_200_to_an_unknown_event_and_keeps_it(sender):
    response = sender.post(b"<Response><EventName>ObjectAudited</EventName></Response>")
    assert response.status_code == 200
    delivery = Delivery.objects.get()
    assert (delivery.outcome, delivery.event_name) == ("unknown_event", "ObjectAudited")


def test_it_answers_400_with_the_reason_and_keeps_the_body(sender):
    response = sender.post(b"<Response><EventName>TaskFinish</EventName></Response>")
    assert response.status_code == 400
    assert response.content == b"JobsDetail is missing\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    delivery = Delivery.objects.get()
    assert delivery.outcome == "rejected"
    assert delivery.error == "JobsDetail is missing"
    assert bytes(delivery.body) == b"<Response><EventName>TaskFinish</EventName></Response>"


@pytest.mark.parametrize("declared", ["12abc", "-1", "\u00b2", "\u0661\u0662", "\uff11"])
def test_it_answers_400_to_a_content_length_that_is_not_ascii_digits(sender, declared):
    response = sender.post(sample("seed1-job-api.xml"), CONTENT_LENGTH=declared)
    assert response.status_code == 400
    assert response.content.decode() == f"Content-Length {declared!r} is not a number\n"
    assert Delivery.objects.count() == 0


def test_it_answers_404_to_an_unknown_token_and_stores_nothing(sender):
    response = sender.post(sample("seed1-job-api.xml"), token="not-a-token")
    assert response.status_code == 404
    assert Delivery.objects.count() == 0


def test_every_configured_token_is_accepted(sender):
    assert sender.post(sample("seed1-job-api.xml"), token=OTHER_TOKEN).status_code == 200


def test_a_token_prefix_is_not_enough(sender):
    assert sender.post(sample("seed1-job-api.xml"), token="test-token").status_code == 404


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH"])
def test_it_answers_405_to_anything_but_post(client, method):
    response = client.generic(method, "/callback/test-token-one/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert Delivery.objects.count() == 0


def test_it_answers_413_from_the_declared_length_before_reading(sender, settings):
    settings.CICALLBACK_MAX_BODY_BYTES = 100
    response = sender.post(b"<Response/>", CONTENT_LENGTH="101")
    assert response.status_code == 413
    assert b"over the limit of 100 bytes" in response.content
    assert Delivery.objects.count() == 0


def test_a_body_exactly_at_the_limit_is_read(sender, settings):
    body = sample("seed1-job-api.xml")
    settings.CICALLBACK_MAX_BODY_BYTES = len(body)
    assert sender.post(body).status_code == 200


def test_it_answers_503_when_the_database_is_unavailable(sender):
    with mock.patch("cicallback.store.insert_new_job", side_effect=OperationalError("connection refused")):
        response = sender.post_sample("seed1-job-api.xml")
    assert response.status_code == 503
    assert b"send again later" in response.content
    assert Job.objects.count() == 0


def test_the_url_works_without_its_trailing_slash(client):
    response = client.generic("POST", "/callback/test-token-one", sample("seed1-job-api.xml"))
    assert response.status_code == 200


def test_the_callback_needs_no_csrf_token(sender):
    sender.client.handler.enforce_csrf_checks = True
    assert sender.post_sample("seed1-job-api.xml").status_code == 200
