import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cicallback.models import Delivery, Job
from tests.jobs import store, xml_job

pytestmark = pytest.mark.django_db


def test_it_loads_varied_jobs_through_the_receiving_code(settings):
    settings.DEBUG = True
    call_command("load_demo", jobs=120)
    assert Job.objects.count() == 120
    assert set(Job.objects.values_list("state", flat=True)) >= {"Success", "Failed"}
    assert len(set(Job.objects.values_list("tag", flat=True))) >= 3
    assert len(set(Job.objects.values_list("input_region", flat=True))) >= 3
    assert Job.objects.filter(workflow__isnull=False).exists()
    assert Job.objects.filter(pic_process_result__isnull=False).exists()
    assert Delivery.objects.filter(outcome=Delivery.Outcome.DUPLICATE).exists()
    assert not Delivery.objects.filter(outcome=Delivery.Outcome.REJECTED).exists()


def test_a_demo_job_was_first_received_when_its_first_delivery_arrived(settings):
    settings.DEBUG = True
    call_command("load_demo", jobs=20)
    for job in Job.objects.all():
        first = job.deliveries.order_by("received_at").first()
        assert job.first_received_at == first.received_at


def test_demo_jobs_are_marked_by_their_job_id(settings):
    settings.DEBUG = True
    call_command("load_demo", jobs=20)
    assert all(job_id.startswith("demo") for job_id in Job.objects.values_list("job_id", flat=True))


def test_it_leaves_a_database_with_jobs_alone_when_asked(settings):
    settings.DEBUG = True
    store(xml_job("real"))
    call_command("load_demo", jobs=20, if_empty=True)
    assert list(Job.objects.values_list("job_id", flat=True)) == ["real"]


def test_it_refuses_to_run_in_production_mode(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG off"):
        call_command("load_demo")
    assert not Job.objects.exists()


def test_delete_removes_demo_jobs_and_their_deliveries_only(settings):
    settings.DEBUG = True
    store(xml_job("real"))
    call_command("load_demo", jobs=20)
    call_command("load_demo", delete=True)
    assert list(Job.objects.values_list("job_id", flat=True)) == ["real"]
    assert list(Delivery.objects.values_list("reported_job_id", flat=True)) == ["real"]
