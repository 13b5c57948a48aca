"""Start the service under gunicorn, as in production, for tests that talk to it over real HTTP."""

import http.client
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "http-test-token-0001"


def production_env(database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "test-secret-key-for-the-http-tests-only",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "CICALLBACK_TOKENS": f"{TOKEN},second-http-test-token",
        **extra,
    }


def migrate(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 1, *options: str):
    """Yields the port of a running gunicorn; stops it afterwards."""
    port = free_port()
    process = subprocess.Popen(
        # The production configuration file, with the address and workers of the test.
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "cicallback.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            *options,
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def _wait_for(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("gunicorn did not start") from None
            time.sleep(0.05)


def post(port: int, body: bytes, token: str = TOKEN, chunked: bool = False) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = iter([body[: len(body) // 2], body[len(body) // 2 :]]) if chunked else body
    connection.request(
        "POST",
        f"/callback/{token}/",
        body=payload,
        headers={"Content-Type": "application/xml"},
        encode_chunked=chunked,
    )
    response = connection.getresponse()
    result = response.status, response.read()
    connection.close()
    return result


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", path)
    response = connection.getresponse()
    result = response.status, response.read()
    connection.close()
    return result


PG_BINDIR = Path(os.environ.get("PG_BINDIR", "/usr/lib/postgresql/15/bin"))


class PostgresServer:
    """A PostgreSQL server of the test's own, so a test may stop and start it at will."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        # The server refuses to run as root; as root, run it as the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def init(self) -> None:
        self.directory.chmod(0o777)
        self._run(str(PG_BINDIR / "initdb"), "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync")

    def start(self, durable: bool = False) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=200"
        if not durable:
            options += " -c fsync=off"
        self._run(str(PG_BINDIR / "pg_ctl"), "-D", str(self.data), "-l", str(self.directory / "log"), "-w",
                  "-o", options, "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        # "immediate" ends every backend at once, as a crash would, in the middle of transactions.
        self._run(str(PG_BINDIR / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")


@contextmanager
def fresh_database(vendor: str, postgres_settings: dict | None = None, name: str = "cicallback_served"):
    """A DATABASE_URL for an empty database of the suite's kind, for servers started by a test."""
    if vendor != "postgresql":
        directory = Path(tempfile.mkdtemp(prefix="cicallback-served-"))
        yield f"sqlite:///{directory / 'db.sqlite3'}"
        shutil.rmtree(directory, ignore_errors=True)
        return
    import psycopg

    base = postgres_settings
    admin_url = f"postgresql://{base['USER']}@{base['HOST']}:{base['PORT']}/postgres"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {name}")
    yield f"postgresql://{base['USER']}@{base['HOST']}:{base['PORT']}/{name}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def count_rows(database_url: str, table: str) -> int:
    if database_url.startswith("sqlite:///"):
        import sqlite3

        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    import psycopg

    with psycopg.connect(database_url) as db:
        return db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
