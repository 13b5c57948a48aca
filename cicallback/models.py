"""The job history: jobs as CI reported them, and every delivery that reported them."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cicallback.parsing import readable_text


class JobQuerySet(models.QuerySet):
    def failed(self) -> JobQuerySet:
        return self.filter(state=Job.State.FAILED)

    def of_workflow(self, workflow_id: str) -> JobQuerySet:
        return self.filter(workflow__workflow_id=workflow_id)

    def of_run(self, run_id: str) -> JobQuerySet:
        return self.filter(workflow__run_id=run_id)

    def with_summary(self) -> JobQuerySet:
        """What a row of a job list shows: the job, its workflow and its image result."""
        return self.select_related("workflow", "pic_process_result")

    def with_details(self) -> JobQuerySet:
        return self.with_summary().prefetch_related("cos_headers")


class Job(models.Model):
    """One CI job, as its latest delivery described it (JobsDetail)."""

    class State(models.TextChoices):
        SUBMITTED = "Submitted"
        RUNNING = "Running"
        SUCCESS = "Success"
        FAILED = "Failed"
        PAUSE = "Pause"
        CANCEL = "Cancel"

    job_id = models.CharField("JobId", max_length=64, unique=True)
    # The set of states is the vendor's; a value outside it is kept as sent, so no choices here.
    state = models.CharField(max_length=64, db_index=True)
    code = models.CharField(max_length=256, blank=True, db_index=True)
    message = models.TextField(blank=True)
    tag = models.CharField(max_length=64, db_index=True)
    sub_tag = models.CharField(max_length=64, blank=True)
    progress = models.FloatField(null=True, blank=True)
    queue_id = models.CharField(max_length=64, blank=True, db_index=True)
    creation_time = models.DateTimeField(null=True, blank=True, db_index=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True, db_index=True)

    input_bucket = models.CharField(max_length=256, blank=True, db_index=True)
    input_object = models.CharField(max_length=1024, blank=True)
    input_region = models.CharField(max_length=64, blank=True, db_index=True)

    template_id = models.CharField(max_length=64, blank=True, db_index=True)
    template_name = models.CharField(max_length=256, blank=True)
    user_data = models.TextField(blank=True)
    job_level = models.PositiveIntegerField(null=True, blank=True)
    output_bucket = models.CharField(max_length=256, blank=True)
    output_object = models.CharField(max_length=1024, blank=True)
    output_region = models.CharField(max_length=64, blank=True)
    # The whole Operation as received, so job types without columns of their own lose nothing.
    operation = models.JSONField(default=dict, blank=True)

    # Digest of what the stored deliveries said, piece by piece; see cicallback.store.
    content_digest = models.CharField(max_length=80, blank=True, editable=False)
    # When the first delivery of the job arrived (a replayed one keeps its own time), not when the row was written.
    first_received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        indexes = [
            # Object keys are searched by prefix: LIKE 'prefix%' needs the pattern opclass on PostgreSQL.
            models.Index(fields=["input_object"], name="job_input_object", opclasses=["varchar_pattern_ops"]),
            # The list filtered by state, newest first, and its capped count: both read this index
            # alone, where the state index would have the database sort every failed job.
            models.Index(fields=["state", "id"], name="job_state_id"),
            # A bucket over a time range, sorted by creation time: one range of this index.
            models.Index(fields=["input_bucket", "creation_time", "id"], name="job_bucket_created"),
            # Everything the stats count, so a range of days is read from the index, not the table
            # (whose rows carry the whole Operation and are many times wider).
            models.Index(fields=["creation_time", "state", "tag", "start_time", "end_time"], name="job_created_stats"),
            # Error codes of failed jobs over a time range, for the stats and failed-jobs pages.
            models.Index(
                fields=["creation_time", "code", "end_time"], name="job_failed_created", condition=Q(state="Failed")
            ),
        ]

    def __str__(self) -> str:
        return self.job_id

    def deliveries_about(self) -> models.QuerySet[Delivery]:
        """Its deliveries, with those that named its JobId but were rejected before they could be linked."""
        return Delivery.objects.filter(Q(job=self) | Q(job__isnull=True, reported_job_id=self.job_id))

    @property
    def duration(self):
        if self.start_time and self.end_time:
            return self.end_time - self.start_time
        return None

    @property
    def queue_wait(self):
        if self.creation_time and self.start_time:
            return self.start_time - self.creation_time
        return None


class CosHeader(models.Model):
    """A header of the input object (Input/CosHeaders); keys may repeat, order is kept."""

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="cos_headers")
    position = models.PositiveIntegerField()
    key = models.CharField(max_length=256)
    value = models.TextField(blank=True)

    class Meta:
        ordering = ["job", "position"]
        constraints = [models.UniqueConstraint(fields=["job", "position"], name="cos_header_position")]

    def __str__(self) -> str:
        return f"{self.key}: {self.value}"


class Workflow(models.Model):
    """The workflow node that ran a job: all jobs of a workflow, or of one run, share these ids."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="workflow")
    name = models.CharField("node name", max_length=256, blank=True)
    run_id = models.CharField(max_length=64, blank=True, db_index=True)
    workflow_id = models.CharField(max_length=64, blank=True, db_index=True)
    workflow_name = models.CharField(max_length=256, blank=True)

    def __str__(self) -> str:
        return f"{self.workflow_name or self.workflow_id} / {self.run_id}"


