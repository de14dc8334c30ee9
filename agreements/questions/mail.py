"""E-mail of the ten basic questions: a party's link to its sheet (/q/<token>/)."""

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from agreements.questions import sheets


def send_question_link_email(
    *,
    sheet_id: int,
    requested_at: datetime.datetime | None,
    base_url: str | None = None,
    now: datetime.datetime | None = None,
) -> bool:
    """Make a fresh link for the sheet and mail it to the sheet's address. The token is made here, so the
    raw value exists only in the e-mail; if sending fails, nothing changes (the old link keeps working) and
    the task tries again. Returns False when there was nothing (more) to send."""
    with transaction.atomic():
        sheet, raw = sheets.sheet_mail_link(sheet_id=sheet_id, requested_at=requested_at, now=now)
        if sheet is None or raw is None:  # no sheet comes without a token
            return False
        party = sheet.party
        agreement = party.agreement
        context = {
            "sheet": sheet,
            "party": party,
            "agreement": agreement,
            "organisation": agreement.organisation,
            "name": party.contact.name if party.contact is not None else "",
            "url": f"{(base_url or settings.SITE_URL).rstrip('/')}{reverse('questions:sheet', args=[raw])}",
            "expires": timezone.localdate(sheet.expires_at),
        }
        with translation.override(settings.LANGUAGE_CODE):
            subject = " ".join(
                render_to_string("agreements/questions/email/link_subject.txt", context).split()
            )
            body = render_to_string("agreements/questions/email/link_body.txt", context)
        send_mail(subject, body, None, [sheet.email])
    return True
