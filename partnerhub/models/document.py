from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.models.background_job import BackgroundJob
from partnerhub.models.organisation import Organisation


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RENDERING = "rendering", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Document(BackgroundJob):
    """A rendered file (a PDF) of an organisation, made in the background by a Celery task.

    `kind` names the renderer (see partnerhub.documents); `params` is what it needs (ids, filters), so a
    failed document can be rendered again from the row alone.
    """

    WORKING = DocumentStatus.RENDERING
    DONE = DocumentStatus.READY

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=60)
    title = models.CharField(_("title"), max_length=200)
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    file = models.FileField(_("file"), upload_to="documents/%Y/%m/", blank=True)
    filename = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=DocumentStatus.values), name="document_status_valid"
            )
        ]

    def __str__(self):
        return self.title
