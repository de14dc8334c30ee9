import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BackgroundJob(models.Model):
    """What every row made by a background task shares: who asked, when it was queued, begun and finished,
    how often it was tried and why it failed, and when it counts as stalled.

    A job waiting (WAITING) or at work (WORKING) for longer than settings.BACKGROUND_JOB_STALLED_AFTER is
    stalled: the worker was down, died mid-way or the message was lost. The page says so and offers a retry.
    Subclasses name their statuses: WORKING and DONE; WAITING and FAILED are the same for all.
    """

    WAITING = "pending"
    FAILED = "failed"
    WORKING: str
    DONE: str

    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # When the job was last put in the queue (the request or a retry) and when a worker last began it.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_finished(self):
        return self.status in (self.DONE, self.FAILED)

    @property
    def waiting_since(self):
        """When the current wait began: the start of the work, else the moment it was queued."""
        if self.status == self.WORKING and self.started_at:
            return self.started_at
        return self.queued_at or self.created_at

    @property
    def is_stalled(self):
        if self.status not in (self.WAITING, self.WORKING) or not self.waiting_since:
            return False
        return self.waiting_since < stalled_before()

    @property
    def can_retry(self):
        return self.status == self.FAILED or self.is_stalled

    @classmethod
    def stalled(cls, before=None):
        """The condition of `is_stalled` as a filter, for a conditional UPDATE that claims or retries."""
        before = before or stalled_before()
        return (
            Q(status=cls.WAITING, queued_at__lt=before)
            | Q(status=cls.WAITING, queued_at__isnull=True, created_at__lt=before)
            | Q(status=cls.WORKING, started_at__lt=before)
        )


def stalled_before():
    return timezone.now() - datetime.timedelta(seconds=settings.BACKGROUND_JOB_STALLED_AFTER)
