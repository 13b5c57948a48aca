"""/healthz and /metrics: what the engineer running the service watches."""

import logging
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError

from tests.conftest import sample

pytestmark = pytest.mark.django_db


def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert (response.status_code, response.content) == (200, b"ok\n")


def test_healthz_is_503_when_the_database_does_not(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503


def test_healthz_needs_no_login_and_is_never_cached(client):
    response = client.get("/healthz")
    assert "no-cache" in response["Cache-Control"]


def test_metrics_count_deliveries_jobs_and_latency(client, sender):
    sender.post_sample("seed2-workflow.xml")
    sender.post_sample("failed-pic.xml")
    sender.post(b"junk")
    text = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'cicallback_deliveries_total{event="TaskFinish",outcome="stored"}' in text
    assert 'cicallback_deliveries_total{event="-",outcome="rejected"}' in text
    assert 'cicallback_jobs{state="Failed",tag="PicProcess"} 1.0' in text
    assert 'cicallback_request_duration_seconds_count{method="POST",status="200",view="callback"}' in text


def test_metrics_refuse_an_outside_address(client):
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.5").status_code == 403


def test_metrics_refuse_an_outside_client_behind_the_documented_proxy(client, settings):
    settings.CICALLBACK_TRUSTED_PROXIES = ["127.0.0.1"]
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 403


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_X_FORWARDED_FOR": "127.0.0.1"},  # from a proxy that is not trusted
        {"HTTP_X_REAL_IP": "127.0.0.1"},
        {"HTTP_FORWARDED": "for=127.0.0.1"},
        {"HTTP_X_FORWARDED_FOR": "unix:"},  # what nginx writes for a client on a Unix socket
    ],
)
def test_metrics_refuse_a_proxied_request_no_trusted_proxy_vouches_for(client, headers):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", **headers).status_code == 403


def test_metrics_answer_an_allowed_client_a_trusted_proxy_vouches_for(client, settings):
    settings.CICALLBACK_TRUSTED_PROXIES = ["127.0.0.1"]
    settings.CICALLBACK_METRICS_ALLOWED_IPS = ["10.0.0.0/8"]
    forwarded = {"HTTP_X_FORWARDED_FOR": "10.1.2.3", "HTTP_X_REAL_IP": "10.1.2.3"}
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", **forwarded).status_code == 200


def test_metrics_answer_a_proxied_request_with_the_token(client, settings):
    settings.CICALLBACK_METRICS_TOKEN = "scrape-secret"
    response = client.get(
        "/metrics",
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.5",
        HTTP_AUTHORIZATION="Bearer scrape-secret",
    )
    assert response.status_code == 200


def test_metrics_with_a_token_need_the_token(client, settings):
    settings.CICALLBACK_METRICS_TOKEN = "scrape-secret"
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403
    ok = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_AUTHORIZATION="Bearer scrape-secret")
    assert ok.status_code == 200


def test_metric_labels_never_carry_the_token(client, sender):
    sender.post(b"junk")
    assert b"test-token-one" not in client.get("/metrics", REMOTE_ADDR="127.0.0.1").content


def test_each_delivery_logs_one_line_without_the_token(sender, caplog):
    with caplog.at_level(logging.INFO, logger="cicallback.deliveries"):
        sender.post_sample("failed-pic.xml")
    (line,) = [r.getMessage() for r in caplog.records if r.name == "cicallback.deliveries"]
    assert "outcome=stored" in line
    assert "job_id=c7f0d1a2edb2711ee8b1c525400000000" in line
    assert "bytes=" in line
    assert "ms=" in line
    assert "test-token" not in line


def test_a_job_id_cannot_forge_a_second_log_line(sender, caplog):
    body = sample("failed-pic.xml").replace(
        b"c7f0d1a2edb2711ee8b1c525400000000", b"c7f0\ndelivery id=1 outcome=stored job_id=x"
    )
    with caplog.at_level(logging.INFO, logger="cicallback.deliveries"):
        sender.post(body)
    (line,) = [r.getMessage() for r in caplog.records if r.name == "cicallback.deliveries"]
    assert "\n" not in line
    assert "job_id=c7f0\\u000adelivery\\u0020id=1\\u0020outcome=stored\\u0020job_id=x " in line


def test_a_body_over_the_limit_is_logged_and_counted(sender, client, caplog):
    with caplog.at_level(logging.INFO, logger="cicallback.deliveries"):
        assert sender.post(b"x" * (64 * 1024 + 1)).status_code == 413
    assert [r.getMessage() for r in caplog.records if r.name == "cicallback.deliveries"] == [
        "delivery outcome=too_large status=413"
    ]
    metrics = client.get("/metrics", REMOTE_ADDR="127.0.0.1").content.decode()
    assert 'cicallback_deliveries_total{event="-",outcome="too_large"}' in metrics


def test_request_logs_redact_the_callback_token():
    from cicallback.logs import RedactCallbackTokens

    record = logging.LogRecord(
        "django.request", logging.WARNING, "", 0, "Bad Request: %s", ("/callback/s3cret/",), None
    )
    RedactCallbackTokens().filter(record)
    assert record.getMessage() == "Bad Request: /callback/<token>/"


def test_gunicorn_error_lines_do_not_carry_callback_tokens(caplog):
    import runpy

    config = runpy.run_path(str(settings.BASE_DIR / "gunicorn.conf.py"))
    config["on_starting"](None)
    logging.getLogger("gunicorn.error").error("Error handling request %s", "/callback/s3cret-token/")

    assert "s3cret-token" not in caplog.text
    assert "Error handling request /callback/<token>/" in caplog.text
