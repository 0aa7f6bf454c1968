from django.core.management.base import BaseCommand, CommandError

from tracker.services.demo import FixtureError, departments_load


class Command(BaseCommand):
    help = "Create or update the district's departments from fixtures/departments.yaml."

    def handle(self, *args, **options):
        try:
            created = departments_load()
        except FixtureError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"departments: {created} created")
