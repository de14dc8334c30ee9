"""Every e-mail the product sends has a subject in plain text on one line: an organisation or partner called
“Bouw & Zonen 't Hart” reads as such, not as “Bouw &amp; Zonen &#x27;t Hart”. The mails are plain text
only, so there is no HTML part in which a name could run as markup."""

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from affiliates.models import Project
from affiliates.people import nps
from affiliates.programme.rules import programme_for
from affiliates.tiers.standings import tiers_evaluate_organisation
from agreements import services as agreement_services
from agreements.questions import sheets
from agreements.questions.mail import send_question_link_email
from agreements.signing import sign_requests, versions
from checker import services as checker_services
from checker.mail import send_invitation_email
from partnerhub.models import PartnerStatus
from tests.factories import ContactFactory, PartnerFactory

pytestmark = pytest.mark.usefixtures("eager_celery")

NAME = "Bouw & Zonen 't Hart"
PARTNER = "Smit & Zn. 'De Ster'"


@pytest.fixture
def bouw(org):
    org.name = f"{NAME}\n<script>alert(1)</script>"  # a stray line break must not split the subject
    org.save()
    return org


def member_invitation(client, bouw, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/o/{bouw.slug}/team/invite/", {"email": "nieuw@example.nl", "role": "manager"})


def password_reset(client, bouw, owner, django_capture_on_commit_callbacks):
    client.post("/accounts/password/reset/", {"email": owner.email})


def _collaboration_round(bouw, owner):
    partner = PartnerFactory(organisation=bouw, name=PARTNER)
    ContactFactory(partner=partner, name="Katrin 'Kat' Vogel", email="katrin@ster.example")
    collaboration = checker_services.collaboration_create(
        organisation=bouw, actor=owner, name=f"{NAME} alliantie", partners=[partner]
    )
    today = timezone.localdate()
    round_ = checker_services.round_create(
        collaboration=collaboration,
        actor=owner,
        name="Ronde 1",
        opens_on=today,
        deadline=today + datetime.timedelta(days=14),
        anonymous=False,
    )
    return round_.invitations.get(email="katrin@ster.example")


def checker_invitation(client, bouw, owner, django_capture_on_commit_callbacks):
    send_invitation_email(_collaboration_round(bouw, owner))


def checker_reminder(client, bouw, owner, django_capture_on_commit_callbacks):
    send_invitation_email(_collaboration_round(bouw, owner), reminder=True)


def _agreement(bouw, owner):
    partner = PartnerFactory(organisation=bouw, name=PARTNER)
    ContactFactory(partner=partner, name="Katrin Vogel", email="katrin@ster.example")
    agreement = agreement_services.agreement_create(
        organisation=bouw, actor=owner, title=f"{NAME} & Ster", partners=[partner], kind="structural"
    )
    return agreement, agreement.parties.get(partner=partner)


def question_link(client, bouw, owner, django_capture_on_commit_callbacks):
    _agreement_, party = _agreement(bouw, owner)
    sheet = sheets.sheet_request_mail(party=party, email="katrin@ster.example", actor=owner)
    send_question_link_email(sheet_id=sheet.pk, requested_at=sheet.mail_requested_at)


def sign_request(client, bouw, owner, django_capture_on_commit_callbacks):
    agreement, party = _agreement(bouw, owner)
    version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
    with django_capture_on_commit_callbacks(execute=True):
        sign_requests.sign_request_create(
            version=version,
            party=party,
            signer_name="Katrin Vogel",
            email="katrin@ster.example",
            actor=owner,
            send=True,
        )


def nps_question(client, bouw, owner, django_capture_on_commit_callbacks):
    partner = PartnerFactory(organisation=bouw, name=PARTNER)
    request = nps.nps_request_mail(partner=partner, email="klant@example.nl", actor=None)
    nps.nps_mail_link(nps_request_id=request.pk)


def tier_changes(client, bouw, owner, django_capture_on_commit_callbacks):
    programme_for(bouw)
    partner = PartnerFactory(organisation=bouw, name=PARTNER, status=PartnerStatus.ACTIVE)
    today = datetime.date(2026, 4, 15)
    Project.objects.bulk_create(
        Project(organisation=bouw, partner=partner, customer_reference=f"K-{i}", value="750.00", date=today)
        for i in range(12)
    )
    with django_capture_on_commit_callbacks(execute=True):
        tiers_evaluate_organisation(bouw, today=today)


ORG = f"{NAME} <script>alert(1)</script>"
MAILS = [
    (member_invitation, f"Je bent uitgenodigd voor {ORG} op PartnerHub"),
    (password_reset, "Stel een nieuw wachtwoord in voor PartnerHub"),
    (checker_invitation, f"Hoe gaat de samenwerking? {ORG} vraagt jouw mening"),
    (checker_reminder, f"Herinnering: hoe gaat de samenwerking? ({ORG})"),
    (question_link, f"De tien basisvragen voor ‘{NAME} & Ster’ ({ORG})"),
    (sign_request, f"Graag uw handtekening: Overeenkomst “{NAME} & Ster”"),
    (nps_question, f"Eén vraag over {PARTNER} van {ORG}"),
    (tier_changes, f"Tierwijzigingen in het partnerprogramma van {ORG}"),
]


@pytest.mark.parametrize(("send", "subject"), MAILS, ids=[send.__name__ for send, _subject in MAILS])
def test_the_subject_is_the_text_as_typed_on_one_line(
    send, subject, client, bouw, owner, django_capture_on_commit_callbacks
):
    send(client, bouw, owner, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == subject
    assert message.alternatives == []  # plain text only: no HTML part where the name could be markup


def test_every_subject_template_renders_names_unescaped():
    """A mail added later gets the same rule: its subject template switches autoescaping off."""
    folders = ("templates", "partnerhub", "matrix", "checker", "agreements", "affiliates")
    templates = [path for folder in folders for path in (settings.BASE_DIR / folder).rglob("*_subject.txt")]
    assert len(templates) >= 7
    for path in templates:
        text = path.read_text().removeprefix("{% load i18n %}")
        assert text.startswith("{% autoescape off %}"), path
        assert text.rstrip("\n").endswith("{% endautoescape %}"), path
