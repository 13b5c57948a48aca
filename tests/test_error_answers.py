"""Answers Django makes itself are one plain line under /callback/, and Django's own pages elsewhere."""

from unittest import mock

import pytest
from django.test import Client

from tests.conftest import TOKEN, sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiet_client() -> Client:
    # Answers an unexpected exception with the 500 page, as a server does, instead of raising it.
    return Client(raise_request_exception=False)


def test_a_callback_to_a_host_not_served_is_refused_in_plain_text(client):
    response = client.post(
        f"/callback/{TOKEN}/", sample("seed1-job-api.xml"), content_type="application/xml", HTTP_HOST="evil.example"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"the Host header names a host this service does not serve\n"


def test_a_callback_that_fails_unexpectedly_is_answered_500_in_plain_text(quiet_client):
    with mock.patch("cicallback.views.receive", side_effect=RuntimeError("a secret detail")):
        response = quiet_client.post(f"/callback/{TOKEN}/", sample("seed1-job-api.xml"), content_type="application/xml")
    assert response.status_code == 500
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content == b"the callback could not be handled; send it again later\n"


def test_a_page_that_fails_unexpectedly_gets_djangos_page(quiet_client):
    with mock.patch("cicallback.health.connection.cursor", side_effect=RuntimeError("a secret detail")):
        response = quiet_client.get("/healthz")
    assert response.status_code == 500
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert b"a secret detail" not in response.content


def test_a_page_on_a_host_not_served_gets_djangos_page(client):
    response = client.get("/healthz", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "text/html; charset=utf-8"
