"""Which stored deliveries can be parsed again: those whose raw body is still kept."""

from django.db.models import Q, QuerySet

from cicallback.models import Delivery

# purge_jobs --bodies-only empties the body and keeps its size: a delivery received empty has 0.
_BODY_DROPPED = Q(body=b"", body_bytes__gt=0)


def replayable(deliveries: QuerySet[Delivery]) -> tuple[QuerySet[Delivery], int]:
    """The deliveries that can be replayed, and how many were left out because their body was dropped.

    Parsing a dropped body would reject the delivery and unlink the job it stored.
    """
    return deliveries.exclude(_BODY_DROPPED), deliveries.filter(_BODY_DROPPED).count()
