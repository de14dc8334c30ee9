from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from agreements.models import (
    Agreement,
    AgreementVersion,
    FollowUpAction,
    Goal,
    Party,
    QuestionAnswer,
    QuestionConclusion,
    QuestionSheet,
    Risk,
    Section,
    Signature,
    SignRequest,
)
from partnerhub.admin import RecordAdmin, ScopedAdmin

# A party's name is its partner's, or the organisation's own: what a list of parties needs in one query.
PARTY_NAME = ["partner", "agreement__organisation"]


def _related(prefix, names):
    return [f"{prefix}__{name}" for name in names]


@admin.register(Agreement)
class AgreementAdmin(ScopedAdmin):
    list_display = [
        "title",
        "organisation",
        "collaboration",
        "level",
        "kind",
        "status",
        "legal_form",
        "end_date",
        "updated_at",
    ]
    list_filter = ["status", "level", "kind"]
    search_fields = ["title", "collaboration__name", "organisation__name", "parties__partner__name"]
    list_select_related = ["organisation", "collaboration"]
    raw_id_fields = ["organisation", "collaboration", "created_by"]
    date_hierarchy = "created_at"


@admin.register(Party)
class PartyAdmin(ScopedAdmin):
    organisation_path = "agreement__organisation"
    list_display = ["__str__", "agreement", "contact", "cost_share", "revenue_share", "is_lead"]
    list_filter = ["is_lead"]
    search_fields = ["partner__name", "contact__name", "contact__email", "agreement__title"]
    list_select_related = [*PARTY_NAME, "contact"]
    raw_id_fields = ["agreement", "partner", "contact"]


@admin.register(Goal)
class GoalAdmin(ScopedAdmin):
    organisation_path = "agreement__organisation"
    list_display = ["text", "agreement", "party", "due_date"]
    search_fields = ["text", "agreement__title"]
    list_select_related = ["agreement", *_related("party", PARTY_NAME)]
    raw_id_fields = ["agreement", "party"]


@admin.register(Risk)
class RiskAdmin(ScopedAdmin):
    organisation_path = "agreement__organisation"
    list_display = ["description", "agreement", "mitigation"]
    search_fields = ["description", "mitigation", "agreement__title"]
    list_select_related = ["agreement"]
    raw_id_fields = ["agreement"]


@admin.register(Section)
class SectionAdmin(ScopedAdmin):
    organisation_path = "agreement__organisation"
    list_display = ["key", "agreement", "complete", "updated_by", "updated_at"]
    list_filter = ["complete", "key"]
    search_fields = ["key", "agreement__title"]
    list_select_related = ["agreement", "updated_by"]
    raw_id_fields = ["agreement", "updated_by"]
    date_hierarchy = "updated_at"


@admin.register(QuestionSheet)
class QuestionSheetAdmin(ScopedAdmin):
    organisation_path = "party__agreement__organisation"
    list_display = ["party", "agreement", "email", "sent_at", "submitted_at", "expires_at", "revoked_at"]
    list_filter = ["submitted_at"]
    search_fields = ["email", "party__partner__name", "party__agreement__title"]
    list_select_related = _related("party", PARTY_NAME)
    raw_id_fields = ["party"]
    exclude = ["token_hash"]
    readonly_fields = ["sent_at", "submitted_at"]

    @admin.display(description=_("agreement"), ordering="party__agreement__title")
    def agreement(self, sheet):
        return sheet.party.agreement


@admin.register(QuestionAnswer)
class QuestionAnswerAdmin(ScopedAdmin):
    organisation_path = "sheet__party__agreement__organisation"
    list_display = ["code", "party", "agreement", "updated_at"]
    list_filter = ["code"]
    search_fields = ["code", "text", "sheet__party__partner__name", "sheet__party__agreement__title"]
    list_select_related = _related("sheet__party", PARTY_NAME)
    raw_id_fields = ["sheet"]
    date_hierarchy = "updated_at"

    @admin.display(description=_("party"))
    def party(self, answer):
        return answer.sheet.party

    @admin.display(description=_("agreement"), ordering="sheet__party__agreement__title")
    def agreement(self, answer):
        return answer.sheet.party.agreement


@admin.register(QuestionConclusion)
class QuestionConclusionAdmin(ScopedAdmin):
    organisation_path = "agreement__organisation"
    list_display = ["code", "agreement", "updated_by", "updated_at"]
    list_filter = ["code"]
    search_fields = ["code", "text", "agreement__title"]
    list_select_related = ["agreement", "updated_by"]
    raw_id_fields = ["agreement", "updated_by"]


@admin.register(FollowUpAction)
class FollowUpActionAdmin(ScopedAdmin):
    organisation_path = "agreement__organisation"
    list_display = ["description", "agreement", "owner", "due_date", "done_at"]
    list_filter = ["due_date", "done_at"]
    search_fields = ["description", "code", "agreement__title", "owner__partner__name"]
    list_select_related = ["agreement", *_related("owner", PARTY_NAME)]
    raw_id_fields = ["agreement", "owner", "created_by"]
    date_hierarchy = "due_date"


# What was signed, by whom, and the evidence: records, never changed.


@admin.register(AgreementVersion)
class AgreementVersionAdmin(RecordAdmin):
    organisation_path = "agreement__organisation"
    list_display = ["agreement", "kind", "number", "sha256", "superseded_at", "created_by", "created_at"]
    list_filter = ["kind", "superseded_at"]
    search_fields = ["agreement__title", "sha256"]
    list_select_related = ["agreement", "created_by"]
    date_hierarchy = "created_at"


@admin.register(SignRequest)
class SignRequestAdmin(RecordAdmin):
    organisation_path = "version__agreement__organisation"
    list_display = [
        "signer_name",
        "email",
        "party",
        "version",
        "sent_at",
        "used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = ["sent_at", "used_at"]
    search_fields = ["signer_name", "email", "party__partner__name", "version__agreement__title"]
    list_select_related = [*_related("party", PARTY_NAME), "version__agreement"]
    date_hierarchy = "created_at"


@admin.register(Signature)
class SignatureAdmin(RecordAdmin):
    organisation_path = "version__agreement__organisation"
    list_display = ["name", "party", "version", "signed_at", "ip_address", "version_sha256"]
    list_filter = ["signed_at"]
    search_fields = [
        "name",
        "ip_address",
        "version_sha256",
        "party__partner__name",
        "version__agreement__title",
    ]
    list_select_related = [*_related("party", PARTY_NAME), "version__agreement"]
    date_hierarchy = "signed_at"
