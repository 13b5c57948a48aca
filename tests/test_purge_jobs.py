"""Retention: old jobs go in batches with their deliveries; failed ones may stay longer."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from cicallback.models import CosHeader, Delivery, Job, JobCount, JobDurationCount, WorkflowRun
from tests.conftest import sample

pytestmark = pytest.mark.django_db


def body_created_days_ago(name: str, job_id: bytes, days: int) -> bytes:
    created = (timezone.now() - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S+0000").encode()
    body = sample(name)
    for tag in (b"CreationTime", b"StartTime", b"EndTime"):
        start = body.index(b"<" + tag + b">") + len(tag) + 2
        end = body.index(b"</" + tag + b">")
        body = body[:start] + created + body[end:]
    return body.replace(b"c93984788066911ed89ed352d4d9d2084", job_id).replace(
        b"c7f0d1a2edb2711ee8b1c525400000000", job_id
    )


@pytest.fixture
def history(sender):
    sender.post(body_created_days_ago("seed2-workflow.xml", b"old-success", 120))
    sender.post(body_created_days_ago("failed-pic.xml", b"old-failure", 120))
    sender.post(body_created_days_ago("seed2-workflow.xml", b"new-success", 5))
    sender.post_sample("workflow-finish.xml")  # a run created in 2022


def purge(*args: str) -> str:
    out = StringIO()
    call_command("purge_jobs", *args, stdout=out)
    return out.getvalue()


def test_it_deletes_old_jobs_with_their_rows_and_deliveries(history):
    output = purge("--older-than", "90d", "--batch-size", "1")
    assert "Deleted 2 jobs with 2 deliveries" in output
    assert "1 workflow runs" in output
    assert list(Job.objects.values_list("job_id", flat=True)) == ["new-success"]
    assert CosHeader.objects.count() == 4
    assert list(Delivery.objects.exclude(reported_job_id="").values_list("reported_job_id", flat=True)) == [
        "new-success"
    ]
    assert WorkflowRun.objects.count() == 0


def test_purged_jobs_leave_the_stats_counts(history):
    purge("--older-than", "90d")
    assert [(c.state, c.jobs) for c in JobCount.objects.all()] == [("Success", 1)]
    assert list(JobDurationCount.objects.values_list("jobs", flat=True)) == [1]


def test_failed_jobs_can_be_kept_longer(history):
    purge("--older-than", "90d", "--keep-failed-for", "365d")
    assert set(Job.objects.values_list("job_id", flat=True)) == {"old-failure", "new-success"}


def test_a_keep_failed_for_shorter_than_older_than_is_refused(history):
    with pytest.raises(CommandError, match="must not be shorter than --older-than"):
        purge("--older-than", "90d", "--keep-failed-for", "30d")
    assert Job.objects.count() == 3


def test_bodies_only_keeps_jobs_and_empties_old_bodies(history):
    Delivery.objects.filter(job__job_id="old-success").update(received_at=timezone.now() - timedelta(days=100))
    output = purge("--older-than", "90d", "--bodies-only")
    assert "Emptied the bodies of 1 deliveries" in output
    assert Job.objects.count() == 3
    old = Delivery.objects.get(job__job_id="old-success")
    assert bytes(old.body) == b""
    assert old.body_bytes > 0


def test_a_dry_run_deletes_nothing(history):
    assert "Would delete 2 jobs with 2 deliveries" in purge("--older-than", "90d", "--dry-run")
    assert Job.objects.count() == 3


def test_an_unreadable_age_is_refused():
    with pytest.raises(CommandError, match="not an age like 90d"):
        call_command("purge_jobs", "--older-than", "ninety days")


@pytest.mark.parametrize("size", ["0", "-5", "many"])
def test_a_batch_size_below_one_is_refused(size):
    with pytest.raises(CommandError, match="not a whole number of 1 or more"):
        call_command("purge_jobs", "--older-than", "90d", "--batch-size", size)


def test_keep_failed_for_with_bodies_only_is_refused(history):
    with pytest.raises(CommandError, match="--bodies-only keeps every job"):
        purge("--older-than", "90d", "--keep-failed-for", "365d", "--bodies-only")
