"""Run one reminder sweep now, in this process (no broker needed)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from tracker.services.reminders import reminders_sweep


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today {value!r} is not a date (YYYY-MM-DD).") from None


class Command(BaseCommand):
    help = ("Send today's reminders (due soon, overdue, update due) as one digest per person "
            "and channel, and print a summary. Safe to run again: nothing is sent twice.")

    def add_arguments(self, parser):
        parser.add_argument("--today", type=_date, default=None,
                            help="sweep as if it were this day (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true",
                            help="show who would get what; send and record nothing")

    def handle(self, *args, today: dt.date | None, dry_run: bool, **options):
        summary = reminders_sweep(today=today, dry_run=dry_run, deliver="inline")
        for line in summary.lines():
            self.stdout.write(line)
        if summary.send.failed:
            self.stderr.write(self.style.WARNING(
                f"{summary.send.failed} deliveries failed; see 消息发送 in the admin."))
