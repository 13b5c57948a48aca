"""Every URL of the project, for anonymous users, logged-in users and staff.

The dashboard and the API need a login, the admin needs staff, the callback needs its token and
/healthz is open. A URL added without a line here fails the completeness test.
"""

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from cicallback.models import Delivery, Job, WorkflowRun
from tests.conftest import TOKEN, sample

pytestmark = pytest.mark.django_db

JOB_ID = "c93984788066911ed89ed352d4d9d2084"
LOGIN_REQUIRED = ["/", "/jobs.csv", f"/jobs/{JOB_ID}/", "/failed/", "/stats/"]
API = [
    "/api/jobs/",
    f"/api/jobs/{JOB_ID}/",
    f"/api/jobs/{JOB_ID}/deliveries/",
    "/api/stats/",
    "/api/schema/",
    "/api/docs/",
]
SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}
CLASSIFIED = {
    "dashboard:job_list", "dashboard:export_csv", "dashboard:job_detail", "dashboard:failed", "dashboard:stats",
    "api:job-list", "api:job-detail", "api:job-deliveries", "api:stats", "api:schema", "api:docs",
    "callback", "callback_unknown", "healthz", "metrics", "login", "logout",
}  # fmt: skip


@pytest.fixture
def history(sender):
    sender.post_sample("seed2-workflow.xml")
    sender.post_sample("workflow-finish.xml")


@pytest.fixture
def member(history) -> Client:
    client = Client()
    client.force_login(User.objects.create_user("member", password="x"))
    return client


@pytest.fixture
def staff(history) -> Client:
    client = Client()
    client.force_login(User.objects.create_user("staff", password="x", is_staff=True, is_superuser=True))
    return client


def admin_urls() -> list[str]:
    urls = ["/admin/"]
    for model in (Job, Delivery, WorkflowRun):
        meta = model._meta
        urls.append(f"/admin/{meta.app_label}/{meta.model_name}/")
        urls.append(f"/admin/{meta.app_label}/{meta.model_name}/{model.objects.first().pk}/change/")
    return urls


def project_url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= project_url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_of_the_project_is_classified_here():
    assert project_url_names() == CLASSIFIED


@pytest.mark.parametrize("url", LOGIN_REQUIRED)
def test_dashboard_pages_send_anonymous_users_to_the_login(client, history, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize("url", LOGIN_REQUIRED)
def test_dashboard_pages_open_to_any_logged_in_user(member, url):
    assert member.get(url).status_code == 200


@pytest.mark.parametrize("url", API)
def test_the_api_refuses_anonymous_users(client, history, url):
    assert client.get(url).status_code in (401, 403)


@pytest.mark.parametrize("url", API)
def test_the_api_answers_logged_in_users(member, url):
    assert member.get(url).status_code == 200


def test_the_admin_refuses_anonymous_and_non_staff_users(client, member):
    for url in admin_urls():
        for visitor in (client, member):
            response = visitor.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/admin/login/"), url


def test_the_admin_opens_to_staff(staff):
    for url in admin_urls():
        assert staff.get(url).status_code == 200, url


def test_the_callback_needs_its_token_whoever_asks(client, member, staff):
    for visitor in (client, member, staff):
        assert (
            visitor.post("/callback/wrong/", sample("seed1-job-api.xml"), content_type="application/xml").status_code
            == 404
        )
        assert visitor.get(f"/callback/{TOKEN}/").status_code == 405
        assert visitor.post("/callback//", b"", content_type="application/xml").status_code == 404


def test_healthz_is_open_to_all(client, member):
    assert client.get("/healthz").status_code == 200
    assert member.get("/healthz").status_code == 200


def test_metrics_answer_by_address_not_by_login(client, staff):
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 200
    assert staff.get("/metrics", REMOTE_ADDR="198.51.100.1").status_code == 403


def test_the_login_page_is_open_and_logout_takes_a_post(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code in (200, 302)


def test_password_reset_is_not_offered(client):
    assert client.get("/accounts/password_reset/").status_code in (302, 404)


@pytest.mark.parametrize("url", [*LOGIN_REQUIRED, "/accounts/login/", "/admin/", "/api/jobs/", "/healthz"])
def test_every_page_sends_the_security_headers(staff, url):
    response = staff.get(url)
    for header, value in SECURITY_HEADERS.items():
        assert response.headers.get(header) == value, (url, header)


def test_every_post_form_carries_a_csrf_token(client, staff):
    pages = [(client, "/accounts/login/"), *((staff, url) for url in [*LOGIN_REQUIRED[:1], *LOGIN_REQUIRED[2:]])]
    pages += [(staff, url) for url in admin_urls()]
    checked = 0
    for visitor, url in pages:
        html = visitor.get(url).content.decode()
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
            if re.search(r'method=["\']?post', form, flags=re.I):
                assert 'name="csrfmiddlewaretoken"' in form, url
                checked += 1
    assert checked >= 5  # login, logout buttons and admin forms at least


def test_a_post_without_its_csrf_token_is_refused(staff, history):
    staff.handler.enforce_csrf_checks = True
    response = staff.post("/accounts/logout/")
    assert response.status_code == 403
