"""The one FilterSet for jobs: the dashboard list, the CSV export and the API all filter with it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from cicallback.models import Job

PERIODS = {
    "1h": ("Last hour", timedelta(hours=1)),
    "24h": ("Last 24 hours", timedelta(hours=24)),
    "7d": ("Last 7 days", timedelta(days=7)),
}


# Failed jobs that CI sent without a Code: a link to them needs a value that no real code has.
NO_CODE = "-"


def stored_code(value: str) -> str:
    return "" if value == NO_CODE else value


class TimeField(django_filters.fields.IsoDateTimeField):
    def to_python(self, value):
        value = super().to_python(value)
        if value is None:
            return None
        # In UTC, because PostgreSQL refuses offsets over 15:59 that ISO 8601 allows, and
        # 9999-12-31T23:59-01:00 parses but has no UTC equivalent to compare in the database.
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValidationError("Enter a time between the years 1 and 9999 in UTC.", code="invalid") from None


class TimeFilter(django_filters.IsoDateTimeFilter):
    field_class = TimeField


TIME_HELP = "ISO 8601 with an offset, e.g. 2026-12-01T08:00:00+08:00"


class JobFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_q", label="Search", help_text="An exact JobId, the beginning of an object key, or UserData"
    )
    # No DISTINCT: a job matches a state once, and DISTINCT would make the database sort every match.
    state = django_filters.MultipleChoiceFilter(
        choices=Job.State.choices, widget=forms.CheckboxSelectMultiple, distinct=False
    )
    tag = django_filters.CharFilter(label="Tag")
    code = django_filters.CharFilter(method="filter_code", label="Error code", help_text=f'"{NO_CODE}" for none')
    bucket = django_filters.CharFilter(field_name="input_bucket", label="Bucket")
    region = django_filters.CharFilter(field_name="input_region", label="Region")
    queue_id = django_filters.CharFilter(label="Queue ID")
    template_id = django_filters.CharFilter(label="Template ID")
    workflow_id = django_filters.CharFilter(field_name="workflow__workflow_id", label="Workflow ID")
    run_id = django_filters.CharFilter(field_name="workflow__run_id", label="Run ID")
    period = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in PERIODS.items()],
        method="filter_period",
        label="Created in",
        empty_label="Any time",
    )
    created_after = TimeFilter(
        field_name="creation_time", lookup_expr="gte", label="Created after", help_text=TIME_HELP
    )
    created_before = TimeFilter(
        field_name="creation_time", lookup_expr="lt", label="Created before", help_text=TIME_HELP
    )
    ended_after = TimeFilter(field_name="end_time", lookup_expr="gte", label="Ended after", help_text=TIME_HELP)
    ended_before = TimeFilter(field_name="end_time", lookup_expr="lt", label="Ended before", help_text=TIME_HELP)

    class Meta:
        model = Job
        fields: list[str] = []

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # One "now" for the period filter and the range the stats read, so the two agree.
        self.now = timezone.now()

    def creation_range(self) -> tuple[datetime | None, datetime]:
        """The creation times the valid filters let through, [since, until); since is None when unbounded."""
        data = self.form.cleaned_data
        until = data.get("created_before") or self.now
        starts = [data.get("created_after")]
        if data.get("period"):
            starts.append(self.now - PERIODS[data["period"]][1])
        starts = [start for start in starts if start is not None]
        return (min(max(starts), until) if starts else None), until

    def filter_q(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        term = value.strip()
        if not term:
            return queryset
        return queryset.filter(Q(job_id=term) | Q(input_object__startswith=term) | Q(user_data=term))

    def filter_code(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(code=stored_code(value))

    def filter_period(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        _, length = PERIODS[value]
        return queryset.filter(creation_time__gte=self.now - length)
