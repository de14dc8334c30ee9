"""Delete expired sessions and long-expired invitations to join."""

from partnerhub import housekeeping
from partnerhub.management.commands._housekeeping import HousekeepingCommand


class Command(HousekeepingCommand):
    help = __doc__
    job = housekeeping.purge_expired_tokens
