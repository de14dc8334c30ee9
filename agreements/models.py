"""Agreements (seed 003, chapters 3 to 5 and 7; seed 001): from a first intention to a signed agreement.

An `Agreement` is the record of a collaboration: it belongs one-to-one to a `checker.Collaboration` (the named
group of partners whose health the checker measures), so evaluating the agreement links to the checker rounds
of the same collaboration. The `Party` rows are who takes part: each partner with its contact person, and the
organisation itself (a party without a partner). Goals, the cost/revenue split, contributions and obligations
are per party; the other sections of the builder are texts kept in `Section` rows, each saved on its own and
marked complete or not.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from checker.models import Collaboration
from partnerhub.models import Contact, Document, Organisation, Partner
from partnerhub.tokens import TokenModel

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class Level(models.TextChoices):
    OPERATIONAL = "operational", _("Operational")
    TACTICAL = "tactical", _("Tactical")
    STRATEGIC = "strategic", _("Strategic")


class Kind(models.TextChoices):
    PROJECT = "project", _("Project with an end date")
    STRUCTURAL = "structural", _("Structural")


class Status(models.TextChoices):
    IDEA = "idea", _("Idea")
    INTENT = "intent", _("Letter of intent")
    DRAFTING = "drafting", _("Drafting the agreement")
    SIGNED = "signed", _("Signed")
    ENDED = "ended", _("Ended")


class Agreement(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="agreements")
    collaboration = models.OneToOneField(
        Collaboration, on_delete=models.CASCADE, related_name="agreement", verbose_name=_("collaboration")
    )
    title = models.CharField(_("title"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices, default=Level.OPERATIONAL)
    kind = models.CharField(
        _("form of collaboration"), max_length=12, choices=Kind.choices, default=Kind.PROJECT
    )
    end_date = models.DateField(_("end date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.IDEA)
    legal_form = models.CharField(_("legal form"), max_length=40, blank=True)
    legal_form_answers = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="project") | models.Q(end_date__isnull=False),
                name="agreement_project_has_end_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agreements:agreement_detail", args=[self.organisation.slug, self.pk])


class Party(models.Model):
    """Someone who takes part: a partner (with its contact person), or the organisation itself."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="parties")
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, null=True, blank=True, related_name="agreement_parties"
    )
    contact = models.ForeignKey(
        Contact,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("contact person"),
    )
    position = models.PositiveSmallIntegerField(default=0)
    cost_share = models.DecimalField(
        _("share of the costs (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT
    )
    revenue_share = models.DecimalField(
        _("share of the revenue or profit (%)"),
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=PERCENT,
    )
    contribution = models.TextField(_("what this party contributes"), blank=True)
    effort_obligations = models.TextField(_("effort obligations"), blank=True)
    result_obligations = models.TextField(_("result obligations"), blank=True)
    is_lead = models.BooleanField(_("leads the collaboration"), default=False)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "partner"],
                condition=models.Q(partner__isnull=False),
                name="party_partner_once",
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=models.Q(partner__isnull=True),
                name="party_own_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.partner.name if self.partner is not None else self.agreement.organisation.name

    @property
    def is_own_organisation(self) -> bool:
        return self.partner_id is None


class Goal(models.Model):
    """A goal of the collaboration: shared (no party) or one party's own (seed 001: both are recorded)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="goals")
    party = models.ForeignKey(
        Party,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="goals",
        verbose_name=_("whose goal"),
    )
    text = models.CharField(_("goal"), max_length=500)
    due_date = models.DateField(_("achieved by"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["party_id", "position", "pk"]
        verbose_name = _("goal")
        verbose_name_plural = _("goals")

    def __str__(self) -> str:
        return self.text


class Risk(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="risks")
    description = models.CharField(_("risk"), max_length=500)
    mitigation = models.CharField(_("how it is contained"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("risk")
        verbose_name_plural = _("risks")

    def __str__(self) -> str:
        return self.description


class Section(models.Model):
    """One section of the builder: its texts (`content`, by field name) and whether it is complete."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="sections")
    key = models.SlugField(max_length=40)
    content = models.JSONField(default=dict, blank=True)
    complete = models.BooleanField(_("complete"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("section of the agreement")
        verbose_name_plural = _("sections of the agreement")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "key"], name="section_once_per_agreement")
        ]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.key}"


# The ten basic questions (seed 003, "Tien basisvragen"): each party answers them on its own sheet, in the app
# or through its link /q/<token>; the manager then records what was agreed per question and what follows.


