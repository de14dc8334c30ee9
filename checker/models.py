"""The samenwerkingschecker (seed 003): every partner in a collaboration scores the same statements.

A `Collaboration` is a named group of the organisation's partners. A `CheckerRound` asks them (and the
organisation's own members) to score a list of `Statement`s from 1 to 5 and to grade the collaboration from
1 to 10. Each respondent has an `Invitation`, reached through a token link without an account; their
`Answer`s are saved one by one as they are given. Results lay the answers side by side.
"""

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from partnerhub.models import Contact, Organisation, Partner
from partnerhub.tokens import TokenModel, token_hash

SCORE_MIN, SCORE_MAX = 1, 5
GRADE_MIN, GRADE_MAX = 1, 10
DEFAULT_REMINDER_DAYS = [3, 7, 14]


def default_reminder_days():
    return list(DEFAULT_REMINDER_DAYS)


class Statement(models.Model):
    """A statement to score. The 17 of seed 003 are standard (no organisation, loaded by a data migration,
    in Dutch and English); an organisation may write its own, in its own words (one text for both)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, null=True, blank=True, related_name="checker_statements"
    )
    code = models.SlugField(max_length=40, blank=True, help_text="Stable name of a standard statement.")
    position = models.PositiveSmallIntegerField(default=0)
    text_nl = models.CharField(_("statement (Dutch)"), max_length=300)
    text_en = models.CharField(_("statement (English)"), max_length=300, blank=True)
    help_nl = models.CharField(_("explanation (Dutch)"), max_length=300, blank=True)
    help_en = models.CharField(_("explanation (English)"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["organisation_id", "position", "pk"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")
        constraints = [
            models.UniqueConstraint(
                fields=["code"],
                condition=models.Q(organisation__isnull=True),
                name="checker_standard_statement_code_unique",
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def is_standard(self):
        return self.organisation_id is None

    def _in_language(self, dutch, english):
        if translation.get_language() == "en" and english:
            return english
        return dutch

    @property
    def text(self):
        return self._in_language(self.text_nl, self.text_en)

    @property
    def help_text(self):
        return self._in_language(self.help_nl, self.help_en)


class Collaboration(models.Model):
    """A named group of partners that work together; rounds of the checker are held per collaboration."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="collaborations")
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    partners = models.ManyToManyField(Partner, related_name="collaborations", verbose_name=_("partners"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("collaboration")
        verbose_name_plural = _("collaborations")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="collaboration_unique_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("checker:collaboration_detail", args=[self.organisation.slug, self.pk])


class CheckerRound(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="checker_rounds")
    collaboration = models.ForeignKey(
        Collaboration, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("collaboration")
    )
    name = models.CharField(_("name"), max_length=200)
    opens_on = models.DateField(_("opens on"), default=timezone.localdate)
    deadline = models.DateField(_("deadline"))
    anonymous = models.BooleanField(
        _("anonymised results"),
        default=False,
        help_text=_("Results never show who gave which answer."),
    )
    reminder_days = models.JSONField(
        _("reminders (days after the invitation)"), default=default_reminder_days, blank=True
    )
    statements = models.ManyToManyField(Statement, through="RoundStatement", related_name="rounds")
    previous_round = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="next_rounds"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-pk"]
        verbose_name = _("checker round")
        verbose_name_plural = _("checker rounds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(deadline__gte=models.F("opens_on")), name="round_deadline_after_opening"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("checker:round_detail", args=[self.organisation.slug, self.pk])

    @property
    def closes_at(self):
        """The end of the deadline day, in the site's time zone: invitations expire then."""
        end = datetime.datetime.combine(self.deadline + datetime.timedelta(days=1), datetime.time.min)
        return timezone.make_aware(end)

    def is_open(self, now=None):
        now = now or timezone.now()
        return timezone.localdate(now) >= self.opens_on and now < self.closes_at


class RoundStatement(models.Model):
    round = models.ForeignKey(CheckerRound, on_delete=models.CASCADE, related_name="round_statements")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("statement of the round")
        verbose_name_plural = _("statements of the round")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "statement"], name="round_statement_once"),
        ]

    def __str__(self):
        return f"{self.round} · {self.position}"


class Invitation(TokenModel):
    """One respondent of a round: a contact person of a partner, or a member of the organisation itself."""

    round = models.ForeignKey(CheckerRound, on_delete=models.CASCADE, related_name="invitations")
    partner = models.ForeignKey(
        Partner, on_delete=models.SET_NULL, null=True, blank=True, related_name="checker_invitations"
    )
    contact = models.ForeignKey(Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("e-mail address"), blank=True)
    # The link's token is derived from this random nonce with the site's secret key, so that a reminder can
    # carry the same link as the first e-mail while the database holds only the nonce and the token's hash.
    token_nonce = models.CharField(max_length=64, editable=False, default="")
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # Set (under a lock) when the e-mail is handed to the task queue; the task sends only while it is later
    # than `sent_at`, so two clicks at once, or a task that runs twice, send one e-mail.
    queued_at = models.DateTimeField(_("queued for sending"), null=True, blank=True, editable=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    grade = models.PositiveSmallIntegerField(
        _("grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(GRADE_MIN), MaxValueValidator(GRADE_MAX)],
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["partner__name", "name", "pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(grade__isnull=True) | models.Q(grade__gte=GRADE_MIN, grade__lte=GRADE_MAX),
                name="invitation_grade_1_to_10",
            ),
            models.UniqueConstraint(
                fields=["round", "contact"],
                condition=models.Q(contact__isnull=False),
                name="invitation_contact_once",
            ),
            models.UniqueConstraint(
                fields=["round", "user"], condition=models.Q(user__isnull=False), name="invitation_user_once"
            ),
        ]

    def __str__(self):
        return f"{self.name} · {self.round}"

    def issue_token(self):
        """A new link (the old one stops working). Returns the raw token."""
        self.token_nonce = secrets.token_urlsafe(32)
        raw = self.link_token()
        self.token_hash = token_hash(raw)
        return raw

    def link_token(self):
        """The raw token of the current link, for an e-mail or a copied link. Never stored."""
        return salted_hmac("checker.invitation", self.token_nonce, algorithm="sha256").hexdigest()

    def get_survey_url(self):
        return reverse("survey:survey", args=[self.link_token()])

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def respondent_of(self):
        """Whom the respondent speaks for: the partner, or (None) the organisation itself."""
        return self.partner


class Reminder(models.Model):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="reminders")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["sent_at"]

    def __str__(self):
        return f"{self.invitation} · {self.sent_at:%Y-%m-%d %H:%M}"


class Answer(models.Model):
    invitation = models.ForeignKey(Invitation, on_delete=models.CASCADE, related_name="answers")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="answers")
    score = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(SCORE_MIN), MaxValueValidator(SCORE_MAX)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["invitation", "statement"], name="answer_once_per_statement"),
            models.CheckConstraint(
                condition=models.Q(score__gte=SCORE_MIN, score__lte=SCORE_MAX), name="answer_score_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.invitation} · {self.statement_id}: {self.score}"
