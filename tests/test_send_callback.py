"""The sender simulator posts over real HTTP."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cicallback.models import Job
from tests.conftest import SAMPLES, TOKEN


@pytest.mark.django_db(transaction=True)
def test_it_posts_files_to_a_live_server(live_server):
    out = StringIO()
    files = [str(SAMPLES / "seed1-job-api.xml"), str(SAMPLES / "failed-transcode.json")]
    call_command("send_callback", f"{live_server.url}/callback/{TOKEN}/", *files, stdout=out)
    assert "200 seed1-job-api.xml: stored c93984788066911ed89ed352d4d9d2084" in out.getvalue()
    assert "200 failed-transcode.json: stored" in out.getvalue()
    assert Job.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_it_fails_when_an_answer_is_not_2xx(live_server):
    out = StringIO()
    with pytest.raises(CommandError, match="1 of 1 posts were not answered 2xx"):
        call_command(
            "send_callback", f"{live_server.url}/callback/wrong/", str(SAMPLES / "seed1-job-api.xml"), stdout=out
        )
    assert "404 seed1-job-api.xml: unknown callback token" in out.getvalue()


def test_it_refuses_a_missing_file_before_posting_anything():
    with pytest.raises(CommandError, match=r"no such file: nowhere\.xml"):
        call_command(
            "send_callback", "http://127.0.0.1:9/callback/x/", str(SAMPLES / "seed1-job-api.xml"), "nowhere.xml"
        )
