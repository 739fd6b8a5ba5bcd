"""``manage.py demo setup``: create the demo database and register the demo metadata (``make run`` runs it).

Idempotent: only what is missing is created, so a second run changes nothing. With ``DEMO=0`` it does
nothing at all.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from console.demo.database import demo_database_path
from console.demo.queries import SEED_QUERIES
from console.demo.setup import SetupOutcome, demo_setup
from engine.errors import EngineError

TURN_OFF_HINT = "Set DEMO=0 to start without the demo."


class Command(BaseCommand):
    help = "Set up the demo of the seed examples: its SQLite database, metadata and a first console user."

    def add_arguments(self, parser: CommandParser) -> None:
        """Declare the subcommands."""
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("setup", help="create what the demo lacks (database, metadata, first user)")

    def handle(self, *args: Any, **options: Any) -> None:
        """Run the chosen subcommand."""
        if not settings.DEMO:
            self.stdout.write("DEMO is off: the demo is not set up.")
            return
        try:
            outcome = demo_setup()
        except sqlite3.Error as error:
            raise CommandError(
                f"the demo database {demo_database_path()} cannot be set up: {error}. {TURN_OFF_HINT}"
            )
        except EngineError as error:
            raise CommandError(f"the demo metadata cannot be registered: {error.message}. {TURN_OFF_HINT}")
        self._report(outcome)

    def _report(self, outcome: SetupOutcome) -> None:
        state = "created" if outcome.database_created else "kept as it was"
        self.stdout.write(f"Demo database {demo_database_path()}: {state}.")
        if outcome.skipped_because is not None:
            self.stdout.write(self.style.WARNING(f"Demo metadata not registered: {outcome.skipped_because}."))
            self.stdout.write(TURN_OFF_HINT)
        elif outcome.registered:
            self.stdout.write(f"Demo metadata registered: {', '.join(outcome.registered)}.")
        else:
            self.stdout.write("Demo metadata in place: nothing to change.")
        if outcome.first_user is not None:
            username, password = outcome.first_user
            self.stdout.write(
                self.style.WARNING(
                    f"Created the console user {username!r} with password {password!r} "
                    "(open development mode: no ADMIN_SECRET is set). Change it before exposing this server."
                )
            )
        self.stdout.write(f"Seed queries ({len(SEED_QUERIES)}) are linked from the console's home page.")
