import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.models.organisation import Organisation


class CsvImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class CsvImportJob(models.Model):
    """One confirmed CSV import (partners, projects, …), run in the background when the file is large.

    `kind` names the import (see partnerhub.partner_import.register_importer); `content` is the uploaded
    text, read and checked again by the job, so a failed import can be run again from the row alone. The
    `token` is the preview's: a confirmation sent twice finds the job of the first and imports nothing more.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="csv_imports")
    kind = models.CharField(_("kind"), max_length=40)
    token = models.CharField(max_length=64, unique=True)
    filename = models.CharField(_("file"), max_length=255, blank=True)
    content = models.TextField(blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=CsvImportStatus.choices, default=CsvImportStatus.PENDING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    checked_rows = models.PositiveIntegerField(_("rows checked"), default=0)
    imported_rows = models.PositiveIntegerField(_("rows imported"), default=0)
    error = models.TextField(_("error"), blank=True)
    # The rows that no longer passed the checks when the job ran: [{"line", "values", "errors"}, …].
    row_errors = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    language = models.CharField(max_length=10, blank=True)  # of the requester: the row errors speak it
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # When the job was last put in the queue and last begun: one waiting or importing for longer than
    # stalled_after() was lost (a worker that died, a message that never came) and may be retried.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("CSV import")
        verbose_name_plural = _("CSV imports")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=CsvImportStatus.values), name="csv_import_job_status_valid"
            )
        ]

    def __str__(self):
        return self.filename or self.kind

    @property
    def is_finished(self):
        return self.status in (CsvImportStatus.DONE, CsvImportStatus.FAILED)

    @property
    def is_stalled(self):
        before = timezone.now() - datetime.timedelta(seconds=stalled_after())
        if self.status == CsvImportStatus.PENDING:
            return (self.queued_at or self.created_at) < before
        return (
            self.status == CsvImportStatus.RUNNING
            and self.started_at is not None
            and self.started_at < before
        )

    @property
    def percent(self):
        """How far the job is, 0–100: checking the rows is most of the work, saving them the rest."""
        if self.status == CsvImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(95, self.checked_rows * 95 // self.total_rows)


def stalled_after():
    """Seconds after which a waiting or running job counts as lost: longer than the task may run."""
    return getattr(settings, "DOCUMENT_STALLED_AFTER", settings.CELERY_TASK_TIME_LIMIT + 30)
