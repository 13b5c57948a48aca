"""Stored raw bodies are replayed through the current parser: a parser fix repairs old refusals."""

from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse

from cicallback.models import Delivery, Job
from cicallback.parsing import CallbackError
from cicallback.replay import replayable

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused_by_an_old_parser(sender):
    with mock.patch("cicallback.receive.parse_callback", side_effect=CallbackError("an old parser's bug")):
        sender.post_sample("seed2-workflow.xml")
        sender.post_sample("failed-pic.xml")
    sender.post(b"truly not a callback")
    assert Delivery.objects.filter(outcome="rejected").count() == 3


def replay(*args: str) -> str:
    out = StringIO()
    call_command("reprocess_deliveries", *args, stdout=out)
    return out.getvalue()


def test_replaying_rejected_deliveries_stores_their_jobs_in_place(refused_by_an_old_parser):
    ids = set(Delivery.objects.values_list("id", flat=True))
    output = replay()
    assert "Replayed 3 deliveries" in output
    assert "rejected -> stored: 2" in output
    assert "rejected -> rejected: 1" in output
    assert set(Delivery.objects.values_list("id", flat=True)) == ids  # no new rows
    assert Job.objects.count() == 2
    assert Delivery.objects.get(reported_job_id="c7f0d1a2edb2711ee8b1c525400000000").error == ""


def test_replaying_twice_changes_nothing_more(refused_by_an_old_parser):
    replay()
    outcomes = sorted(Delivery.objects.values_list("outcome", flat=True))
    replay("--outcome", "stored", "--outcome", "duplicate", "--outcome", "rejected")
    assert sorted(Delivery.objects.values_list("outcome", flat=True)) == outcomes
    assert Job.objects.count() == 2
    assert Job.objects.get(job_id="c93984788066911ed89ed352d4d9d2084").cos_headers.count() == 4


def test_a_dry_run_changes_nothing(refused_by_an_old_parser):
    assert "Would replay 3 deliveries" in replay("--dry-run")
    assert Job.objects.count() == 0


def test_replay_can_pick_one_job(refused_by_an_old_parser):
    replay()
    output = replay("--job-id", "c7f0d1a2edb2711ee8b1c525400000000", "--outcome", "stored")
    assert "Replayed 1 deliveries" in output
    assert "stored -> stored: 1" in output


def test_replay_can_pick_a_time_range(refused_by_an_old_parser):
    assert "Replayed 0 deliveries" in replay("--until", "2000-01-01T00:00:00")
    assert "Replayed 3 deliveries" in replay("--since", "2000-01-01T00:00:00+00:00")


def test_deliveries_whose_body_was_purged_are_skipped_and_keep_their_job(sender):
    sender.post_sample("seed2-workflow.xml")
    call_command("purge_jobs", "--older-than", "0h", "--bodies-only", stdout=StringIO())
    output = replay("--outcome", "stored")
    assert "Replayed 0 deliveries" in output
    assert "Skipped 1 deliveries whose body was emptied by purge_jobs --bodies-only" in output
    delivery = Delivery.objects.get()
    assert (delivery.outcome, delivery.job.job_id) == ("stored", "c93984788066911ed89ed352d4d9d2084")


def test_a_delivery_received_empty_is_still_replayable(sender):
    sender.post(b"")
    sender.post_sample("failed-pic.xml")
    Delivery.objects.filter(outcome="stored").update(body=b"")
    deliveries, dropped = replayable(Delivery.objects.all())
    assert list(deliveries.values_list("outcome", flat=True)) == ["rejected"]
    assert dropped == 1


def test_the_admin_action_replays_the_selected_deliveries(admin_client, refused_by_an_old_parser):
    pks = [str(d.pk) for d in Delivery.objects.filter(outcome="rejected")]
    response = admin_client.post(
        reverse("admin:cicallback_delivery_changelist"),
        {"action": "reprocess", "_selected_action": pks},
        follow=True,
    )
    assert response.status_code == 200
    assert b"Replayed 3 deliveries: 1 rejected, 2 stored." in response.content
    assert Job.objects.count() == 2


def test_the_admin_action_leaves_deliveries_whose_body_was_dropped_as_they_are(admin_client, sender):
    sender.post_sample("failed-pic.xml")
    Delivery.objects.update(body=b"")
    pks = [str(d.pk) for d in Delivery.objects.all()]
    response = admin_client.post(
        reverse("admin:cicallback_delivery_changelist"),
        {"action": "reprocess", "_selected_action": pks},
        follow=True,
    )
    assert b"Replayed 0 deliveries: none." in response.content
    assert b"Skipped 1 deliveries whose body was emptied" in response.content
    delivery = Delivery.objects.get()
    assert (delivery.outcome, delivery.job_id is not None) == ("stored", True)
