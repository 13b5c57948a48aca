"""Jobs for dashboard tests: sample bodies with their values changed, stored the way CI's are."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from cicallback.models import Delivery
from cicallback.receive import Arrival, receive
from tests.conftest import sample

CST = timezone(timedelta(hours=8))


def ci_time(moment: datetime | None) -> str:
    return moment.astimezone(CST).strftime("%Y-%m-%dT%H:%M:%S%z") if moment else "-"


def xml_job(
    job_id: str,
    sample_name: str = "seed2-workflow.xml",
    created: datetime | None = None,
    wait: float = 1,
    took: float = 2,
    **elements: str,
) -> bytes:
    """A sample XML body with another JobId and times, and `elements` (first <Name>) replaced."""
    body = sample(sample_name).decode()
    changes = {"JobId": job_id}
    if created is not None:
        started = created + timedelta(seconds=wait)
        changes |= {
            "CreationTime": ci_time(created),
            "StartTime": ci_time(started),
            "EndTime": ci_time(started + timedelta(seconds=took)),
        }
    for name, value in (changes | elements).items():
        body, found = re.subn(rf"<{name}>[^<]*</{name}>|<{name}/>", f"<{name}>{value}</{name}>", body, count=1)
        assert found, f"{sample_name} has no <{name}>"
    return body.encode()


def store(body: bytes) -> Delivery:
    delivery = receive(body, Arrival(content_type="application/xml"))
    assert delivery.outcome == Delivery.Outcome.STORED, delivery.error
    return delivery
