from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from partnerhub import search
from partnerhub.models.organisation import Organisation

kvk_number_validator = RegexValidator(
    regex=r"^\d{8}$",
    message=_("A KvK number has exactly 8 digits, for example 12345678."),
    code="invalid_kvk_number",
)

RADAR_SCORE_VALIDATORS = [
    MinValueValidator(1, _("Choose a score from 1 to 5.")),
    MaxValueValidator(5, _("Choose a score from 1 to 5.")),
]


class PartnerCategory(models.TextChoices):
    CONTRACTOR = "contractor", _("Contractor")
    ARCHITECT = "architect", _("Architect")
    ESTATE_AGENT = "estate_agent", _("Estate agent")
    INVESTOR = "investor", _("Investor")
    SUPPLIER = "supplier", _("Supplier")
    INSURER = "insurer", _("Insurer")
    FUND = "fund", _("Fund")
    SPECIALIST = "specialist", _("Specialist")
    RESELLER = "reseller", _("Reseller")
    GOVERNMENT = "government", _("Government")
    KNOWLEDGE_INSTITUTION = "knowledge_institution", _("Knowledge institution")
    OTHER = "other", _("Other")


class PartnerStatus(models.TextChoices):
    PROSPECT = "prospect", _("Prospect")
    ACTIVE = "active", _("Active")
    ENDED = "ended", _("Ended")


class SearchTextQuerySet(models.QuerySet):
    """Keeps each row's `search_text` true on the bulk writes that bypass `save()`: bulk_create,
    bulk_update and update() (including through a related manager such as `organisation.partners`)."""

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        for obj in objs:
            obj.search_text = obj.build_search_text()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        objs, fields = list(objs), list(fields)
        if set(fields) & set(self.model.SEARCH_FIELDS):
            for obj in objs:
                obj.search_text = obj.build_search_text()
            if "search_text" not in fields:
                fields.append("search_text")
        return super().bulk_update(objs, fields, *args, **kwargs)

    def update(self, **kwargs):
        if "search_text" in kwargs or not set(kwargs) & set(self.model.SEARCH_FIELDS):
            return super().update(**kwargs)
        # The new values may be expressions: write them, then read the rows back and set their text.
        with transaction.atomic(using=self.db):
            pks = list(self.values_list("pk", flat=True))
            count = super().update(**kwargs)
            rows = self.model._base_manager.using(self.db)
            for start in range(0, len(pks), 1000):
                changed = list(rows.filter(pk__in=pks[start : start + 1000]))
                for row in changed:
                    row.search_text = row.build_search_text()
                rows.bulk_update(changed, ["search_text"])
        return count


class SearchTextModel(models.Model):
    """A model with a normalised `search_text` (partnerhub.search) made of its SEARCH_FIELDS, kept true by
    `save()` and by the bulk writes of its manager."""

    SEARCH_FIELDS: tuple[str, ...] = ()

    search_text = models.TextField(editable=False, default="")

    objects = SearchTextQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, **kwargs):
        self.search_text = self.build_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and set(update_fields) & set(self.SEARCH_FIELDS):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(**kwargs)

    def build_search_text(self):
        return search.search_text(*(getattr(self, name) for name in self.SEARCH_FIELDS))


class Partner(SearchTextModel):
    """A (potential) partner of an organisation: the hub every app links to."""

    SEARCH_FIELDS = ("name", "kvk_number", "notes")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="partners")
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(
        _("category"), max_length=30, choices=PartnerCategory.choices, default=PartnerCategory.OTHER
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.PROSPECT
    )
    kvk_number = models.CharField(
        _("KvK number"),
        max_length=8,
        blank=True,
        validators=[kvk_number_validator],
        help_text=_("The 8-digit number in the Dutch Chamber of Commerce register (optional)."),
    )
    website = models.URLField(_("website"), blank=True)
    influence = models.PositiveSmallIntegerField(
        _("influence"),
        null=True,
        blank=True,
        validators=RADAR_SCORE_VALIDATORS,
        help_text=_(
            "Partner radar: how much influence this partner has on your business (1 = little, 5 = a lot)."
        ),
    )
    importance = models.PositiveSmallIntegerField(
        _("importance"),
        null=True,
        blank=True,
        validators=RADAR_SCORE_VALIDATORS,
        help_text=_(
            "Partner radar: how important this partner is for your business (1 = hardly, 5 = crucial)."
        ),
    )
    relationship_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_partners",
        verbose_name=_("our key person"),
        help_text=_("The colleague who carries the relationship with this partner."),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="partner_unique_name_per_organisation"
            ),
            models.CheckConstraint(
                condition=models.Q(kvk_number="") | models.Q(kvk_number__regex=r"^[0-9]{8}$"),
                name="partner_kvk_number_8_digits",
            ),
            models.CheckConstraint(
                condition=models.Q(influence__isnull=True) | models.Q(influence__gte=1, influence__lte=5),
                name="partner_influence_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(importance__isnull=True) | models.Q(importance__gte=1, importance__lte=5),
                name="partner_importance_1_to_5",
            ),
            models.CheckConstraint(
                condition=models.Q(category__in=PartnerCategory.values), name="partner_category_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=PartnerStatus.values), name="partner_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "status"], name="partner_org_status_idx"),
            models.Index(fields=["organisation", "category"], name="partner_org_category_idx"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("partner_detail", args=[self.organisation.slug, self.pk])

    @property
    def radar_score(self):
        """Influence × importance (1–25): how high this partner sits on the partner radar, or None."""
        if self.influence is None or self.importance is None:
            return None
        return self.influence * self.importance


class Contact(SearchTextModel):
    """A person at a partner. Key persons (seed 002, box 5) are the ones to discuss what matters with."""

    SEARCH_FIELDS = ("name", "email")

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    is_key_person = models.BooleanField(
        _("key person"),
        default=False,
        help_text=_(
            "Has influence at the partner; the person to discuss important and confidential matters with."
        ),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_key_person", "name"]
        verbose_name = _("contact person")
        verbose_name_plural = _("contact persons")

    def __str__(self):
        return self.name
