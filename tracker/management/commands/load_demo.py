from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker.models import Plan
from tracker.services.demo import (
    FixtureError,
    demo_owners_assign,
    demo_progress_load,
    demo_users_load,
)


class Command(BaseCommand):
    help = ("Load DEMO users, owners and progress (fixtures/) onto the plan of --year. "
            "For trying the product only; never on a production system.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None,
                            help="plan year to put demo progress on (default: this year)")

    def handle(self, *args, year, **options):
        year = year or timezone.localdate().year
        plans = list(Plan.objects.filter(year=year))
        if not plans:
            raise CommandError(f"No plan for {year}: run `manage.py seed_report "
                               f"--rebase-year {year}` first.")
        try:
            logins = demo_users_load()
            for plan in plans:
                demo_owners_assign(plan=plan)
                entries = demo_progress_load(plan=plan)
                self.stdout.write(f"{plan.title}: {entries} demo progress entries added")
        except FixtureError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write("")
        self.stdout.write("Demo sign-ins (演示账号), password for all: " + logins[0].password)
        for login in logins:
            self.stdout.write(f"  {login.username:<12} {login.role:<8} {login.display_name}")
