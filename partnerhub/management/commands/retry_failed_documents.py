"""Queue again the documents that failed in the last day (fewer than three tries)."""

from partnerhub import housekeeping
from partnerhub.management.commands._housekeeping import HousekeepingCommand


class Command(HousekeepingCommand):
    help = __doc__
    job = housekeeping.retry_failed_documents
