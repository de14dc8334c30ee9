"""The partner value matrix (seed 000): per key partner, what it brings and what it gets.

A `ValueMatrix` belongs to an organisation; a `MatrixRow` puts one of the organisation's partners in it with
eight cells: four kinds of value (resources, sales channels, money, other) on each side (what the partner
brings, what it gets). A cell holds short items, one per line. Versions are copies: a matrix duplicated
before a workshop points back at its `previous_version`.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from partnerhub.models import Organisation, Partner


class ValueKind(models.TextChoices):
    RESOURCES = "resources", _("Resources")
    CHANNELS = "channels", _("Sales channels")
    MONEY = "money", _("Money (€)")
    OTHER = "other", pgettext_lazy("value kind", "Other")


class Side(models.TextChoices):
    BRINGS = "brings", _("What do they bring?")
    GETS = "gets", _("What do they get out of it?")


# The eight cell fields of a row, in the order of the seed's template: brings × 4, then gets × 4.
CELL_FIELDS = tuple(f"{side}_{kind}" for side in Side.values for kind in ValueKind.values)
# Each side's four cell fields (a grid of 200 rows asks for them a thousand times).
SIDE_FIELDS = {side: tuple(f"{side}_{kind}" for kind in ValueKind.values) for side in Side.values}

# What a printed cell holds. Rendered on the A3 matrix, cells of ordinary Dutch items up to about 480
# characters still let two partners share a page; at 500 every partner takes a page of its own. The cap keeps
# a margin below that. It counts the text as saved (one item per line, see services.normalise_cell).
CELL_MAX_LENGTH = 450


class MatrixStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    WORKSHOP = "workshop", _("Ready for the workshop")
    AGREED = "agreed", _("Agreed")
    ARCHIVED = "archived", _("Archived")


class ValueMatrix(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="value_matrices")
    name = models.CharField(_("name"), max_length=200)
    date = models.DateField(_("date"), default=timezone.localdate)
    purpose = models.TextField(_("purpose"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=MatrixStatus.choices, default=MatrixStatus.DRAFT
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    previous_version = models.ForeignKey(
        "self",
        verbose_name=_("previous version"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_versions",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        verbose_name = _("value matrix")
        verbose_name_plural = _("value matrices")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["organisation", "-date"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("matrix:matrix_detail", args=[self.organisation.slug, self.pk])


class MatrixRow(models.Model):
    matrix = models.ForeignKey(ValueMatrix, on_delete=models.CASCADE, related_name="rows")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="matrix_rows")
    position = models.PositiveIntegerField(_("position"), default=0)
    brings_resources = models.TextField(_("brings resources"), blank=True)
    brings_channels = models.TextField(_("brings sales channels"), blank=True)
    brings_money = models.TextField(_("brings money"), blank=True)
    brings_other = models.TextField(_("brings other"), blank=True)
    gets_resources = models.TextField(_("gets resources"), blank=True)
    gets_channels = models.TextField(_("gets sales channels"), blank=True)
    gets_money = models.TextField(_("gets money"), blank=True)
    gets_other = models.TextField(_("gets other"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    # Set on the rows of a page by matrix.selectors (for the move buttons), never stored.
    is_first: bool
    is_last: bool

    class Meta:
        verbose_name = _("matrix row")
        verbose_name_plural = _("matrix rows")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["matrix", "partner"], name="matrix_row_partner_once"),
        ]

    def __str__(self):
        return f"{self.matrix} · {self.partner}"

    def cell(self, field):
        return getattr(self, field)

    def items(self, field):
        """The cell's items: one per non-empty line."""
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]

    def filled_kinds(self, side):
        return [name.split("_", 1)[1] for name in SIDE_FIELDS[side] if getattr(self, name).strip()]

    @property
    def brings_count(self):
        return len(self.filled_kinds(Side.BRINGS))

    @property
    def gets_count(self):
        return len(self.filled_kinds(Side.GETS))

    @property
    def brings_nothing(self):
        return not self.filled_kinds(Side.BRINGS)

    @property
    def gets_nothing(self):
        return not self.filled_kinds(Side.GETS)

    @property
    def is_one_sided(self):
        """Seed 002, box 3: an even exchange. A partner that only brings or only gets is a risk."""
        return self.brings_nothing != self.gets_nothing