class QuestionSheet(TokenModel):
    """One party's answers to the ten questions, reached without an account through its token link."""

    party = models.OneToOneField(Party, on_delete=models.CASCADE, related_name="question_sheet")
    email = models.EmailField(_("e-mail address"), blank=True)
    sent_at = models.DateTimeField(_("link sent"), null=True, blank=True)
    # Set (under the sheet's lock) when a link is asked to be mailed; the mail task sends only while it is
    # later than `sent_at`, so two clicks at once, or a task that runs twice, send one e-mail.
    mail_requested_at = models.DateTimeField(
        _("link asked to be mailed"), null=True, blank=True, editable=False
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["party__position", "pk"]
        verbose_name = _("answers to the ten questions")
        verbose_name_plural = _("answers to the ten questions")

    def __str__(self) -> str:
        return f"{self.party} · {self.party.agreement}"


class QuestionAnswer(models.Model):
    """A party's answer to one question (`code` from agreements.questions.texts), saved as it is typed."""

    sheet = models.ForeignKey(QuestionSheet, on_delete=models.CASCADE, related_name="answers")
    code = models.SlugField(max_length=40)
    text = models.TextField(_("answer"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("answer to a question")
        verbose_name_plural = _("answers to the questions")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["sheet", "code"], name="question_answer_once")]

    def __str__(self) -> str:
        return f"{self.sheet} · {self.code}"


class QuestionConclusion(models.Model):
    """What the parties agreed on one of the ten questions, once their answers were laid side by side."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="conclusions")
    code = models.SlugField(max_length=40)
    text = models.TextField(_("agreed conclusion"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agreed conclusion")
        verbose_name_plural = _("agreed conclusions")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["agreement", "code"], name="question_conclusion_once")]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.code}"


class FollowUpAction(models.Model):
    """Something to do after the ten questions, by one party (its owner) before a date."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="actions")
    code = models.SlugField(_("question"), max_length=40, blank=True)
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        Party, on_delete=models.SET_NULL, null=True, related_name="actions", verbose_name=_("owner")
    )
    due_date = models.DateField(_("due date"))
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["done_at", "due_date", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        indexes = [models.Index(fields=["agreement", "done_at", "due_date"], name="action_open_due")]

    def __str__(self) -> str:
        return self.description


# Documents and sign-off: a version freezes the agreement's content (the snapshot) under its sha256; its PDF
# is rendered from the snapshot only, so what a signer sees and signs never changes.


class VersionKind(models.TextChoices):
    INTENT = "intent", _("Letter of intent")
    AGREEMENT = "agreement", _("Agreement")


class AgreementVersion(models.Model):
    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="versions")
    kind = models.CharField(_("document"), max_length=10, choices=VersionKind.choices)
    number = models.PositiveIntegerField(_("version"))
    snapshot = models.JSONField()
    sha256 = models.CharField(max_length=64)
    document = models.ForeignKey(Document, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    superseded_at = models.DateTimeField(_("replaced"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    # Not columns: set on the versions the sign-off's selectors hand to the pages, the open links (through a
    # `Prefetch(to_attr=...)`) and the latest signed PDF.
    open_requests: "list[SignRequest]"
    signed_document: Document | None

    class Meta:
        ordering = ["agreement_id", "kind", "-number"]
        verbose_name = _("version")
        verbose_name_plural = _("versions")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "number"], name="agreement_version_number_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.get_kind_display()} v{self.number}"


class SignRequest(TokenModel):
    """One party's signer's link /sign/<token> to one version; it can be used once."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.CASCADE, related_name="sign_requests")
    party = models.ForeignKey(Party, on_delete=models.CASCADE, related_name="sign_requests")
    signer_name = models.CharField(_("signer"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    sent_at = models.DateTimeField(_("link sent"), null=True, blank=True)
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    # Not a column: set by `sign_request_create` on the request it returns, True when a double click found
    # the first one.
    repeated: bool

    class Meta:
        ordering = ["party__position", "pk"]
        verbose_name = _("signature request")
        verbose_name_plural = _("signature requests")

    def __str__(self) -> str:
        return f"{self.version} · {self.party}"


class Signature(models.Model):
    """A party's signature on one version: the typed name, when, from which IP address, the hash signed."""

    version = models.ForeignKey(AgreementVersion, on_delete=models.PROTECT, related_name="signatures")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="signatures")
    request = models.OneToOneField(
        SignRequest, on_delete=models.SET_NULL, null=True, blank=True, related_name="signature"
    )
    name = models.CharField(_("name"), max_length=200)
    signed_at = models.DateTimeField(_("signed"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    version_sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["signed_at", "pk"]
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        constraints = [models.UniqueConstraint(fields=["version", "party"], name="signature_once_per_party")]

    def __str__(self) -> str:
        return f"{self.name} · {self.version}"
