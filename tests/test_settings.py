"""Settings come from the environment; production refuses to start without what it needs."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from cicallback.settings import env_bool, env_int, env_list

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "x" * 50,
    "DJANGO_ALLOWED_HOSTS": "ci.example.com",
    "CICALLBACK_TOKENS": "a-long-random-token",
}


def start(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CICALLBACK_"))}
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )


def test_production_starts_with_everything_set():
    assert start(**PRODUCTION).returncode == 0


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("DJANGO_SECRET_KEY", "DJANGO_SECRET_KEY is not set"),
        ("CICALLBACK_TOKENS", "CICALLBACK_TOKENS is not set"),
        ("DJANGO_ALLOWED_HOSTS", "DJANGO_ALLOWED_HOSTS is not set"),
    ],
)
def test_production_refuses_to_start_without_a_required_setting(missing, message):
    result = start(**{k: v for k, v in PRODUCTION.items() if k != missing})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_bad_boolean_is_an_error_that_names_the_variable():
    result = start(DJANGO_DEBUG="maybe")
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_a_bad_trusted_proxy_is_an_error_at_startup():
    result = start(CICALLBACK_TRUSTED_PROXIES="10.0.0.0/8,not-an-ip")
    assert "'not-an-ip' is not an IP address or network" in result.stderr


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        (",", "CICALLBACK_TOKENS holds no token, only commas"),
        ("a-long-random-token,with/slash-in-it", "may hold only letters, digits"),
        ("short-token", "at least 16 characters long"),
    ],
)
def test_production_refuses_a_token_no_callback_url_can_use(tokens, message):
    result = start(**{**PRODUCTION, "CICALLBACK_TOKENS": tokens})
    assert result.returncode != 0
    assert message in result.stderr


def test_a_bad_metrics_address_is_an_error_at_startup():
    result = start(CICALLBACK_METRICS_ALLOWED_IPS="10.0.0.0/8,localhost")
    assert "CICALLBACK_METRICS_ALLOWED_IPS: 'localhost' is not an IP address or network" in result.stderr


def test_env_helpers_are_strict(monkeypatch):
    monkeypatch.setenv("X_INT", "12")
    monkeypatch.setenv("X_BAD_INT", "twelve")
    monkeypatch.setenv("X_LIST", " a, b ,,c ")
    monkeypatch.setenv("X_BOOL", "Off")
    assert env_int("X_INT", 1) == 12
    assert env_int("X_UNSET", 7) == 7
    with pytest.raises(ImproperlyConfigured, match="X_BAD_INT must be a whole number"):
        env_int("X_BAD_INT", 1)
    assert env_list("X_LIST") == ["a", "b", "c"]
    assert env_bool("X_BOOL", True) is False
