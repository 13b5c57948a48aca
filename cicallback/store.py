"""Store what a callback said, one transaction per delivery.

Deliveries may repeat and arrive out of order, so storing a job is a merge, decided by two rules:
- a delivery whose EndTime is older than the stored one is stale and changes nothing;
- a piece a delivery does not carry (CosHeaders, Workflow, PicProcessResult) is "not told", not
  "none": the job API's callback of a workflow job must not erase what the workflow's callback said.

Each job keeps a digest of every piece it stores. Comparing digests tells a duplicate (nothing new,
one INSERT of the delivery) from news, and which related rows need rewriting, without loading them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import fields
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cicallback import parsing
from cicallback.models import CosHeader, Delivery, Job, PicProcessResult, Workflow, WorkflowRun, WorkflowTask
from cicallback.new_job import insert_new_job
from cicallback.parsing import values

_PIECES = ("fields", "cos_headers", "workflow", "pic_process_result")
_RELATED = {"cos_headers", "workflow", "pic_process_result", "operation"}
_JOB_COLUMNS = [f.name for f in fields(parsing.JobReport) if f.name not in _RELATED]


def store_job(report: parsing.JobReport, delivery: Delivery) -> Delivery:
    delivery.reported_job_id = report.job_id
    incoming = Digest.of(report)
    # A replayed delivery is already saved: it takes the merge path, which updates it in place.
    if delivery.pk is None and insert_new_job(_job_row(report, incoming), report, delivery) is not None:
        return delivery
    return _with_one_retry(lambda: _merge_job(report, incoming, delivery), delivery)


def store_workflow_run(report: parsing.WorkflowRunReport, delivery: Delivery) -> Delivery:
    return _with_one_retry(lambda: _replace_workflow_run(report, delivery), delivery)


def _with_one_retry(store, delivery: Delivery) -> Delivery:
    saved_pk, adding = delivery.pk, delivery._state.adding
    try:
        with transaction.atomic():
            return store()
    except IntegrityError:
        # Two first deliveries of one job raced and the other committed its row first. Run again:
        # this time the row exists, is locked and merged into like any other.
        delivery.pk, delivery._state.adding = saved_pk, adding
        with transaction.atomic():
            return store()


# --- Jobs ---------------------------------------------------------------------------------------


def _merge_job(report: parsing.JobReport, incoming: Digest, delivery: Delivery) -> Delivery:
    job = Job.objects.select_for_update().only("id", "end_time", "content_digest").filter(job_id=report.job_id).first()
    if job is None:
        job = Job.objects.create(**_job_row(report, incoming), first_received_at=delivery.received_at)
        _write_related(job, report, Digest.empty(), incoming, fresh=True)
        outcome = Delivery.Outcome.STORED
    elif _is_stale(job.end_time, report.end_time):
        outcome = Delivery.Outcome.STALE
    else:
        stored = Digest.parse(job.content_digest)
        merged = stored.merged_with(incoming)
        if merged == stored:
            outcome = Delivery.Outcome.DUPLICATE
        else:
            Job.objects.filter(pk=job.pk).update(
                operation=report.operation, content_digest=str(merged), updated_at=timezone.now(), **_columns(report)
            )
            _write_related(job, report, stored, incoming, fresh=False)
            outcome = Delivery.Outcome.STORED
    delivery.job = job
    _settle(delivery, outcome)
    return delivery


def _is_stale(stored_end: datetime | None, incoming_end: datetime | None) -> bool:
    if stored_end is None:
        return False
    # A delivery without an EndTime reports a job still under way: older than a finished one.
    return incoming_end is None or incoming_end < stored_end


def _columns(report: parsing.JobReport) -> dict[str, Any]:
    return {name: getattr(report, name) for name in _JOB_COLUMNS}


def _job_row(report: parsing.JobReport, digest: Digest) -> dict[str, Any]:
    return {**_columns(report), "operation": report.operation, "content_digest": str(digest)}


def _write_related(job: Job, report: parsing.JobReport, stored: Digest, incoming: Digest, fresh: bool) -> None:
    """Rewrite the related rows whose piece the delivery carries and changes; leave the rest."""

    def changed(piece: str) -> bool:
        return incoming.pieces[piece] != "-" and incoming.pieces[piece] != stored.pieces[piece]

    if changed("cos_headers"):
        if not fresh:
            CosHeader.objects.filter(job=job).delete()
        CosHeader.objects.bulk_create(
            [CosHeader(job=job, position=i, key=h.key, value=h.value) for i, h in enumerate(report.cos_headers)],
            batch_size=500,
        )
    if changed("workflow"):
        if not fresh:
            Workflow.objects.filter(job=job).delete()
        Workflow.objects.create(job=job, **values(report.workflow))
    if changed("pic_process_result"):
        if not fresh:
            PicProcessResult.objects.filter(job=job).delete()
        PicProcessResult.objects.create(job=job, **values(report.pic_process_result))


class Digest:
    """A short hash of each piece of a job report; "-" for a piece the delivery did not carry."""

    def __init__(self, pieces: dict[str, str]) -> None:
        self.pieces = pieces

    @classmethod
    def of(cls, report: parsing.JobReport) -> Digest:
        scalars = _columns(report) | {"operation": _prune(report.operation)}
        return cls(
            {
                "fields": _hash(scalars),
                "cos_headers": "-" if report.cos_headers is None else _hash([values(h) for h in report.cos_headers]),
                "workflow": "-" if report.workflow is None else _hash(values(report.workflow)),
                "pic_process_result": (
                    "-" if report.pic_process_result is None else _hash(values(report.pic_process_result))
                ),
            }
        )

    @classmethod
    def empty(cls) -> Digest:
        return cls(dict.fromkeys(_PIECES, "-"))

    @classmethod
    def parse(cls, text: str) -> Digest:
        values = text.split(";")
        if len(values) != len(_PIECES):
            return cls.empty()
        return cls(dict(zip(_PIECES, values, strict=True)))

    def merged_with(self, incoming: Digest) -> Digest:
        return Digest({p: self.pieces[p] if incoming.pieces[p] == "-" else incoming.pieces[p] for p in _PIECES})

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Digest) and self.pieces == other.pieces

    def __str__(self) -> str:
        return ";".join(self.pieces[p] for p in _PIECES)


def _hash(value: Any) -> str:
    text = json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def _prune(value: Any) -> Any:
    """Drop empty values: XML sends <Etag/> where JSON omits the key, and both mean the same."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in ("", {}, [])}
    if isinstance(value, list):
        return [item for item in (_prune(v) for v in value) if item not in ("", {}, [])]
    return value


