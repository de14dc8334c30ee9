"""`manage.py seed_demo`: the Tinnitracks demo of seed 000, loaded once however often it runs."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from checker.models import Answer, CheckerRound, Invitation
from matrix.models import MatrixRow, ValueMatrix
from partnerhub.models import AuditEntry, Contact, Membership, Organisation, Partner, Role, User

pytestmark = pytest.mark.django_db

PARTNER_NAMES = {
    "Sennheiser": "supplier",
    "Zorgverzekeringen": "insurer",
    "Fondsen (innovation fonds Hamburg & High tech Gründerfonds)": "fund",
    "KNO arts (specialist)": "specialist",
    "Verkopers van gehoorapparaten": "reseller",
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The command hashes two passwords per run; the production hasher would make these tests slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def snapshot():
    """Everything the command may write, down to the last-changed stamps and password hashes."""
    return {
        "organisations": list(Organisation.objects.values()),
        "users": list(User.objects.order_by("pk").values("pk", "email", "password", "full_name")),
        "memberships": list(Membership.objects.order_by("pk").values()),
        "partners": list(Partner.objects.order_by("pk").values()),
        "contacts": list(Contact.objects.order_by("pk").values()),
        "audit": AuditEntry.objects.count(),
        "matrices": list(ValueMatrix.objects.order_by("pk").values()),
        "matrix_rows": list(MatrixRow.objects.order_by("pk").values()),
        "rounds": list(CheckerRound.objects.order_by("pk").values()),
        "invitations": list(Invitation.objects.order_by("pk").values()),
        "answers": list(Answer.objects.order_by("pk").values("pk", "invitation_id", "statement_id", "score")),
    }


def test_it_creates_the_tinnitracks_profile():
    seed()
    org = Organisation.objects.get(slug="tinnitracks")
    assert org.name == "Tinnitracks"
    assert org.industry == "Medische technologie"
    assert org.products_services == "Applicatie die tinnitus behandelt met muziek"
    assert org.employees == 51
    assert org.revenue == Decimal("3560000")
    assert org.location == "Duitsland"


def test_it_creates_the_five_partners_of_the_matrix():
    seed()
    partners = Partner.objects.filter(organisation__slug="tinnitracks")
    assert {p.name: p.category for p in partners} == PARTNER_NAMES
    for partner in partners:
        assert 1 <= partner.influence <= 5 and 1 <= partner.importance <= 5
        assert "Brengt" in partner.notes or "Brengen" in partner.notes
        assert 1 <= partner.contacts.count() <= 2


def test_it_marks_key_persons():
    seed()
    key_persons = Contact.objects.filter(partner__organisation__slug="tinnitracks", is_key_person=True)
    assert key_persons.count() >= 3
    assert Contact.objects.get(name="Katrin Vogel").is_key_person
    emails = Contact.objects.values_list("email", flat=True)
    assert all(email.endswith(".example") for email in emails)


def test_it_records_the_partners_in_the_audit_log_as_the_demo_owner():
    seed()
    entries = AuditEntry.objects.filter(organisation__slug="tinnitracks", object_type="partnerhub.partner")
    assert entries.count() == 5
    assert {entry.actor.email for entry in entries} == {"demo@partnerhub.nl"}


def test_it_gives_the_demo_user_and_the_colleague_their_roles():
    seed()
    roles = dict(
        Membership.objects.filter(organisation__slug="tinnitracks").values_list("user__email", "role")
    )
    assert roles == {"demo@partnerhub.nl": Role.OWNER, "collega@partnerhub.nl": Role.VIEWER}


@pytest.mark.parametrize("email", ["demo@partnerhub.nl", "collega@partnerhub.nl"])
def test_the_demo_logins_work_on_the_login_page(client, email):
    # Through the real form rather than client.login(): django-axes guards that path and needs a request.
    seed()
    response = client.post(reverse("login"), {"username": email, "password": "partnerhub-demo"}, follow=True)
    assert response.context["user"].email == email
    assert response.redirect_chain[-1][0] == reverse("dashboard", args=["tinnitracks"])
    assert "Sennheiser" in client.get(reverse("partner_list", args=["tinnitracks"])).text


def test_running_twice_changes_nothing():
    seed()
    before = snapshot()
    output = seed()
    assert snapshot() == before
    assert "0 new" in output


def test_it_keeps_what_a_user_changed_and_reset_puts_the_demo_back():
    seed()
    partner = Partner.objects.get(name="Sennheiser")
    partner.status = "ended"
    partner.save()
    user = User.objects.get(email="demo@partnerhub.nl")
    user.set_password("my-own-password-1")
    user.save()

    seed()
    partner.refresh_from_db()
    user.refresh_from_db()
    assert partner.status == "ended" and user.check_password("my-own-password-1")

    seed("--reset")
    partner.refresh_from_db()
    user.refresh_from_db()
    assert partner.status == "active" and user.check_password("partnerhub-demo")
    assert (
        AuditEntry.objects.filter(partner=partner, action="update", object_type="partnerhub.partner").count()
        == 1
    )
    assert Partner.objects.filter(organisation__slug="tinnitracks").count() == 5


def test_it_prints_the_address_and_the_logins():
    output = seed()
    assert "http://127.0.0.1:8000/" in output
    assert "demo@partnerhub.nl / partnerhub-demo" in output
    assert "collega@partnerhub.nl / partnerhub-demo" in output


def test_it_fills_the_tinnitracks_value_matrix_of_seed_000():
    seed()
    matrix = ValueMatrix.objects.get(organisation__slug="tinnitracks")
    rows = {row.partner.name: row for row in matrix.rows.select_related("partner")}
    assert len(rows) == 5
    assert rows["Sennheiser"].items("brings_resources") == ["Aangepaste geluidstechnologie en koptelefoons"]
    assert len(rows["Sennheiser"].items("gets_money")) == 2
    assert rows["Fondsen (innovation fonds Hamburg & High tech Gründerfonds)"].items("gets_money") == [
        "Rendement op hun investering"
    ]
    assert not any(row.is_one_sided for row in rows.values())


def test_reset_puts_back_an_edited_matrix_cell():
    seed()
    row = MatrixRow.objects.get(partner__name="Sennheiser")
    row.brings_resources = "Iets anders"
    row.save()
    seed()
    row.refresh_from_db()
    assert row.brings_resources == "Iets anders"  # a plain run keeps what the user typed
    seed("--reset")
    row.refresh_from_db()
    assert row.brings_resources == "Aangepaste geluidstechnologie en koptelefoons"


def test_it_holds_a_completed_checker_round_with_disagreement_and_an_open_next_round():
    seed()
    first = CheckerRound.objects.get(name="Samenwerkingschecker voorjaar 2026")
    answered = first.invitations.filter(submitted_at__isnull=False)
    assert answered.count() == first.invitations.count() >= 5
    assert Answer.objects.filter(invitation__round=first).count() == 17 * answered.count()
    scores = Answer.objects.filter(invitation__round=first, statement__code="costs-benefits")
    spread = max(a.score for a in scores) - min(a.score for a in scores)
    assert spread >= 2
    following = CheckerRound.objects.get(previous_round=first)
    assert following.is_open() and following.invitations.count() == first.invitations.count()
