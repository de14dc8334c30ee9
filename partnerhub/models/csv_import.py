from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.models.background_job import BackgroundJob
from partnerhub.models.organisation import Organisation


class CsvImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class CsvImportJob(BackgroundJob):
    """One confirmed CSV import (partners, projects, …), run in the background when the file is large.

    `kind` names the import (see partnerhub.partner_import.register_importer); `content` is the uploaded
    text, read and checked again by the job, so a failed import can be run again from the row alone. The
    `token` is the preview's: a confirmation sent twice finds the job of the first and imports nothing more.
    """

    WORKING = CsvImportStatus.RUNNING
    DONE = CsvImportStatus.DONE

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
    # The rows that no longer passed the checks when the job ran: [{"line", "values", "errors"}, …].
    row_errors = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=10, blank=True)  # of the requester: the row errors speak it

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
    def percent(self):
        """How far the job is, 0–100: checking the rows is most of the work, saving them the rest."""
        if self.status == CsvImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(95, self.checked_rows * 95 // self.total_rows)