# --- Workflow runs ------------------------------------------------------------------------------


def _replace_workflow_run(report: parsing.WorkflowRunReport, delivery: Delivery) -> Delivery:
    """A WorkflowFinish is sent once a run has ended, so the latest delivery simply replaces it,
    unless it repeats the stored one: then it is a duplicate and nothing is rewritten."""
    columns = {
        "workflow_id": report.workflow_id,
        "workflow_name": report.workflow_name,
        "state": report.state,
        "bucket_id": report.bucket_id,
        "object": report.object,
        "create_time": report.create_time,
        "cos_headers": [values(h) for h in report.cos_headers],
    }
    tasks = [values(task) for task in report.tasks]
    # Pruned like a job's Operation, so the XML and JSON forms of one report are one digest.
    digest = _hash(_prune({**columns, "tasks": tasks}))
    run = WorkflowRun.objects.select_for_update().only("id", "report_digest").filter(run_id=report.run_id).first()
    if run is not None and run.report_digest == digest:
        outcome = Delivery.Outcome.DUPLICATE
    else:
        if run is None:
            run = WorkflowRun.objects.create(run_id=report.run_id, report_digest=digest, **columns)
        else:
            WorkflowRun.objects.filter(pk=run.pk).update(report_digest=digest, updated_at=timezone.now(), **columns)
            run.tasks.all().delete()
        WorkflowTask.objects.bulk_create(
            [WorkflowTask(run=run, position=i, **task) for i, task in enumerate(tasks)], batch_size=500
        )
        outcome = Delivery.Outcome.STORED
    delivery.workflow_run = run
    _settle(delivery, outcome)
    return delivery


def _settle(delivery: Delivery, outcome: str) -> None:
    # Replaying the delivery that stored something finds its own data again: it stays the delivery
    # that stored it rather than becoming a duplicate of itself.
    replayed_own_data = delivery.pk is not None and delivery.outcome == Delivery.Outcome.STORED
    if outcome == Delivery.Outcome.DUPLICATE and replayed_own_data:
        outcome = Delivery.Outcome.STORED
    delivery.outcome = outcome
    delivery.save()
