from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tracker.services.seed import SeedError, plan_seed_apply, plan_seed_parse

DEFAULT_SEED = Path(settings.BASE_DIR) / "seeds" / "2023-shahekou-plan.yaml"


class Command(BaseCommand):
    help = "Load a curated work-report plan (default: the 2023 沙河口区 report). Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_SEED),
                            help="seed file (YAML); default: %(default)s")
        parser.add_argument("--rebase-year", type=int, default=None, metavar="YEAR",
                            help="load the same plan re-dated to YEAR, as a template")

    def handle(self, *args, path, rebase_year, **options):
        try:
            spec = plan_seed_parse(path, rebase_year=rebase_year)
            plan, summary = plan_seed_apply(spec, path_label=path)
        except SeedError as exc:
            raise CommandError(str(exc)) from None
        verb = "new plan" if summary.plan_created else "existing plan"
        self.stdout.write(f"{plan.title} ({plan.year}, {verb}): {summary.line()}")
