"""A small HTTP load generator: concurrent clients posting callback bodies over loopback."""

from __future__ import annotations

import http.client
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

SEED_JOB_ID = b"c93984788066911ed89ed352d4d9d2084"


def callback_body(template: bytes, job_id: str) -> bytes:
    return template.replace(SEED_JOB_ID, job_id.encode())


@dataclass
class LoadResult:
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0
    errors: int = 0

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def count(self, low: int, high: int) -> int:
        return sum(n for status, n in self.statuses.items() if low <= status < high)


def run_load(
    port: int,
    path: str,
    bodies: Iterator[bytes],
    clients: int,
    seconds: float | None = None,
    on_answer: Callable[[bytes, int], None] | None = None,
) -> LoadResult:
    """Post bodies until they run out (or until `seconds` pass), from `clients` threads at once."""
    result = LoadResult()
    lock = threading.Lock()
    deadline = time.monotonic() + seconds if seconds else None

    def next_body() -> bytes | None:
        with lock:
            if deadline and time.monotonic() > deadline:
                return None
            return next(bodies, None)

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while (body := next_body()) is not None:
            try:
                connection.request("POST", path, body=body, headers={"Content-Type": "application/xml"})
                response = connection.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    connection.close()
            except (OSError, http.client.HTTPException):
                connection.close()
                with lock:
                    result.errors += 1
                continue
            with lock:
                result.statuses[status] += 1
            if on_answer:
                on_answer(body, status)
        connection.close()

    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - started
    return result
