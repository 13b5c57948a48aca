"""The run command's local login: made when there is none, never taken from an existing user."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from cicallback.management.commands import setup_local

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def login_file(tmp_path, monkeypatch, settings):
    settings.DEBUG = True
    path = tmp_path / "local-login"
    monkeypatch.setattr(setup_local, "LOGIN_FILE", path)
    return path


def run() -> str:
    out = StringIO()
    call_command("setup_local", stdout=out)
    return out.getvalue()


def test_it_makes_a_login_when_there_is_none_and_prints_it_with_the_callback_url(login_file):
    output = run()
    username, password = login_file.read_text().split("\n")[:2]
    assert f"Login         {username} / {password}" in output
    assert get_user_model().objects.get(username=username).check_password(password)
    assert "/callback/test-token-one/" in output
    assert "curl -i -H 'Content-Type: application/xml' --data-binary @tests/samples/seed2-workflow.xml" in output


def test_it_prints_the_same_login_on_the_next_run(login_file):
    first = run()
    assert run().split("Login")[1].split("\n")[0] == first.split("Login")[1].split("\n")[0]


def test_it_never_resets_the_password_of_an_existing_superuser(login_file):
    get_user_model().objects.create_superuser(username="admin", password="mine-and-only-mine")
    output = run()
    assert "(your existing superuser)" in output
    assert get_user_model().objects.get(username="admin").check_password("mine-and-only-mine")
    assert not login_file.exists()
