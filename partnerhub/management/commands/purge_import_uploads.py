"""Empty the uploaded text of CSV imports that finished a week ago; close imports that never finished."""

from partnerhub import housekeeping
from partnerhub.management.commands._housekeeping import HousekeepingCommand


class Command(HousekeepingCommand):
    help = __doc__
    job = housekeeping.purge_import_uploads
