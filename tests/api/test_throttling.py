import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from rest_framework.test import APIClient
from rest_framework.throttling import UserRateThrottle

from cicallback.settings import env_rate
from dashboard.models import ApiUsage
from dashboard.throttling import SharedUserRateThrottle


@pytest.fixture
def three_a_minute(monkeypatch):
    # DRF reads the rates once, at import; the class attribute is what each request sees.
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"user": "3/minute"})


def test_a_user_over_the_rate_is_answered_429(api, three_a_minute):
    statuses = [api.get("/api/stats/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_answer_says_when_to_come_back(api, three_a_minute):
    for _ in range(3):
        api.get("/api/jobs/")

    response = api.get("/api/jobs/")

    assert 0 < int(response["Retry-After"]) <= 60
    assert "throttled" in response.json()["detail"]


def test_each_user_has_a_rate_of_their_own(api, three_a_minute, django_user_model):
    for _ in range(3):
        api.get("/api/jobs/")
    other = APIClient()
    other.force_authenticate(django_user_model.objects.create_user("other"))

    assert other.get("/api/jobs/").status_code == 200


def test_the_rate_is_read_from_the_environment(monkeypatch):
    monkeypatch.setenv("CICALLBACK_API_THROTTLE_USER", "100/minute")

    assert env_rate("CICALLBACK_API_THROTTLE_USER", "2000/hour") == "100/minute"


def test_the_rate_defaults_when_unset_or_empty(monkeypatch):
    monkeypatch.setenv("CICALLBACK_API_THROTTLE_USER", " ")

    assert env_rate("CICALLBACK_API_THROTTLE_USER", "2000/hour") == "2000/hour"


def test_off_turns_throttling_off(monkeypatch):
    monkeypatch.setenv("CICALLBACK_API_THROTTLE_USER", "off")

    assert env_rate("CICALLBACK_API_THROTTLE_USER", "2000/hour") is None


@pytest.mark.parametrize("raw", ["2000", "2000/week", "fast", "0/hour", "-1/hour"])
def test_a_rate_drf_cannot_read_stops_startup(monkeypatch, raw):
    monkeypatch.setenv("CICALLBACK_API_THROTTLE_USER", raw)

    with pytest.raises(ImproperlyConfigured, match="CICALLBACK_API_THROTTLE_USER"):
        env_rate("CICALLBACK_API_THROTTLE_USER", "2000/hour")


def test_the_count_is_kept_in_the_database_that_every_app_server_shares(api, three_a_minute):
    for _ in range(3):
        api.get("/api/jobs/")
    # Another process starts with an empty cache and memory of its own: only the database is shared.
    cache.clear()

    assert api.get("/api/jobs/").status_code == 429
    assert ApiUsage.objects.get().requests == 4


def test_a_new_window_starts_the_count_again(api, three_a_minute, monkeypatch):
    start = 1_800_000_000.0  # a whole minute
    monkeypatch.setattr(SharedUserRateThrottle, "timer", staticmethod(lambda: start + 59))
    statuses = [api.get("/api/jobs/").status_code for _ in range(4)]
    monkeypatch.setattr(SharedUserRateThrottle, "timer", staticmethod(lambda: start + 60))

    assert statuses == [200, 200, 200, 429]
    assert api.get("/api/jobs/").status_code == 200
