"""Several app servers share one PostgreSQL: nothing one process holds is needed by another."""

import threading
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import sample
from tests.servers import gunicorn, migrate, post, production_env

pytestmark = pytest.mark.postgres

CLIENTS = 6
JOBS_PER_CLIENT = 20
SHARED_JOBS = 5


@pytest.fixture
def shared_database():
    if connection.vendor != "postgresql":
        pytest.skip("runs against PostgreSQL (make test-postgres)")
    base = settings.DATABASES["default"]
    admin_url = f"postgresql://{base['USER']}@{base['HOST']}:{base['PORT']}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS cicallback_two_servers")
        admin.execute("CREATE DATABASE cicallback_two_servers")
    url = urlunsplit(urlsplit(admin_url)._replace(path="/cicallback_two_servers"))
    yield url
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("DROP DATABASE cicallback_two_servers WITH (FORCE)")


def test_two_servers_posted_to_concurrently_store_every_job_once(shared_database):
    env = production_env(shared_database)
    migrate(env)
    template = sample("seed2-workflow.xml")
    statuses: list[int] = []
    lock = threading.Lock()

    with gunicorn(env) as first, gunicorn(env) as second:

        def client(number: int) -> None:
            for i in range(JOBS_PER_CLIENT):
                own = template.replace(b"c93984788066911ed89ed352d4d9d2084", f"own-{number}-{i}".encode())
                shared = template.replace(b"c93984788066911ed89ed352d4d9d2084", f"shared-{i % SHARED_JOBS}".encode())
                port = (first, second)[(number + i) % 2]
                results = [post(port, own)[0], post(port, shared)[0]]
                with lock:
                    statuses.extend(results)

        threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert statuses == [200] * (CLIENTS * JOBS_PER_CLIENT * 2)
    with psycopg.connect(shared_database) as db:
        jobs = db.execute("SELECT COUNT(*) FROM cicallback_job").fetchone()[0]
        deliveries = db.execute("SELECT COUNT(*) FROM cicallback_delivery").fetchone()[0]
        headers = db.execute("SELECT COUNT(*) FROM cicallback_cosheader").fetchone()[0]
    assert jobs == CLIENTS * JOBS_PER_CLIENT + SHARED_JOBS
    assert deliveries == len(statuses)
    assert headers == 4 * jobs
