"""Admin for tables that grow to millions of rows: no full count per page, no query per row."""

from django.contrib import admin, messages
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html

from cicallback.models import CosHeader, Delivery, Job, PicProcessResult, Workflow, WorkflowRun, WorkflowTask
from cicallback.receive import process
from cicallback.replay import replayable


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows: beyond that the exact number is not worth a full table scan."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list.values("pk")[: self.CAP].count()


class IndexedValuesFilter(admin.AllValuesFieldListFilter):
    """The distinct values of an indexed column, found by skipping through its index.

    Django's filter asks for SELECT DISTINCT, which reads every row of the index: a million of
    them for a handful of tags. Asking the index for the next value after the last one found
    costs one probe per value instead.
    """

    MAX_VALUES = 100

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = distinct_values(model, field.column, self.MAX_VALUES)


def distinct_values(model, column: str, limit: int) -> list[str]:
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""WITH RECURSIVE found(value) AS (
                    SELECT MIN({column}) FROM {table}
                    UNION ALL
                    SELECT (SELECT MIN({column}) FROM {table} WHERE {column} > found.value)
                    FROM found WHERE found.value IS NOT NULL
                )
                SELECT value FROM found WHERE value IS NOT NULL LIMIT %s""",
            [limit],
        )
        return [value for (value,) in cursor.fetchall()]


class ReadOnlyInline:
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CosHeaderInline(ReadOnlyInline, admin.TabularInline):
    model = CosHeader
    fields = ["position", "key", "value"]


class WorkflowInline(ReadOnlyInline, admin.StackedInline):
    model = Workflow
    fields = ["workflow_name", "workflow_id", "run_id", "name"]


class PicProcessResultInline(ReadOnlyInline, admin.StackedInline):
    model = PicProcessResult
    fields = [f.name for f in PicProcessResult._meta.fields if f.name not in ("id", "job")]


class DeliveryInline(ReadOnlyInline, admin.TabularInline):
    model = Delivery
    fields = ["link", "received_at", "outcome", "event_name", "client_ip", "error"]
    readonly_fields = ["link"]
    fk_name = "job"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A job may have many deliveries; their bodies are read one at a time, on the delivery page.
        return super().get_queryset(request).defer("body")

    @admin.display(description="delivery")
    def link(self, delivery: Delivery) -> str:
        return format_html(
            '<a href="{}">#{}</a>', reverse("admin:cicallback_delivery_change", args=[delivery.pk]), delivery.pk
        )


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ["job_id", "state", "code", "tag", "input_bucket", "input_object", "end_time", "workflow_name"]
    list_filter = [(name, IndexedValuesFilter) for name in ("state", "tag", "input_region", "input_bucket")]
    list_select_related = ["workflow"]
    search_fields = ["job_id"]
    search_help_text = "An exact JobId, or the beginning of an input object key."
    date_hierarchy = None
    paginator = CappedCountPaginator
    show_full_result_count = False
    # The admin renders a row cell by cell, about a millisecond a row: 50 keep a page quick.
    list_per_page = 50
    ordering = ["-id"]
    inlines = [CosHeaderInline, WorkflowInline, PicProcessResultInline, DeliveryInline]
    exclude = ["content_digest"]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        # The history is what CI said; nobody edits it by hand.
        return [f.name for f in Job._meta.fields if f.name != "content_digest"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list shows a few columns: the Operation JSON and texts stay in the database.
        queryset = super().get_queryset(request)
        if request.resolver_match.url_name.endswith("changelist"):
            return queryset.defer("operation", "message", "user_data", "content_digest")
        return queryset

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # Exact JobId or key prefix: both use an index, unlike the admin's default icontains.
        term = search_term.strip()
        if not term:
            return queryset, False
        by_id = queryset.filter(job_id=term)
        return by_id | queryset.filter(input_object__startswith=term), False

    @admin.display(description="workflow", ordering="workflow__workflow_name")
    def workflow_name(self, job: Job) -> str:
        workflow = getattr(job, "workflow", None)
        return workflow.workflow_name if workflow else ""


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "received_at", "outcome", "event_name", "reported_job_id", "client_ip", "body_bytes"]
    list_filter = ["outcome", ("event_name", IndexedValuesFilter)]
    search_fields = ["=reported_job_id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    raw_id_fields = ["job", "workflow_run"]
    actions = ["reprocess"]
    fields = [
        "received_at", "outcome", "error", "event_name", "reported_job_id", "job", "workflow_run",
        "client_ip", "content_type", "body_bytes", "body_display",
    ]  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return self.fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # The list does not need the bodies; the change page loads its one body itself.
        queryset = super().get_queryset(request)
        return queryset.defer("body") if request.resolver_match.url_name.endswith("changelist") else queryset

    @admin.action(description="Parse and store the selected deliveries again", permissions=["change"])
    def reprocess(self, request: HttpRequest, queryset: QuerySet) -> None:
        deliveries, dropped = replayable(queryset)
        outcomes = [process(delivery).outcome for delivery in deliveries.order_by("received_at", "id")]
        summary = ", ".join(f"{outcomes.count(o)} {o}" for o in sorted(set(outcomes)))
        self.message_user(request, f"Replayed {len(outcomes)} deliveries: {summary or 'none'}.", messages.SUCCESS)
        if dropped:
            self.message_user(
                request,
                f"Skipped {dropped} deliveries whose body was emptied by purge_jobs --bodies-only.",
                messages.WARNING,
            )

    @admin.display(description="body")
    def body_display(self, delivery: Delivery) -> str:
        return format_html('<pre style="white-space: pre-wrap; max-width: 100ch">{}</pre>', delivery.body_text)


class WorkflowTaskInline(ReadOnlyInline, admin.TabularInline):
    model = WorkflowTask
    fields = ["position", "type", "name", "job_id", "state", "create_time", "start_time", "end_time"]


@admin.register(WorkflowRun)
class WorkflowRunAdmin(admin.ModelAdmin):
    list_display = ["run_id", "workflow_name", "state", "object", "create_time"]
    list_filter = [("state", IndexedValuesFilter)]
    search_fields = ["=run_id", "=workflow_id"]
    paginator = CappedCountPaginator
    show_full_result_count = False
    inlines = [WorkflowTaskInline]

    def get_readonly_fields(self, request: HttpRequest, obj=None) -> list[str]:
        return [f.name for f in WorkflowRun._meta.fields if f.name != "report_digest"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
