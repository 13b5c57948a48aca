"""Keep the tables in check: delete old jobs and deliveries in small batches, safe beside traffic."""

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cicallback.management.arguments import age, positive_int
from cicallback.models import Delivery, Job, JobCount, JobDurationCount, WorkflowRun


class Command(BaseCommand):
    help = "Delete jobs (with their deliveries) and workflow runs older than an age."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than", type=age, required=True, help="e.g. 90d, 12h, 2w")
        parser.add_argument("--keep-failed-for", type=age, help="keep failed jobs until this age instead")
        parser.add_argument(
            "--bodies-only",
            action="store_true",
            help="keep jobs and deliveries; only empty the raw bodies of deliveries older than the age",
        )
        parser.add_argument("--batch-size", type=positive_int, default=1000)
        parser.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")

    def handle(self, *args, older_than, keep_failed_for, bodies_only, batch_size, dry_run, **options) -> None:
        if keep_failed_for and bodies_only:
            raise CommandError("--bodies-only keeps every job, so --keep-failed-for has nothing to keep")
        if keep_failed_for and keep_failed_for < older_than:
            # Read as asked, it would delete failed jobs sooner than the others: surely a slip.
            raise CommandError("--keep-failed-for keeps failed jobs longer: it must not be shorter than --older-than")
        now = timezone.now()
        cutoff = now - older_than
        if bodies_only:
            self.drop_bodies(cutoff, batch_size, dry_run)
            return
        jobs = _jobs_older_than(cutoff)
        if keep_failed_for:
            jobs = jobs.exclude(state=Job.State.FAILED) | _jobs_older_than(now - keep_failed_for).failed()
        job_count, delivery_count = self.purge_jobs(jobs, batch_size, dry_run)
        stray = Delivery.objects.filter(job__isnull=True, received_at__lt=cutoff)
        runs = WorkflowRun.objects.filter(
            Q(create_time__lt=cutoff) | Q(create_time__isnull=True, updated_at__lt=cutoff)
        )
        stray_count = _delete_in_batches(stray, batch_size, dry_run)
        run_count = _delete_in_batches(runs, batch_size, dry_run)
        if not dry_run:
            # The triggers count purged jobs out; hours left with none need no row.
            JobCount.objects.filter(jobs=0).delete()
            JobDurationCount.objects.filter(jobs=0).delete()
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {job_count} jobs with {delivery_count} deliveries, {stray_count} deliveries without a job "
            f"and {run_count} workflow runs (older than {cutoff:%Y-%m-%d %H:%M} UTC)"
        )

    def purge_jobs(self, jobs, batch_size: int, dry_run: bool) -> tuple[int, int]:
        if dry_run:
            return jobs.count(), Delivery.objects.filter(job__in=jobs).count()
        job_count = delivery_count = 0
        while ids := list(jobs.order_by("id").values_list("id", flat=True)[:batch_size]):
            # One short transaction per batch: callbacks keep flowing between batches.
            with transaction.atomic():
                delivery_count += Delivery.objects.filter(job_id__in=ids).delete()[0]
                job_count += Job.objects.filter(id__in=ids).delete()[1].get("cicallback.Job", 0)
        return job_count, delivery_count

    def drop_bodies(self, cutoff, batch_size: int, dry_run: bool) -> None:
        old = Delivery.objects.filter(received_at__lt=cutoff, body_bytes__gt=0).exclude(body=b"")
        if dry_run:
            self.stdout.write(f"Would empty the bodies of {old.count()} deliveries")
            return
        emptied = 0
        while ids := list(old.order_by("id").values_list("id", flat=True)[:batch_size]):
            emptied += Delivery.objects.filter(id__in=ids).update(body=b"")
        self.stdout.write(f"Emptied the bodies of {emptied} deliveries; their jobs are kept")


def _jobs_older_than(cutoff):
    # A job's age is its CreationTime; one that CI sent without it ages from when it arrived.
    return Job.objects.filter(Q(creation_time__lt=cutoff) | Q(creation_time__isnull=True, first_received_at__lt=cutoff))


def _delete_in_batches(queryset, batch_size: int, dry_run: bool) -> int:
    if dry_run:
        return queryset.count()
    deleted = 0
    while ids := list(queryset.order_by("pk").values_list("pk", flat=True)[:batch_size]):
        with transaction.atomic():
            deleted += queryset.model.objects.filter(pk__in=ids).delete()[1].get(queryset.model._meta.label, 0)
    return deleted
