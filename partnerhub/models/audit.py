from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.models.organisation import Organisation
from partnerhub.models.partner import Partner


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


class AuditEntry(models.Model):
    """Who created, changed or deleted what, and when. Written by services, never by views.

    `partner` ties an entry to the partner page it belongs on; it survives the partner's deletion as
    `object_repr`, so the organisation's log keeps the trace.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="audit_entries")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who acted when it was not a member: a partner's signer through a link, or PartnerHub itself.
    actor_name = models.CharField(max_length=200, blank=True)
    action = models.CharField(max_length=10, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.PositiveBigIntegerField(null=True)
    object_repr = models.CharField(max_length=200)
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="audit_entries"
    )
    changes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [models.Index(fields=["organisation", "-created_at"], name="audit_org_created_idx")]

    def __str__(self):
        return f"{self.actor} {self.action} {self.object_type} {self.object_repr}"

    @property
    def object_label(self):
        """The kind of thing changed, in the reader's language ("contact person")."""
        model = self._model()
        return model._meta.verbose_name if model else self.object_type

    def change_rows(self):
        """(field label, old, new) for each recorded change, choice values shown as their labels."""
        model = self._model()
        rows = []
        for name, (old, new) in sorted(self.changes.items()):
            label, choices = name, {}
            if model is not None:
                try:
                    field = model._meta.get_field(name)
                except FieldDoesNotExist:
                    field = None
                if field is not None:
                    label = field.verbose_name
                    choices = {str(key): text for key, text in field.flatchoices} if field.choices else {}
            rows.append((label, choices.get(old, old), choices.get(new, new)))
        return rows

    def _model(self):
        try:
            return apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return None
