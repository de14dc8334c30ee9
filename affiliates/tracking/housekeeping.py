"""Housekeeping of the programme: clicks are kept for AFFILIATE_CLICKS_KEEP_MONTHS (default 25, so that a
year can be compared with the year before), then counted into `ClickMonth` per affiliate and month and
removed. The counts stay on every page that shows a total; the visitors' traces (hashed address, browser,
landing page) go. Whole months only, so a month is never half counted and half kept.

The month's `ClickDay` rows (tracking/rollup.py) go in the same transaction: a month is counted either in
days, from the clicks still there, or in `ClickMonth`, never in both.

Safe to run twice and at once: the clicks of a month are counted and deleted in one transaction that holds
the organisations' roll-up marks and the affiliates' rows (in that order, as a roll-up takes them), and a
second run finds none of them left. An order's link to its click becomes empty; its attribution stays.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, QuerySet
from django.utils import timezone

from affiliates.models import Affiliate, Click, ClickDay, ClickMonth, ClickRollup
from affiliates.tracking.rollup import marks_ensure


def retention_start(today: datetime.date | None = None, *, months: int | None = None) -> datetime.date:
    """The first day of the oldest month whose clicks are still kept."""
    today = today or timezone.localdate()
    months = settings.AFFILIATE_CLICKS_KEEP_MONTHS if months is None else months
    index = today.year * 12 + (today.month - 1) - months
    return datetime.date(index // 12, index % 12 + 1, 1)


def prune_clicks(*, today: datetime.date | None = None, dry_run: bool = False) -> dict[str, int]:
    start = retention_start(today)
    cutoff = timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
    old = Click.objects.filter(created_at__lt=cutoff)
    if dry_run:
        return {"clicks counted per month and removed": old.count()}
    removed = 0
    # Month by month, so that one transaction never holds years of clicks.
    for month in _months_with_clicks(old):
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        in_month = old.filter(
            created_at__gte=_local_midnight(month), created_at__lt=_local_midnight(following)
        )
        marks_ensure(set(in_month.order_by().values_list("organisation_id", flat=True).distinct()))
        removed += _fold_month(month)
    return {"clicks counted per month and removed": removed}


def _months_with_clicks(clicks: QuerySet[Click]) -> list[datetime.date]:
    first = clicks.order_by("created_at").values_list("created_at", flat=True).first()
    if first is None:
        return []
    last = clicks.order_by("-created_at").values_list("created_at", flat=True).first()
    month = timezone.localtime(first).date().replace(day=1)
    end = timezone.localtime(last).date().replace(day=1)
    months = []
    while month <= end:
        months.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return months


def _local_midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@transaction.atomic
def _fold_month(month: datetime.date) -> int:
    following = (month + datetime.timedelta(days=32)).replace(day=1)
    clicks = Click.objects.filter(
        created_at__gte=_local_midnight(month), created_at__lt=_local_midnight(following)
    )
    # A roll-up at the same time finishes first, or waits and then counts the month's days without the clicks.
    list(
        ClickRollup.objects.select_for_update()
        .filter(organisation_id__in=clicks.values("organisation_id"))
        .order_by("pk")
        .values_list("pk")
    )
    # A second run at the same time waits here for the affiliates of this month, then finds their clicks gone.
    list(
        Affiliate.objects.select_for_update()
        .filter(pk__in=clicks.values("affiliate_id"))
        .order_by("pk")
        .values_list("pk")
    )
    counts = list(clicks.order_by().values("organisation_id", "affiliate_id").annotate(n=Count("pk")))
    for row in counts:
        updated = ClickMonth.objects.filter(affiliate_id=row["affiliate_id"], month=month).update(
            clicks=F("clicks") + row["n"]
        )
        if not updated:
            ClickMonth.objects.create(
                organisation_id=row["organisation_id"],
                affiliate_id=row["affiliate_id"],
                month=month,
                clicks=row["n"],
            )
    ClickDay.objects.filter(day__gte=month, day__lt=following).delete()
    removed, _by_model = clicks.delete()
    return removed
