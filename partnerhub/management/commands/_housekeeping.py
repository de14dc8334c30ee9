"""The shared shape of the housekeeping commands: `--dry-run`, and one line per count."""

from django.core.management.base import BaseCommand


class HousekeepingCommand(BaseCommand):
    job = None  # a function of partnerhub.housekeeping (or an app's), taking dry_run=

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="say what would be done, change nothing")

    def handle(self, *args, dry_run, **options):
        done = type(self).job(dry_run=dry_run)
        if dry_run:
            self.stdout.write("Dry run: nothing was changed. It would be:")
        for label, count in done.items():
            self.stdout.write(f"{label}: {count}")
