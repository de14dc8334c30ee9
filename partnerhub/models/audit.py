import datetime
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models.query import ModelIterable
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.models.organisation import Organisation
from partnerhub.models.partner import Partner


class AuditAction(models.TextChoices):
    CREATE = "create", _("created")
    UPDATE = "update", _("changed")
    DELETE = "delete", _("deleted")


class RelatedLabels:
    """The names of the related objects a page's audit entries record by id, fetched on first use with one
    query per related model for all entries together (never a query per entry)."""

    def __init__(self, entries):
        self.entries = entries
        self.names = None

    def get(self, model, pk):
        if self.names is None:
            self.names = self._fetch()
        return self.names.get((model, pk)) or f"#{pk}"

    def _fetch(self):
        wanted = {}
        for entry in self.entries:
            model = entry._model()
            changes = entry.changes if isinstance(entry.changes, dict) else {}
            for name, change in changes.items():
                field = _field(model, name)
                if field is not None and field.is_relation and field.related_model is not None:
                    ids = wanted.setdefault(field.related_model, set())
                    ids.update(_ids(change))
        names = {}
        for model, ids in wanted.items():
            if ids:
                names.update({(model, pk): str(obj) for pk, obj in model._base_manager.in_bulk(ids).items()})
        return names


class AuditEntryIterable(ModelIterable):
    """Gives the entries of one query one shared RelatedLabels."""

    def __iter__(self):
        entries = list(super().__iter__())
        labels = RelatedLabels(entries)
        for entry in entries:
            entry._related_labels = labels
            yield entry


class AuditEntryQuerySet(models.QuerySet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._iterable_class = AuditEntryIterable


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

    objects = AuditEntryQuerySet.as_manager()

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

    def change_rows(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) for each recorded change, in words: choice values as their labels, related
        objects by name, yes/no, dates and amounts as the reader writes them, lists joined. A field the model
        no longer has keeps its recorded name; a value of any JSON shape is shown, never refused."""
        changes = self.changes if isinstance(self.changes, dict) else {"": self.changes}
        model = self._model()
        rows = []
        for name, change in sorted(changes.items()):
            old, new = change if isinstance(change, list | tuple) and len(change) == 2 else (None, change)
            field = _field(model, name)
            rows.append((str(_label(field, name)), self._words(field, old), self._words(field, new)))
        return rows

    def _words(self, field, value) -> str:
        if value is None or value == "" or value == []:
            return ""
        if isinstance(value, list):
            return ", ".join(filter(None, (self._words(field, item) for item in value)))
        if isinstance(value, dict):
            return ", ".join(
                f"{key}: {self._words(None, item) or '–'}" for key, item in sorted(value.items())
            )
        if field is None:
            return _scalar(value)
        if field.is_relation:
            if isinstance(value, int) and not isinstance(value, bool):
                labels = getattr(self, "_related_labels", None) or RelatedLabels([self])
                return labels.get(field.related_model, value)
            return _scalar(value)
        choices = {str(key): text for key, text in field.flatchoices} if field.choices else {}
        if str(value) in choices:
            return str(choices[str(value)])
        return _typed(field, value)

    def _model(self):
        try:
            return apps.get_model(self.object_type)
        except (LookupError, ValueError):
            return None


def _field(model, name):
    """The model's field, forward or reverse, of a recorded name (or its `_id` column); None when gone."""
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


# Names services record that are no model field of the object (a count, a batch's total).
RECORDED_LABELS = {
    "erased_copies": _("erased copies"),
    "status": _("status"),
    "amount": _("amount"),
}


def _label(field, name):
    if field is None:
        return RECORDED_LABELS.get(name, name.replace("_", " "))
    if field.auto_created and not field.concrete and field.related_model is not None:  # a reverse relation
        meta = field.related_model._meta
        return meta.verbose_name if field.one_to_one else meta.verbose_name_plural
    return field.verbose_name


def _ids(value):
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list | tuple):
        return [pk for item in value for pk in _ids(item)]
    return []


def _scalar(value):
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(value)


def _typed(field, value):
    """A recorded scalar in the words of its field's type: yes/no, a local date, a local amount."""
    text = str(value)
    try:
        if isinstance(field, models.BooleanField):
            if isinstance(value, bool) or text in ("True", "False"):
                return _scalar(value if isinstance(value, bool) else text == "True")
        elif isinstance(field, models.DecimalField | models.FloatField) and not isinstance(value, bool):
            places = getattr(field, "decimal_places", None)
            return formats.number_format(Decimal(text), decimal_pos=places, use_l10n=True)
        elif isinstance(field, models.DateTimeField):
            moment = datetime.datetime.fromisoformat(text)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "SHORT_DATETIME_FORMAT")
        elif isinstance(field, models.DateField):
            return formats.date_format(datetime.date.fromisoformat(text), "SHORT_DATE_FORMAT")
    except (ValueError, TypeError, ArithmeticError):
        pass  # recorded in another form (a description, an older format): shown as it was recorded
    return _scalar(value)
