"""Jobs as CSV lines, produced one at a time so an export of a million jobs runs in constant memory."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.db.models import QuerySet

from cicallback.models import Job

COLUMNS = [
    "job_id",
    "state",
    "tag",
    "code",
    "message",
    "input_bucket",
    "input_region",
    "input_object",
    "output_object",
    "creation_time",
    "start_time",
    "end_time",
    "duration_seconds",
    "queue_wait_seconds",
    "queue_id",
    "template_id",
    "user_data",
    "workflow_id",
    "run_id",
    "original_width",
    "original_height",
    "processed_width",
    "processed_height",
    "processed_size",
]
# A cell starting with one of these is a formula to a spreadsheet; CI messages are not to be run.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _Line:
    """csv.writer wants a file; this one hands back each line instead of keeping it."""

    def write(self, text: str) -> str:
        return text


def csv_lines(jobs: QuerySet) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(COLUMNS)
    for job in jobs.iterator(chunk_size=2000):
        yield writer.writerow([_cell(value) for value in _row(job)])


def _row(job: Job) -> list[Any]:
    workflow = _related(job, "workflow")
    pic = _related(job, "pic_process_result")
    return [
        job.job_id,
        job.state,
        job.tag,
        job.code,
        job.message,
        job.input_bucket,
        job.input_region,
        job.input_object,
        pic.object_name if pic and pic.object_name else job.output_object,
        _iso(job.creation_time),
        _iso(job.start_time),
        _iso(job.end_time),
        _seconds(job.duration),
        _seconds(job.queue_wait),
        job.queue_id,
        job.template_id,
        job.user_data,
        workflow.workflow_id if workflow else "",
        workflow.run_id if workflow else "",
        pic.original_width if pic else None,
        pic.original_height if pic else None,
        pic.processed_width if pic else None,
        pic.processed_height if pic else None,
        pic.processed_size if pic else None,
    ]


def _related(job: Job, name: str):
    try:
        return getattr(job, name)
    except Job._meta.get_field(name).related_model.DoesNotExist:
        return None


def _iso(moment) -> str:
    return moment.isoformat() if moment else ""


def _seconds(span: timedelta | None) -> float | None:
    return None if span is None else span.total_seconds()


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return "" if value is None else value
