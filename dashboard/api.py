"""The read-only JSON API over the job history.

Status codes, for every endpoint:
- 200: the page, job, deliveries or stats asked for.
- 400: a filter, ordering, cursor or page_size value that cannot be used; the body names it:
  {"created_after": ["Enter a valid date/time."]}.
- 401: no credentials, or a token that does not exist (WWW-Authenticate: Token).
- 403: a write method from a browser session without its CSRF token.
- 404: no job with that JobId.
- 405: any method but GET, HEAD and OPTIONS: nothing here writes.
- 429: the user's throttle rate (CICALLBACK_API_THROTTLE_USER) is used up.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from django_filters.utils import translate_validation
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from cicallback.models import Job
from dashboard.filters import JobFilter
from dashboard.pagination import KeysetPagination
from dashboard.serializers import DeliverySerializer, JobDetailSerializer, JobStatsSerializer, JobSummarySerializer
from dashboard.stats import job_stats

DEFAULT_STATS_PERIOD = timedelta(hours=24)

_DETAIL = {"type": "object", "properties": {"detail": {"type": "string"}}, "required": ["detail"]}
_PARAMETER_ERRORS = {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}}


class ApiSchema(AutoSchema):
    """Documents the refusals too: scripts need their shape, and the contract test checks every answer."""

    def _get_response_bodies(self, direction="response") -> dict:
        responses = super()._get_response_bodies(direction)
        refusals = {
            "400": ("A parameter value cannot be used; the body names it.", _PARAMETER_ERRORS),
            "401": ("No credentials, or a token that does not exist.", _DETAIL),
            "403": ("Not allowed.", _DETAIL),
            "404": ("No job with that JobId.", _DETAIL),
            "429": ("The throttle rate is used up; Retry-After says for how long.", _DETAIL),
        }
        if not any(parameter["in"] == "query" for parameter in self._get_parameters()):
            del refusals["400"]
        if "{job_id}" not in self.path:
            del refusals["404"]
        for code, (description, schema) in refusals.items():
            responses[code] = {"description": description, "content": {"application/json": {"schema": schema}}}
        return responses


class JobPagination(KeysetPagination):
    orderings = ("-id", "id", "-creation_time", "creation_time", "-end_time", "end_time")


class DeliveryPagination(KeysetPagination):
    orderings = ("received_at", "-received_at")
    # A body may be up to CICALLBACK_MAX_BODY_BYTES: smaller pages keep a response within reason.
    page_size = 20
    max_page_size = 100


class JobViewSet(viewsets.ReadOnlyModelViewSet):
    """Jobs as CI last reported them. The list is newest received first unless `ordering` says otherwise."""

    lookup_field = "job_id"
    # PostgreSQL cannot compare text holding NUL, so such a JobId is simply not found.
    lookup_value_regex = r"[^/\x00]+"
    filterset_class = JobFilter
    pagination_class = JobPagination

    def get_queryset(self):
        if self.action == "retrieve":
            return Job.objects.with_details()
        return Job.objects.with_summary()

    def get_serializer_class(self):
        return JobDetailSerializer if self.action == "retrieve" else JobSummarySerializer


class JobDeliveryList(generics.ListAPIView):
    """Every delivery that reported a job, raw body included, oldest first unless `ordering` says otherwise."""

    serializer_class = DeliverySerializer
    pagination_class = DeliveryPagination
    filter_backends = []

    def get_queryset(self):
        job = get_object_or_404(Job.objects.only("id", "job_id"), job_id=self.kwargs["job_id"])
        return job.deliveries_about()


class JobStats(generics.GenericAPIView):
    """Stats of the jobs created in a time range, with the job list's filters.

    The range is what the filters let through, as in the job list: created_after/created_before,
    narrowed by the `period` preset; a missing end is now and a missing start is 24 hours before the end.
    """

    queryset = Job.objects.all()
    filterset_class = JobFilter
    pagination_class = None
    serializer_class = JobStatsSerializer

    @extend_schema(filters=True)
    def get(self, request: Request) -> Response:
        filterset = DjangoFilterBackend().get_filterset(request, self.get_queryset(), self)
        if not filterset.is_valid():
            raise translate_validation(filterset.errors)
        since, until = stats_range(filterset)
        return Response(self.get_serializer(job_stats(filterset.qs, since, until, filterset.form.cleaned_data)).data)


def stats_range(filterset: JobFilter) -> tuple[datetime, datetime]:
    since, until = filterset.creation_range()
    if since is None:
        try:
            since = until - DEFAULT_STATS_PERIOD
        except OverflowError:
            since = datetime.min.replace(tzinfo=UTC)
    return since, until
