"""The receiving pipeline: keep the delivery, parse it, store what it says.

The delivery row is written whatever happens: with the job in the same transaction when the job is
stored, or on its own, as rejected and with the reason, when the body cannot be read or stored. The
only failure that loses a delivery is a database that cannot be written at all, and the sender is
then told so (the view answers 503) and may send it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from django.db import DataError, IntegrityError
from django.utils import timezone

from cicallback.models import Delivery
from cicallback.parsing import CallbackError, parse_callback
from cicallback.store import store_job, store_workflow_run

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Arrival:
    """How a body reached us, as recorded with the delivery."""

    client_ip: str | None = None
    content_type: str = ""
    received_at: datetime | None = None


def receive(body: bytes, arrival: Arrival) -> Delivery:
    delivery = Delivery(
        received_at=arrival.received_at or timezone.now(),
        client_ip=arrival.client_ip,
        content_type=arrival.content_type,
        body=body,
        body_bytes=len(body),
    )
    return process(delivery)


def process(delivery: Delivery) -> Delivery:
    """Parse the delivery's body and store what it says; the delivery is saved with its outcome.

    A delivery already saved is processed again in place: that is how a stored body is replayed
    through the current parser.
    """
    saved_pk = delivery.pk
    delivery.error = ""
    try:
        callback = parse_callback(bytes(delivery.body))
    except CallbackError as error:
        delivery.reported_job_id = error.job_id
        return _reject(delivery, saved_pk, str(error))
    delivery.event_name = callback.event_name
    try:
        if callback.job is not None:
            return store_job(callback.job, delivery)
        if callback.workflow_run is not None:
            return store_workflow_run(callback.workflow_run, delivery)
    except (DataError, IntegrityError) as error:
        return _reject(delivery, saved_pk, f"the job could not be stored: {error}")
    except (ValueError, OverflowError) as error:
        # A value the database layer cannot take (UnicodeError is a ValueError) is a gap in the
        # parser's checks: logged in full to be closed, while the delivery is kept to be replayed.
        # OperationalError and InterfaceError are neither: an unavailable database is still a 503.
        logger.exception("delivery kept as rejected: storing it raised %s", type(error).__name__)
        return _reject(delivery, saved_pk, f"the job could not be stored: {error}")
    delivery.outcome = Delivery.Outcome.UNKNOWN_EVENT
    delivery.save()
    return delivery


def _reject(delivery: Delivery, saved_pk: int | None, reason: str) -> Delivery:
    # Whatever a rolled-back store assigned to the delivery did not happen.
    delivery.pk = saved_pk
    delivery._state.adding = saved_pk is None
    delivery.job = None
    delivery.workflow_run = None
    delivery.outcome = Delivery.Outcome.REJECTED
    # The reason may quote what the database refused; escaped, it can be stored and sent back.
    delivery.error = reason.encode("utf-8", "backslashreplace").decode().replace("\x00", "\\x00")
    delivery.save()
    return delivery
