import logging
import re
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from cicallback.http import BadContentLength, BodyTooLarge, client_ip, read_body
from cicallback.metrics import record_delivery
from cicallback.models import Delivery
from cicallback.receive import Arrival, receive
from cicallback.tokens import is_known_token

logger = logging.getLogger("cicallback.deliveries")


@csrf_exempt  # CI posts from outside with no session; the token in the URL authenticates it.
def receive_callback(request: HttpRequest, token: str) -> HttpResponse:
    """Receive one CI job callback.

    The status code is a contract with the sender, which may send again anything but a 2xx:
      200  stored; or a duplicate, stale or unknown-event delivery, kept but nothing to resend
      400  the body is not a callback we can read; the answer says why; the delivery is kept
      404  unknown token; nothing is stored
      405  any method but POST
      413  the body is over CICALLBACK_MAX_BODY_BYTES; refused before it is read
      503  the database is unavailable; nothing was written, send again later
    """
    if request.method != "POST":
        return _answer(405, "only POST is accepted here", Allow="POST")
    if not is_known_token(token):
        return _answer(404, "unknown callback token")
    started = time.perf_counter()
    try:
        body = read_body(request, settings.CICALLBACK_MAX_BODY_BYTES)
    except BodyTooLarge as error:
        return _refuse(413, "too_large", str(error))
    except BadContentLength as error:
        return _refuse(400, "bad_length", str(error))
    arrival = Arrival(client_ip=client_ip(request), content_type=request.META.get("CONTENT_TYPE", ""))
    try:
        delivery = receive(body, arrival)
    except (OperationalError, InterfaceError) as error:
        logger.error("delivery outcome=unavailable bytes=%d error=%s", len(body), type(error).__name__)
        record_delivery("unavailable", "")
        return _answer(503, "the database is unavailable; nothing was stored, send again later")
    _log(delivery, len(body), started)
    if delivery.outcome == Delivery.Outcome.REJECTED:
        return _answer(400, delivery.error)
    outcome = delivery.outcome.replace("_", " ")
    return _answer(200, f"{outcome} {delivery.reported_job_id or delivery.event_name}")


@csrf_exempt
def unknown_callback_path(request: HttpRequest) -> HttpResponse:
    # /callback//, /callback/../../etc/: no token has that shape. Answered like an unknown token,
    # in plain text, rather than with a page meant for people.
    return _answer(404, "unknown callback token")


def _answer(status: int, message: str, **headers: str) -> HttpResponse:
    return HttpResponse(message + "\n", status=status, content_type="text/plain; charset=utf-8", headers=headers)


def _refuse(status: int, outcome: str, reason: str) -> HttpResponse:
    # Refused before a delivery exists: counted and logged all the same, so a sender that keeps
    # posting oversized bodies shows up.
    record_delivery(outcome, "")
    logger.warning("delivery outcome=%s status=%d", outcome, status)
    return _answer(status, reason)


def _log(delivery: Delivery, size: int, started: float) -> None:
    record_delivery(delivery.outcome, delivery.event_name)
    elapsed_ms = (time.perf_counter() - started) * 1000
    logger.info(
        "delivery id=%s outcome=%s event=%s job_id=%s bytes=%d ms=%.1f",
        delivery.pk,
        delivery.outcome,
        _log_value(delivery.event_name),
        _log_value(delivery.reported_job_id),
        size,
        elapsed_ms,
    )


_UNSAFE_IN_LOG = re.compile(r"[\s\x00-\x1f\x7f]")


def _log_value(text: str) -> str:
    """A value the sender chose, escaped so it stays one field of one line: a JobId holding a newline
    and "outcome=stored" must not forge a second delivery line."""
    if not text:
        return "-"
    return _UNSAFE_IN_LOG.sub(lambda match: f"\\u{ord(match[0]):04x}", text)
