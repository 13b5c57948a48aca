"""CI's side of the wire: real HTTP posts to the service running under gunicorn, as in production."""

import socket
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, sample
from tests.servers import TOKEN, gunicorn, migrate, post, production_env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("http") / "db.sqlite3"
    env = production_env(f"sqlite:///{database}", CICALLBACK_MAX_BODY_BYTES="20000")
    migrate(env)
    with gunicorn(env) as port:
        yield port, database


def count(database: Path, table: str) -> int:
    with sqlite3.connect(database) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_every_sample_is_stored_over_http(server):
    port, database = server
    for path in sorted(SAMPLES.glob("*.xml")) + sorted(SAMPLES.glob("*.json")):
        status, answer = post(port, path.read_bytes())
        assert status == 200, (path.name, answer)
    assert count(database, "cicallback_job") == 4  # the three seeds are one job
    assert count(database, "cicallback_workflowrun") == 1


def test_a_chunked_body_without_a_length_is_read(server):
    port, _ = server
    body = sample("failed-transcode.json").replace(b"j9a1b2c3d4e5f6", b"jchunked00000")
    status, answer = post(port, body, chunked=True)
    assert (status, answer) == (200, b"stored jchunked0000011ee8b1c525400000000\n")


def test_a_chunked_body_over_the_limit_is_refused(server):
    port, _ = server
    status, answer = post(port, b"<Response>" + b" " * 30000 + b"</Response>", chunked=True)
    assert status == 413
    assert b"over the limit of 20000 bytes" in answer


def test_a_huge_declared_length_is_refused_before_the_body_is_sent(server):
    port, _ = server
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    connection.sendall(
        f"POST /callback/{TOKEN}/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 10000000000\r\n\r\n".encode()
    )
    answer = connection.recv(4096)
    connection.close()
    assert answer.startswith(b"HTTP/1.1 413")


def test_a_wrong_token_over_http_is_404(server):
    port, _ = server
    assert post(port, sample("seed1-job-api.xml"), token="wrong")[0] == 404


def test_production_settings_answer_a_bad_body_with_400_not_500(server):
    port, _ = server
    status, answer = post(port, b"\x00\x01garbage")
    assert status == 400
    assert answer == b"body contains a NUL character\n"
