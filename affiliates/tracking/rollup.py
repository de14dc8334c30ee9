"""Rolling clicks up into days: `ClickDay` per affiliate and local day, so that the pages add up a few hundred
rows instead of counting a million clicks (`tracking/selectors.py` reads them).

A day is counted again from the clicks, whole, and its rows replaced: never added to, so a run can be
repeated, and a run repairs what an earlier one missed. Each run, per organisation, under a lock on its
`ClickRollup`:

- every closed day (before today) not rolled up yet is counted; the first run counts all of them;
- the last `RECOUNT_DAYS` closed days are counted again, for clicks written a moment late (a buffer flushed
  at midnight, a transaction that committed after the count);
- a day before that is counted again when clicks dated on it arrived since the last run (a replay of missed
  clicks); until then the pages count those clicks from `Click` (they have an id above `through`).

Pruning (`tracking/housekeeping.py`) moves a month's clicks into `ClickMonth` and removes the month's
`ClickDay` rows in the same transaction, so a month is counted in one place only: `ClickDay` only ever
holds what the clicks still there add up to, and can be rebuilt from them at any time.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from affiliates.models import Affiliate, Click, ClickDay, ClickRollup
from affiliates.tracking.selectors import local_midnight

RECOUNT_DAYS = 2
# The `open_from` of a roll-up that has not run yet: `ClickDay` holds no day, all are counted from `Click`.
NOT_RUN_YET = datetime.date(1970, 1, 1)


def roll_up_clicks(*, today: datetime.date | None = None) -> dict[str, int]:
    """Roll up the clicks of every organisation with affiliates; one transaction per organisation."""
    today = today or timezone.localdate()
    organisations = Affiliate.objects.order_by().values_list("organisation_id", flat=True).distinct()
    days = sum(click_days_count(organisation_id=pk, today=today) for pk in organisations)
    return {"days counted": days}


def _spans(days: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Sorted days as runs of consecutive days: [(first, following), …]."""
    spans: list[tuple[datetime.date, datetime.date]] = []
    for day in sorted(set(days)):
        if spans and spans[-1][1] == day:
            spans[-1] = (spans[-1][0], day + datetime.timedelta(days=1))
        else:
            spans.append((day, day + datetime.timedelta(days=1)))
    return spans


def marks_ensure(organisation_ids: "list[int] | set[int]") -> None:
    """Make the `ClickRollup` of each organisation that has none (as not run yet), committed on its own.

    The roll-up and the pruning of a month serialise on this row: a row made inside one of their transactions
    would be invisible to the other, which would then lock nothing and count a month twice."""
    marks = ClickRollup.objects.filter(organisation_id__in=organisation_ids)
    existing = set(marks.values_list("organisation_id", flat=True))
    for organisation_id in set(organisation_ids) - existing:
        ClickRollup.objects.get_or_create(
            organisation_id=organisation_id,
            defaults={"open_from": NOT_RUN_YET, "rolled_up_at": timezone.now()},
        )


def click_days_count(*, organisation_id: int, today: datetime.date) -> int:
    """Count the organisation's closed days that are new, recent, or got clicks since the last run into
    `ClickDay`; returns how many days were counted."""
    marks_ensure([organisation_id])
    return _click_days_count(organisation_id=organisation_id, today=today)


@transaction.atomic
def _click_days_count(*, organisation_id: int, today: datetime.date) -> int:
    now = timezone.now()
    # A second run for the same organisation (or a pruning of its clicks) waits here, then counts from the
    # first one's mark.
    mark = ClickRollup.objects.select_for_update().get(organisation_id=organisation_id)
    created = mark.open_from == NOT_RUN_YET
    clicks = Click.objects.filter(organisation_id=organisation_id)
    # The highest click id of all: one step down the primary key, where the organisation's own highest id
    # could mean reading past every later click of other organisations. Counting up to it is as exact.
    through = max(Click.objects.aggregate(last=Max("pk"))["last"] or 0, mark.through)
    open_from = max(mark.open_from, today)
    if created:
        first = clicks.order_by("created_at").values_list("created_at", flat=True).first()
        start = timezone.localtime(first).date() if first else today
        spans = [(start, open_from)] if start < open_from else []
    else:
        # Closed days are counted again from `recount`: the newly closed ones and the last few before them.
        recount = min(mark.open_from, today) - datetime.timedelta(days=RECOUNT_DAYS)
        spans = [(recount, open_from)]
        late = (
            clicks.filter(pk__gt=mark.through, pk__lte=through, created_at__lt=local_midnight(recount))
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .order_by()
            .values_list("day", flat=True)
            .distinct()
        )
        spans = _spans(list(late)) + spans
    counted = 0
    if spans:
        within = Q()
        for first_day, following in spans:
            within |= Q(created_at__gte=local_midnight(first_day), created_at__lt=local_midnight(following))
        rows = (
            clicks.filter(within, pk__lte=through)
            .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
            .order_by()
            .values("affiliate_id", "day")
            .annotate(n=Count("pk"))
        )
        within_days = Q()
        for first_day, following in spans:
            within_days |= Q(day__gte=first_day, day__lt=following)
        ClickDay.objects.filter(within_days, organisation_id=organisation_id).delete()
        ClickDay.objects.bulk_create(
            (
                ClickDay(
                    organisation_id=organisation_id,
                    affiliate_id=row["affiliate_id"],
                    day=row["day"],
                    clicks=row["n"],
                )
                for row in rows
            ),
            batch_size=2000,
        )
        counted = sum((following - first_day).days for first_day, following in spans)
    mark.open_from, mark.through = open_from, through
    mark.rolled_up_at = now
    mark.save(update_fields=["open_from", "through", "rolled_up_at"])
    return counted