class PicProcessResult(models.Model):
    """Operation/PicProcessResult: the original image and what processing made of it."""

    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="pic_process_result")
    object_name = models.CharField(max_length=1024, blank=True)
    # Etags keep the literal double quotes COS puts around them.
    original_etag = models.CharField(max_length=256, blank=True)
    original_format = models.CharField(max_length=64, blank=True)
    original_width = models.PositiveIntegerField(null=True, blank=True)
    original_height = models.PositiveIntegerField(null=True, blank=True)
    original_quality = models.PositiveIntegerField(null=True, blank=True)
    original_ave = models.CharField("original average colour", max_length=64, blank=True)
    original_orientation = models.PositiveIntegerField(null=True, blank=True)
    processed_etag = models.CharField(max_length=256, blank=True)
    processed_format = models.CharField(max_length=64, blank=True)
    processed_width = models.PositiveIntegerField(null=True, blank=True)
    processed_height = models.PositiveIntegerField(null=True, blank=True)
    processed_quality = models.PositiveIntegerField(null=True, blank=True)
    processed_size = models.PositiveBigIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return self.object_name


class WorkflowRun(models.Model):
    """A WorkflowFinish event: how one run of a workflow ended, and its tasks."""

    run_id = models.CharField(max_length=64, unique=True)
    workflow_id = models.CharField(max_length=64, blank=True, db_index=True)
    workflow_name = models.CharField(max_length=256, blank=True)
    state = models.CharField(max_length=64, blank=True, db_index=True)
    bucket_id = models.CharField(max_length=256, blank=True)
    object = models.CharField(max_length=1024, blank=True)
    create_time = models.DateTimeField(null=True, blank=True)
    cos_headers = models.JSONField(default=list, blank=True)
    # Digest of the report last stored, which tells a repeated WorkflowFinish; see cicallback.store.
    report_digest = models.CharField(max_length=16, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.run_id

    def jobs(self) -> JobQuerySet:
        return Job.objects.filter(Q(workflow__run_id=self.run_id) | Q(job_id__in=self.tasks.values("job_id")))


class WorkflowTask(models.Model):
    """One task of a workflow run; linked to its job by JobId, which may arrive before or after."""

    run = models.ForeignKey(WorkflowRun, on_delete=models.CASCADE, related_name="tasks")
    position = models.PositiveIntegerField()
    type = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=256, blank=True)
    job_id = models.CharField(max_length=64, blank=True, db_index=True)
    state = models.CharField(max_length=64, blank=True)
    create_time = models.DateTimeField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    end_time = models.DateTimeField(null=True, blank=True)
    template_id = models.CharField(max_length=64, blank=True)
    template_name = models.CharField(max_length=256, blank=True)
    result_info = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]

    def __str__(self) -> str:
        return f"{self.type} {self.job_id}"


class Delivery(models.Model):
    """One authenticated POST, kept whatever became of it: nothing a sender sent is lost."""

    class Outcome(models.TextChoices):
        STORED = "stored"
        DUPLICATE = "duplicate"
        STALE = "stale"
        UNKNOWN_EVENT = "unknown_event", "unknown event"
        REJECTED = "rejected"

    received_at = models.DateTimeField(db_index=True)
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    # Kept whole, like the body: nothing a sender sent is altered.
    content_type = models.TextField(blank=True)
    body = models.BinaryField()
    body_bytes = models.PositiveIntegerField("bytes", default=0)
    event_name = models.CharField(max_length=64, blank=True, db_index=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, db_index=True)
    error = models.TextField(blank=True)
    # The JobId as the body reported it, even when no job could be stored from it.
    reported_job_id = models.CharField(max_length=64, blank=True, db_index=True)
    job = models.ForeignKey(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries")
    workflow_run = models.ForeignKey(
        WorkflowRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )

    class Meta:
        verbose_name_plural = "deliveries"
        ordering = [F("received_at").desc(), F("id").desc()]

    def __str__(self) -> str:
        return f"{self.outcome} {self.reported_job_id or self.event_name} at {self.received_at:%Y-%m-%d %H:%M:%S}"

    @property
    def body_text(self) -> str:
        return readable_text(bytes(self.body))


class JobCount(models.Model):
    """How many jobs were created in an hour, by state, tag and code.

    Kept by database triggers on the job table (see the migration that adds them), so every
    write counts, whoever makes it: callbacks, the admin, purges. The stats of a quarter then
    add up a few thousand of these rows instead of reading a million jobs.
    """

    hour = models.DateTimeField()
    state = models.CharField(max_length=64)
    tag = models.CharField(max_length=64)
    code = models.CharField(max_length=256)
    jobs = models.BigIntegerField()
    # The latest EndTime counted here. Only ever raised: a job that leaves this row later
    # (updated or purged) was still seen ending then.
    last_end_time = models.DateTimeField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["hour", "state", "tag", "code"], name="jobcount_key")]

    def __str__(self) -> str:
        return f"{self.hour:%Y-%m-%d %H:00} {self.state} {self.tag} {self.code}: {self.jobs}"


class JobDurationCount(models.Model):
    """How many finished jobs created in a day (UTC) took each duration (EndTime - StartTime), by
    state, tag and code: the duration percentiles are read from here. Kept like JobCount.

    By day rather than by hour: a day repeats most of the durations each of its hours has, so a
    quarter at a million jobs has 88,000 rows to add up instead of 416,000.
    """

    day = models.DateTimeField()
    state = models.CharField(max_length=64)
    tag = models.CharField(max_length=64)
    code = models.CharField(max_length=256)
    microseconds = models.BigIntegerField()
    jobs = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "state", "tag", "code", "microseconds"], name="jobdurationcount_key")
        ]

    def __str__(self) -> str:
        return f"{self.day:%Y-%m-%d} {self.tag} {self.microseconds} µs: {self.jobs}"
