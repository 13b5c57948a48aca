"""Load over real HTTP: gunicorn with two workers, concurrent clients, duplicates mixed in.

Bounded: a fixed number of requests. Afterwards every distinct JobId is one job, every 2xx answer is
one delivery, and no answer is a 5xx.
"""

import random

import pytest
from django.conf import settings
from django.db import connection

from bench.loadgen import callback_body, run_load
from tests.conftest import sample
from tests.servers import TOKEN, count_rows, fresh_database, gunicorn, migrate, production_env

DISTINCT = 2000
DUPLICATES = 500
CLIENTS = 8


def bodies(template: bytes):
    ids = [f"load-{n:06d}" for n in range(DISTINCT)]
    chooser = random.Random(7)
    repeats = [chooser.choice(ids) for _ in range(DUPLICATES)]
    order = ids + repeats
    chooser.shuffle(order)
    return (callback_body(template, job_id) for job_id in order)


@pytest.mark.django_db
def test_thousands_of_callbacks_from_concurrent_clients_are_all_kept(record_property):
    with fresh_database(connection.vendor, settings.DATABASES["default"], name="cicallback_load") as url:
        env = production_env(url)
        migrate(env)
        with gunicorn(env, workers=2) as port:
            result = run_load(port, f"/callback/{TOKEN}/", bodies(sample("seed2-workflow.xml")), clients=CLIENTS)
        jobs = count_rows(url, "cicallback_job")
        deliveries = count_rows(url, "cicallback_delivery")
    record_property(
        "figures",
        f"load, {connection.vendor}: {result.requests} requests from {CLIENTS} clients in {result.seconds:.1f} s, "
        f"{result.per_second:.0f}/s, {result.errors} errors",
    )
    assert result.errors == 0
    assert result.count(500, 600) == 0
    assert result.count(200, 300) == DISTINCT + DUPLICATES
    assert jobs == DISTINCT
    assert deliveries == result.count(200, 300)
