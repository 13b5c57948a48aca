"""The job history as JSON: snake_case names for the vendor's fields, grouped as CI groups them."""

from __future__ import annotations

import base64

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cicallback.models import CosHeader, Delivery, Job, PicProcessResult, Workflow


class InputSerializer(serializers.Serializer):
    bucket_id = serializers.CharField(source="input_bucket")
    object = serializers.CharField(source="input_object")
    region = serializers.CharField(source="input_region")


class OutputSerializer(serializers.Serializer):
    bucket = serializers.CharField(source="output_bucket")
    object = serializers.CharField(source="output_object", help_text="May keep template variables such as ${ext}.")
    region = serializers.CharField(source="output_region")


class OperationSerializer(serializers.Serializer):
    template_id = serializers.CharField()
    template_name = serializers.CharField()
    user_data = serializers.CharField()
    job_level = serializers.IntegerField(allow_null=True)
    output = OutputSerializer(source="*")
    raw = serializers.JSONField(source="operation", help_text="The whole Operation as CI sent it, in its own names.")


class CosHeaderSerializer(serializers.ModelSerializer):
    class Meta:
        model = CosHeader
        fields = ["key", "value"]


class WorkflowSerializer(serializers.ModelSerializer):
    class Meta:
        model = Workflow
        fields = ["name", "run_id", "workflow_id", "workflow_name"]


class OriginalImageSerializer(serializers.Serializer):
    etag = serializers.CharField(source="original_etag", help_text="With the literal double quotes COS sends.")
    format = serializers.CharField(source="original_format")
    width = serializers.IntegerField(source="original_width", allow_null=True)
    height = serializers.IntegerField(source="original_height", allow_null=True)
    quality = serializers.IntegerField(source="original_quality", allow_null=True)
    ave = serializers.CharField(source="original_ave", help_text="Average colour, e.g. 0xc64847.")
    orientation = serializers.IntegerField(source="original_orientation", allow_null=True)


class ProcessedImageSerializer(serializers.Serializer):
    etag = serializers.CharField(source="processed_etag")
    format = serializers.CharField(source="processed_format")
    width = serializers.IntegerField(source="processed_width", allow_null=True)
    height = serializers.IntegerField(source="processed_height", allow_null=True)
    quality = serializers.IntegerField(source="processed_quality", allow_null=True)
    size = serializers.IntegerField(source="processed_size", allow_null=True)


class PicProcessResultSerializer(serializers.ModelSerializer):
    original = OriginalImageSerializer(source="*")
    processed = ProcessedImageSerializer(source="*")

    class Meta:
        model = PicProcessResult
        fields = ["object_name", "original", "processed"]


class JobSummarySerializer(serializers.ModelSerializer):
    """A row of the job list: what Job.objects.with_summary() loads in one query."""

    url = serializers.HyperlinkedIdentityField(view_name="api:job-detail", lookup_field="job_id")
    input = InputSerializer(source="*")
    workflow = serializers.SerializerMethodField()
    pic_process_result = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = [
            "url",
            "job_id",
            "state",
            "code",
            "message",
            "tag",
            "sub_tag",
            "progress",
            "queue_id",
            "creation_time",
            "start_time",
            "end_time",
            "input",
            "workflow",
            "pic_process_result",
        ]

    # A missing one-to-one row raises on access; the API says null instead.
    @extend_schema_field(WorkflowSerializer(allow_null=True))
    def get_workflow(self, job: Job) -> dict | None:
        workflow = getattr(job, "workflow", None)
        return None if workflow is None else WorkflowSerializer(workflow).data

    @extend_schema_field(PicProcessResultSerializer(allow_null=True))
    def get_pic_process_result(self, job: Job) -> dict | None:
        result = getattr(job, "pic_process_result", None)
        return None if result is None else PicProcessResultSerializer(result).data


class JobDetailSerializer(JobSummarySerializer):
    """One job with everything: what Job.objects.with_details() loads."""

    cos_headers = CosHeaderSerializer(many=True, help_text="Input/CosHeaders in the order sent; keys may repeat.")
    operation = OperationSerializer(source="*")

    class Meta(JobSummarySerializer.Meta):
        fields = [*JobSummarySerializer.Meta.fields, "cos_headers", "operation"]


class DeliverySerializer(serializers.ModelSerializer):
    body_encoding = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(help_text="The body as received: text if UTF-8, base64 otherwise.")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "received_at",
            "client_ip",
            "content_type",
            "event_name",
            "outcome",
            "error",
            "reported_job_id",
            "body_bytes",
            "body_encoding",
            "body",
        ]

    @extend_schema_field(serializers.ChoiceField(choices=["utf-8", "base64"]))
    def get_body_encoding(self, delivery: Delivery) -> str:
        return body_as_text(bytes(delivery.body))[0]

    def get_body(self, delivery: Delivery) -> str:
        return body_as_text(bytes(delivery.body))[1]


def body_as_text(body: bytes) -> tuple[str, str]:
    """(encoding, text): the body unchanged, as text when it can be."""
    try:
        return "utf-8", body.decode("utf-8")
    except UnicodeDecodeError:
        return "base64", base64.b64encode(body).decode("ascii")


class TagCountSerializer(serializers.Serializer):
    tag = serializers.CharField()
    total = serializers.IntegerField()
    failed = serializers.IntegerField()


class StatsBucketSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    total = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField())


class TagDurationSerializer(serializers.Serializer):
    tag = serializers.CharField()
    count = serializers.IntegerField(help_text="How many durations the percentiles rest on.")
    p50 = serializers.FloatField(help_text="Seconds from StartTime to EndTime.")
    p95 = serializers.FloatField()


class ErrorCodeCountSerializer(serializers.Serializer):
    code = serializers.CharField()
    count = serializers.IntegerField()


class JobStatsSerializer(serializers.Serializer):
    """What dashboard.stats.job_stats() returns."""

    since = serializers.DateTimeField()
    until = serializers.DateTimeField()
    step = serializers.ChoiceField(choices=["hour", "day"], help_text="The width of each over_time bucket.")
    total = serializers.IntegerField()
    by_state = serializers.DictField(child=serializers.IntegerField())
    failure_rate = serializers.FloatField(allow_null=True, help_text="Failed / (Success + Failed); null if neither.")
    by_tag = TagCountSerializer(many=True)
    over_time = StatsBucketSerializer(many=True, help_text="Buckets with at least one job, oldest first.")
    duration_by_tag = TagDurationSerializer(many=True)
    top_error_codes = ErrorCodeCountSerializer(many=True, help_text="Codes of failed jobs, most frequent first.")
