"""Deliveries of one job at the same moment: one job, every delivery recorded, no error."""

import threading

import pytest
from django.db import connection

from cicallback.models import Delivery, Job
from cicallback.receive import Arrival, receive
from tests.conftest import sample

THREADS = 8


@pytest.mark.django_db(transaction=True)
def test_simultaneous_first_deliveries_of_one_job_store_it_once():
    bodies = [sample("seed2-workflow.xml"), sample("seed1-job-api.xml"), sample("seed3-workflow.json")]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def deliver(index: int) -> None:
        try:
            barrier.wait()
            receive(bodies[index % len(bodies)], Arrival())
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Job.objects.count() == 1
    assert Delivery.objects.count() == THREADS
    assert set(Delivery.objects.values_list("outcome", flat=True)) <= {"stored", "duplicate"}
    job = Job.objects.get()
    assert job.cos_headers.count() == 4
    assert job.workflow.workflow_name == "workflow-test"
