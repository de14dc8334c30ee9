"""Tracking: `Click`, one visit through `/r/<code>`; `ClickDay`, the clicks of a closed day counted once,
and `ClickRollup`, how far an organisation's clicks are counted into days; `ClickMonth`, the clicks of a
month counted once the visits themselves are pruned; `ApiKey`, how an organisation's webshop or CRM talks to
the API."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from affiliates.models.programme import Affiliate
from partnerhub.models import Organisation


class Click(models.Model):
    """One visit through an affiliate link. The visitor's IP is kept only as a salted hash.

    `click_id` goes to the landing page as `ph_click=`; the shop sends it back with the order. Clicks from one
    source within the same few seconds share a `dedup_bucket`; the unique constraint keeps one of them.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="clicks")
    click_id = models.CharField(max_length=32, unique=True)
    created_at = models.DateTimeField(db_index=False)
    landing = models.CharField(max_length=500, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)
    source_hash = models.CharField(max_length=64)
    user_agent = models.CharField(max_length=300, blank=True)
    dedup_bucket = models.BigIntegerField()

    class Meta:
        verbose_name = _("click")
        verbose_name_plural = _("clicks")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["affiliate", "source_hash", "dedup_bucket"], name="click_once_per_source_bucket"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "created_at"], name="click_org_time_idx"),
            models.Index(fields=["affiliate", "created_at"], name="click_affiliate_time_idx"),
        ]

    def __str__(self):
        return self.click_id


class ClickMonth(models.Model):
    """How many clicks an affiliate had in a month, kept when the clicks themselves are removed after
    `AFFILIATE_CLICKS_KEEP_MONTHS` (affiliates/housekeeping.py): counts stay, visitors' traces go."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="click_months")
    month = models.DateField(_("month"))  # the first day
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("clicks of a month")
        verbose_name_plural = _("clicks per month")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "month"], name="click_month_once_per_affiliate"),
        ]

    def __str__(self):
        return f"{self.affiliate} {self.month:%Y-%m}: {self.clicks}"


class ClickDay(models.Model):
    """How many clicks an affiliate had on a day (local time): the pages add these up instead of counting
    clicks. Counted again from the clicks by `tracking/rollup.py` (never added to), up to the click
    `ClickRollup.through`; removed with the clicks of its month when they are pruned (then `ClickMonth`
    holds the month)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    affiliate = models.ForeignKey(Affiliate, on_delete=models.CASCADE, related_name="click_days")
    day = models.DateField(_("day"))
    clicks = models.PositiveIntegerField(_("clicks"), default=0)

    class Meta:
        verbose_name = _("clicks of a day")
        verbose_name_plural = _("clicks per day")
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["affiliate", "day"], name="click_day_once_per_affiliate"),
        ]
        indexes = [
            models.Index(fields=["organisation", "day"], name="click_day_org_day_idx"),
        ]

    def __str__(self):
        return f"{self.affiliate} {self.day:%Y-%m-%d}: {self.clicks}"


class ClickRollup(models.Model):
    """How far an organisation's clicks are counted into `ClickDay`: every day before `open_from`, counting
    the clicks up to id `through`. Clicks on or after `open_from`, and later clicks (a replay dated in the
    past), are counted from `Click` itself until the next roll-up."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="+")
    open_from = models.DateField(_("counted from the clicks from"))
    through = models.BigIntegerField(_("counted up to click"), default=0)
    rolled_up_at = models.DateTimeField(_("rolled up at"))

    class Meta:
        verbose_name = _("click roll-up")
        verbose_name_plural = _("click roll-ups")

    def __str__(self):
        return f"{self.organisation}: {self.open_from:%Y-%m-%d}"


class ApiKey(models.Model):
    """An organisation's key for the API. Only the SHA-256 hash is kept; the prefix identifies it in lists."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"
