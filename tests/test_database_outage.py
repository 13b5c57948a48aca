"""The database goes away mid-stream: callbacks and /healthz get 503 and nothing is half-written;
once it is back, callbacks are stored again and /healthz is 200 without restarting the app."""

import contextlib
import http.client
import shutil
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from tests.conftest import sample
from tests.servers import PG_BINDIR, PostgresServer, get, gunicorn, migrate, post, production_env

pytestmark = pytest.mark.postgres


@pytest.fixture
def own_postgres():
    if connection.vendor != "postgresql" or not (PG_BINDIR / "initdb").exists():
        pytest.skip("runs in the PostgreSQL pass (make test-postgres)")
    # Not under pytest's temporary folder: the postgres user cannot enter it.
    directory = Path(tempfile.mkdtemp(prefix="cicallback-outage-"))
    server = PostgresServer(directory)
    server.init()
    server.start()
    yield server
    with contextlib.suppress(subprocess.CalledProcessError):
        server.stop()  # the test may have left it stopped
    shutil.rmtree(directory, ignore_errors=True)


def body_for(job_id: str) -> bytes:
    return sample("seed2-workflow.xml").replace(b"c93984788066911ed89ed352d4d9d2084", job_id.encode())


def test_callbacks_and_healthz_get_503_while_the_database_is_down_and_200_after(own_postgres):
    import psycopg

    env = production_env(own_postgres.url, DATABASE_CONN_MAX_AGE="600")
    migrate(env)
    with gunicorn(env) as port:
        assert post(port, body_for("before-1"))[0] == 200
        assert post(port, body_for("before-2"))[0] == 200
        assert get(port, "/healthz") == (200, b"ok\n")

        own_postgres.stop()
        during = [post(port, body_for(f"during-{i}")) for i in range(5)]
        assert [status for status, _ in during] == [503] * 5
        assert all(b"the database is unavailable" in answer for _, answer in during)
        assert get(port, "/healthz") == (503, b"database unavailable\n")

        own_postgres.start()
        assert get(port, "/healthz") == (200, b"ok\n")
        assert post(port, body_for("after-1"))[0] == 200
        assert post(port, body_for("during-0"))[0] == 200  # the sender's retry

    with psycopg.connect(own_postgres.url) as db:
        jobs = {row[0] for row in db.execute("SELECT job_id FROM cicallback_job")}
        deliveries = db.execute("SELECT COUNT(*) FROM cicallback_delivery").fetchone()[0]
        incomplete = db.execute(
            "SELECT COUNT(*) FROM cicallback_job j WHERE (SELECT COUNT(*) FROM cicallback_cosheader h"
            " WHERE h.job_id = j.id) <> 4 OR NOT EXISTS (SELECT 1 FROM cicallback_workflow w WHERE w.job_id = j.id)"
        ).fetchone()[0]
    assert jobs == {"before-1", "before-2", "after-1", "during-0"}
    assert deliveries == 4
    assert incomplete == 0


def test_a_crash_under_concurrent_callbacks_half_writes_nothing_and_every_200_is_stored(own_postgres):
    import psycopg

    env = production_env(own_postgres.url, DATABASE_CONN_MAX_AGE="600")
    migrate(env)
    answers: list[tuple[str, int | str]] = []
    stop = threading.Event()

    def sender(name: str) -> None:
        # Bounded: at most 400 callbacks a sender, and only while the test runs.
        for i in range(400):
            if stop.is_set():
                return
            job_id = f"{name}-{i}"
            try:
                status = post(port, body_for(job_id))[0]
            except (OSError, http.client.HTTPException) as error:  # recorded, and refused by the assertions
                status = type(error).__name__
            answers.append((job_id, status))

    with gunicorn(env, 2) as port:
        senders = [threading.Thread(target=sender, args=(f"c{n}",)) for n in range(4)]
        for thread in senders:
            thread.start()
        wait_until(lambda: len(answers) >= 40)
        own_postgres.stop(mode="immediate")
        wait_until(lambda: 503 in {status for _, status in answers})
        own_postgres.start()
        restarted = len(answers)
        wait_until(lambda: 200 in {status for _, status in answers[restarted:]})
        stop.set()
        for thread in senders:
            thread.join(timeout=60)

    statuses = {status for _, status in answers}
    answered_200 = {job_id for job_id, status in answers if status == 200}
    with psycopg.connect(own_postgres.url) as db:
        stored = {row[0] for row in db.execute("SELECT job_id FROM cicallback_job")}
        incomplete = db.execute(
            "SELECT COUNT(*) FROM cicallback_job j WHERE (SELECT COUNT(*) FROM cicallback_cosheader h"
            " WHERE h.job_id = j.id) <> 4 OR NOT EXISTS (SELECT 1 FROM cicallback_workflow w WHERE w.job_id = j.id)"
        ).fetchone()[0]
    assert answered_200 - stored == set()  # every 200 was stored, before the crash and after it
    assert incomplete == 0  # and nothing was half-written
    # Every request was answered, with a 200 or a 503: no 500, and no connection dropped.
    assert statuses <= {200, 503}


def wait_until(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.01)
