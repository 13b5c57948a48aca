"""The straightforward write path, for the ingest benchmark's "before": the ORM, a row at a time.

The same parser and the same tables as the real endpoint, stored the way a first version would:
update_or_create for the job and each one-to-one piece, delete-and-create for the headers, save()
for the delivery, in one transaction. It answers 200 once the transaction commits, like the real
endpoint; it keeps none of its rules (stale deliveries, digests, rejected bodies kept).
"""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from cicallback.models import CosHeader, Delivery, Job, PicProcessResult, Workflow
from cicallback.parsing import CallbackError, parse_callback, values

_RELATED = {"cos_headers", "workflow", "pic_process_result"}


@csrf_exempt
def naive_callback(request: HttpRequest, token: str) -> HttpResponse:
    body = request.body
    try:
        report = parse_callback(body).job
    except CallbackError as error:
        return HttpResponse(str(error), status=400)
    with transaction.atomic():
        columns = {name: value for name, value in values(report).items() if name not in _RELATED}
        job_id = columns.pop("job_id")
        job, _ = Job.objects.update_or_create(job_id=job_id, defaults=columns)
        CosHeader.objects.filter(job=job).delete()
        for position, header in enumerate(report.cos_headers or ()):
            CosHeader.objects.create(job=job, position=position, key=header.key, value=header.value)
        if report.workflow is not None:
            Workflow.objects.update_or_create(job=job, defaults=values(report.workflow))
        if report.pic_process_result is not None:
            PicProcessResult.objects.update_or_create(job=job, defaults=values(report.pic_process_result))
        Delivery(
            received_at=timezone.now(),
            content_type=request.content_type or "",
            body=body,
            body_bytes=len(body),
            event_name="TaskFinish",
            outcome=Delivery.Outcome.STORED,
            reported_job_id=job_id,
            job=job,
        ).save()
    return HttpResponse("stored\n", content_type="text/plain")
