"""Count clicks older than AFFILIATE_CLICKS_KEEP_MONTHS into monthly totals and remove them."""

from affiliates.tracking import housekeeping
from partnerhub.management.commands._housekeeping import HousekeepingCommand


class Command(HousekeepingCommand):
    help = __doc__
    job = housekeeping.prune_clicks
