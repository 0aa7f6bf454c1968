"""manage.py create_api_token USERNAME [--read-only] [--expires DAYS] [--name TEXT]

Prints the token once; only its hash is stored, so it cannot be shown again.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.services_tokens import api_token_create
from tracker.services.errors import ValidationError


class Command(BaseCommand):
    help = "Create an API token for a user and print it once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--read-only", action="store_true",
                            help="The token can read but never write.")
        parser.add_argument("--expires", type=int, metavar="DAYS",
                            help="Expire after this many days (default: never).")
        parser.add_argument("--name", default="", help="What the token is for.")

    def handle(self, *args, username: str, read_only: bool, expires: int | None,
               name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            token, secret = api_token_create(user=user, name=name, read_only=read_only,
                                             expires_in_days=expires)
        except ValidationError as exc:
            raise CommandError(str(exc)) from None
        scope = "read-only" if token.read_only else "read-write"
        expiry = token.expires_at.isoformat() if token.expires_at else "never"
        self.stderr.write(f"Token for {user.username} ({scope}, expires {expiry}). "
                          "It is shown once; store it now.")
        # The secret alone on stdout, so scripts can capture it: TOKEN=$(manage.py ...)
        self.stdout.write(secret)
