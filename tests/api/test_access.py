import io

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.api.conftest import make_job

URLS = ["/api/jobs/", "/api/jobs/j1/", "/api/jobs/j1/deliveries/", "/api/stats/", "/api/schema/", "/api/docs/"]


@pytest.fixture(autouse=True)
def one_job(db):
    make_job(job_id="j1")


@pytest.mark.parametrize("url", URLS)
def test_an_anonymous_request_is_refused_with_401(anonymous, url):
    response = anonymous.get(url)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("url", URLS)
def test_an_unknown_token_is_refused_with_401(url):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert client.get(url).status_code == 401


@pytest.mark.parametrize("url", URLS)
def test_a_token_opens_every_endpoint(api, url):
    assert api.get(url).status_code == 200


@pytest.mark.parametrize("url", URLS)
def test_a_signed_in_browser_session_opens_every_endpoint(user, url):
    client = APIClient()
    client.force_login(user)

    assert client.get(url).status_code == 200


def test_an_inactive_users_token_is_refused(api, user):
    user.is_active = False
    user.save()

    assert api.get("/api/jobs/").status_code == 401


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("url", ["/api/jobs/", "/api/jobs/j1/", "/api/jobs/j1/deliveries/", "/api/stats/"])
def test_nothing_writes(api, method, url):
    response = getattr(api, method)(url, {"state": "Failed"}, format="json")

    assert response.status_code == 405
    assert api.get("/api/jobs/j1/").json()["state"] == "Success"


def test_a_session_write_without_csrf_is_forbidden(user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(user)

    response = client.delete("/api/jobs/j1/")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_drf_create_token_makes_a_key_that_works(user):
    call_command("drf_create_token", user.username, stdout=io.StringIO())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get(user=user).key}")

    assert client.get("/api/jobs/").status_code == 200
