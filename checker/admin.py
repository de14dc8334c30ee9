from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from checker.models import (
    Answer,
    CheckerRound,
    Collaboration,
    Invitation,
    Reminder,
    RoundStatement,
    Statement,
)
from partnerhub.admin import ScopedAdmin


@admin.register(Statement)
class StatementAdmin(ScopedAdmin):
    # The standard statements have no organisation: only superusers see (and may change) them.
    list_display = ["text_nl", "code", "organisation", "position", "created_at"]
    list_filter = [("organisation", admin.EmptyFieldListFilter)]
    search_fields = ["text_nl", "text_en", "code", "organisation__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]


@admin.register(Collaboration)
class CollaborationAdmin(ScopedAdmin):
    list_display = ["name", "organisation", "created_at"]
    search_fields = ["name", "organisation__name", "partners__name"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation"]
    autocomplete_fields = ["partners"]
    date_hierarchy = "created_at"


@admin.register(CheckerRound)
class CheckerRoundAdmin(ScopedAdmin):
    list_display = [
        "name",
        "organisation",
        "collaboration",
        "opens_on",
        "deadline",
        "anonymous",
        "created_by",
    ]
    list_filter = ["anonymous", "opens_on"]
    search_fields = ["name", "collaboration__name", "organisation__name"]
    list_select_related = ["organisation", "collaboration", "created_by"]
    raw_id_fields = ["organisation", "collaboration", "previous_round", "created_by"]
    date_hierarchy = "opens_on"


@admin.register(RoundStatement)
class RoundStatementAdmin(ScopedAdmin):
    organisation_path = "round__organisation"
    list_display = ["round", "position", "statement", "organisation"]
    search_fields = ["round__name", "statement__text_nl", "statement__code"]
    list_select_related = ["round__organisation", "statement"]
    raw_id_fields = ["round", "statement"]

    @admin.display(description=_("organisation"), ordering="round__organisation__name")
    def organisation(self, item):
        return item.round.organisation


@admin.register(Invitation)
class InvitationAdmin(ScopedAdmin):
    organisation_path = "round__organisation"
    list_display = [
        "name",
        "email",
        "partner",
        "round",
        "sent_at",
        "submitted_at",
        "grade",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["sent_at", "submitted_at"]
    search_fields = ["name", "email", "partner__name", "round__name"]
    list_select_related = ["partner", "round"]
    raw_id_fields = ["round", "partner", "contact", "user"]
    exclude = ["token_hash", "token_nonce"]
    readonly_fields = ["sent_at", "submitted_at"]
    date_hierarchy = "created_at"


@admin.register(Reminder)
class ReminderAdmin(ScopedAdmin):
    organisation_path = "invitation__round__organisation"
    list_display = ["invitation", "email", "sent_at"]
    search_fields = ["invitation__name", "invitation__email", "invitation__round__name"]
    list_select_related = ["invitation__round"]
    raw_id_fields = ["invitation"]
    date_hierarchy = "sent_at"

    @admin.display(description=_("e-mail address"), ordering="invitation__email")
    def email(self, reminder):
        return reminder.invitation.email


@admin.register(Answer)
class AnswerAdmin(ScopedAdmin):
    organisation_path = "invitation__round__organisation"
    list_display = ["invitation", "statement", "score", "updated_at"]
    list_filter = ["score"]
    search_fields = ["invitation__name", "invitation__email", "invitation__round__name"]
    list_select_related = ["invitation__round", "statement"]
    raw_id_fields = ["invitation", "statement"]
    date_hierarchy = "updated_at"
