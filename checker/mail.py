"""E-mails of the samenwerkingschecker: the invitation and its reminders carry the same survey link."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone, translation

from checker.models import Invitation, Reminder


def send_invitation_email(
    invitation: Invitation,
    *,
    reminder: bool = False,
    base_url: str | None = None,
    now: datetime.datetime | None = None,
) -> bool:
    """Send the invitation (or a reminder) to the respondent and record it. Returns False when the respondent
    has no e-mail address (their link can still be copied and sent another way)."""
    if not invitation.email:
        return False
    now = now or timezone.now()
    round_ = invitation.round
    context = {
        "invitation": invitation,
        "round": round_,
        "organisation": round_.organisation,
        "reminder": reminder,
        "survey_url": f"{(base_url or settings.SITE_URL).rstrip('/')}{invitation.get_survey_url()}",
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("checker/email/invitation_subject.txt", context).split())
        body = render_to_string("checker/email/invitation_body.txt", context)
    send_mail(subject, body, None, [invitation.email])
    if reminder:
        Reminder.objects.create(invitation=invitation, sent_at=now)
    else:
        invitation.sent_at = now
        invitation.save(update_fields=["sent_at"])
    return True
