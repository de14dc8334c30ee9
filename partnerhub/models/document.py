from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.models.organisation import Organisation


class DocumentStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RENDERING = "rendering", _("Being made")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class Document(models.Model):
    """A rendered file (a PDF) of an organisation, made in the background by a Celery task.

    `kind` names the renderer (see partnerhub.documents); `params` is what it needs (ids, filters), so a
    failed document can be rendered again from the row alone.
    """

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
    error = models.TextField(_("error"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    # When the render was last put in the queue (the request or a retry) and when a worker last began it:
    # a document waiting or rendering for longer than settings.DOCUMENT_STALLED_AFTER shows as stalled.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

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

    @property
    def is_finished(self):
        return self.status in (DocumentStatus.READY, DocumentStatus.FAILED)

    @property
    def waiting_since(self):
        """When the current wait began: the start of the render, else the moment it was queued."""
        if self.status == DocumentStatus.RENDERING and self.started_at:
            return self.started_at
        return self.queued_at or self.created_at

    @property
    def is_stalled(self):
        """Waiting or rendering for longer than any healthy render can take (settings.DOCUMENT_STALLED_AFTER).

        The worker was down, died mid-render or the message was lost: the page says so and offers a retry.
        """
        if self.status not in (DocumentStatus.PENDING, DocumentStatus.RENDERING) or not self.waiting_since:
            return False
        return (timezone.now() - self.waiting_since).total_seconds() > settings.DOCUMENT_STALLED_AFTER

    @property
    def can_retry(self):
        return self.status == DocumentStatus.FAILED or self.is_stalled
