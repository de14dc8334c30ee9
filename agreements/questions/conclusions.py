"""What was agreed on each of the ten questions: saving a conclusion without overwriting someone else's."""

from django.db import transaction
from django.utils.translation import gettext as _

from agreements.models import Agreement, QuestionConclusion
from agreements.questions.texts import CODES
from agreements.signing import versions
from partnerhub.audit import AuditAction, audit_record
from partnerhub.models import User

MAX_CONCLUSION = 5000


class ConclusionConflict(Exception):
    """Someone else saved a different conclusion since the editor loaded it."""

    def __init__(self, conclusion: QuestionConclusion, mine: str) -> None:
        super().__init__("conclusion changed meanwhile")
        self.conclusion, self.mine = conclusion, mine


@transaction.atomic
def conclusion_save(
    *, agreement: Agreement, code: str, text: str, actor: User | None, original: str | None = None
) -> QuestionConclusion:
    """Store what was agreed on one question (trimmed; max MAX_CONCLUSION characters). With `original` (the
    text the editor started from), a different text saved by someone else in between is not overwritten:
    ConclusionConflict. Saving the text that is already there is no conflict."""
    if code not in CODES:
        raise ValueError(f"{code} is not one of the ten questions.")
    text = text.strip()
    if len(text) > MAX_CONCLUSION:
        raise ValueError(
            _("A conclusion can be at most %(max)d characters long (this one has %(count)d).")
            % {"max": MAX_CONCLUSION, "count": len(text)}
        )
    conclusion, _created = QuestionConclusion.objects.select_for_update().get_or_create(
        agreement=agreement, code=code
    )
    if conclusion.text == text:
        return conclusion
    if original is not None and conclusion.text != original.strip():
        raise ConclusionConflict(conclusion, text)
    before = conclusion.text
    conclusion.text, conclusion.updated_by = text, actor
    conclusion.save()
    audit_record(
        organisation=agreement.organisation,
        actor=actor,
        action=AuditAction.UPDATE,
        obj=conclusion,
        changes={"text": [before, text]},
    )
    versions.agreement_changed(agreement, actor=actor)  # the letter of intent states the conclusions
    return conclusion
