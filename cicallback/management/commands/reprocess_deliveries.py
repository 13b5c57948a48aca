"""Replay stored deliveries through the current parser, so a parser fix repairs what it refused."""

from django.core.management.base import BaseCommand, CommandParser

from cicallback.management.arguments import iso_time
from cicallback.models import Delivery
from cicallback.receive import process
from cicallback.replay import replayable


class Command(BaseCommand):
    help = "Parse and store stored deliveries again with the current code (rejected ones by default)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--outcome",
            action="append",
            choices=Delivery.Outcome.values,
            help="outcome to replay; repeat for several (default: rejected)",
        )
        parser.add_argument("--since", type=iso_time, help="received at or after (ISO 8601)")
        parser.add_argument("--until", type=iso_time, help="received before (ISO 8601)")
        parser.add_argument("--job-id", help="only deliveries that reported this JobId")
        parser.add_argument("--dry-run", action="store_true", help="list what would be replayed, change nothing")

    def handle(self, *args, outcome, since, until, job_id, dry_run, **options) -> None:
        deliveries = Delivery.objects.filter(outcome__in=outcome or [Delivery.Outcome.REJECTED])
        if since:
            deliveries = deliveries.filter(received_at__gte=since)
        if until:
            deliveries = deliveries.filter(received_at__lt=until)
        if job_id:
            deliveries = deliveries.filter(reported_job_id=job_id)
        deliveries, dropped = replayable(deliveries)
        tally: dict[str, int] = {}
        for delivery in deliveries.order_by("received_at", "id").iterator(chunk_size=200):
            before = delivery.outcome
            if dry_run:
                self.stdout.write(
                    f"would replay delivery {delivery.pk} ({before}, {delivery.received_at:%Y-%m-%d %H:%M:%S})"
                )
                after = before
            else:
                after = process(delivery).outcome
            tally[f"{before} -> {after}"] = tally.get(f"{before} -> {after}", 0) + 1
        verb = "Would replay" if dry_run else "Replayed"
        self.stdout.write(f"{verb} {sum(tally.values())} deliveries")
        for change, count in sorted(tally.items()):
            self.stdout.write(f"  {change}: {count}")
        if dropped:
            verb = "Would skip" if dry_run else "Skipped"
            self.stdout.write(
                f"{verb} {dropped} deliveries whose body was emptied by purge_jobs --bodies-only: "
                "there is nothing to parse, and their jobs are kept as they are"
            )
