"""The admin for operators: every model registered, money and signatures read-only, secrets never shown, and a
staff member who is not a superuser sees only the organisations they are a member of."""

import datetime
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from affiliates.models import (
    Affiliate,
    ApiKey,
    Click,
    ClickDay,
    ClickMonth,
    ClickRollup,
    Commission,
    NpsScore,
    Payout,
    PayoutBatch,
    Project,
    TierChange,
    TierStanding,
)
from agreements.models import (
    AgreementVersion,
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
from checker.models import Answer, Invitation, Reminder, Statement
from partnerhub.admin import SECRET_FIELDS
from partnerhub.models import AuditEntry, CsvImportJob, Membership, Organisation, Partner, Role, User
from tests.affiliates import factories_ledger
from tests.conftest import login
from tests.factories import MembershipFactory, OrganisationFactory, PartnerFactory, UserFactory
from tests.partnerhub.test_isolation import objects_of

APPS = ["partnerhub", "matrix", "checker", "agreements", "affiliates"]

# Records written by the services only: the admin shows them and changes nothing, not even for a superuser.
RECORDS = [
    Commission,
    Payout,
    PayoutBatch,
    Project,
    Click,
    ClickDay,
    ClickMonth,
    ClickRollup,
    AgreementVersion,
    SignRequest,
    Signature,
    AuditEntry,
    TierStanding,
    TierChange,
]

# Queries of a page for a superuser, whatever the number of rows (5 to 9 for a list on the demo data: session,
# user, two counts, the rows, the organisation filter's choices, the date hierarchy's span and dates).
CHANGELIST_QUERIES = 10
CHANGE_PAGE_QUERIES = 15


def project_models():
    return [model for label in APPS for model in apps.get_app_config(label).get_models()]


def admin_urls(model, *args, view="changelist"):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def fill(organisation):
    """objects_of (the isolation walk's rows of every kind), plus the kinds it leaves empty."""
    objects = objects_of(organisation)
    partner = Partner.objects.get(pk=objects["partner_id"])
    CsvImportJob.objects.create(organisation=organisation, kind="partners", token=f"t-{organisation.slug}")
    Statement.objects.create(organisation=organisation, text_nl="We delen onze klantkennis.")
    invitation = Invitation.objects.get(pk=objects["respondent_id"])
    Reminder.objects.create(invitation=invitation)
    Answer.objects.create(
        invitation=invitation, statement=Statement.objects.filter(organisation=None)[0], score=4
    )
    party = Party.objects.get(pk=objects["party_id"])
    Goal.objects.create(agreement=party.agreement, party=party, text="Meer omzet")
    Risk.objects.create(agreement=party.agreement, description="Te weinig tijd")
    Section.objects.get_or_create(agreement=party.agreement, key="conditions")
    sheet = QuestionSheet(party=party, expires_at=timezone.now() + datetime.timedelta(days=9))
    sheet.issue_token()
    sheet.save()
    QuestionAnswer.objects.create(sheet=sheet, code="goal", text="Samen groeien")
    QuestionConclusion.objects.create(agreement=party.agreement, code="goal", text="Eens")
    version = AgreementVersion.objects.get(pk=objects["version_id"])
    Signature.objects.create(
        version=version,
        party=party,
        request_id=objects["request_id"],
        name="Ondertekenaar",
        signed_at=timezone.now(),
        ip_address="192.0.2.10",
        version_sha256=version.sha256,
    )
    affiliate = Affiliate.objects.get(pk=objects["affiliate_id"])
    factories_ledger.clicks(affiliate, [timezone.now(), timezone.now() - datetime.timedelta(hours=1)])
    ClickMonth.objects.create(
        organisation=organisation, affiliate=affiliate, month=datetime.date(2023, 1, 1), clicks=9
    )
    ClickDay.objects.create(
        organisation=organisation, affiliate=affiliate, day=datetime.date(2023, 2, 1), clicks=4
    )
    ClickRollup.objects.create(
        organisation=organisation, open_from=datetime.date(2023, 2, 2), rolled_up_at=timezone.now()
    )
    NpsScore.objects.create(organisation=organisation, partner=partner, score=8, date=timezone.localdate())
    TierStanding.objects.create(organisation=organisation, partner=partner, project_count=1)
    TierChange.objects.create(
        organisation=organisation, partner=partner, kind="evaluation", tier_name="Brons"
    )
    return objects


@contextmanager
def queries_counted():
    """The queries of the block. The connection keeps only its last 9000 queries, and loading the demo runs
    more: with a full log every count would read 0, so the log starts empty."""
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        yield queries


def seed_demo():
    call_command("seed_demo", stdout=StringIO())


def organisations_of(obj):
    """The organisations a row belongs to, found by following its foreign keys (independently of the admin's
    declared paths): none for a standard statement, every shared one for a user."""
    if isinstance(obj, Organisation):
        return {obj.pk}
    if isinstance(obj, User):
        return set(obj.memberships.values_list("organisation_id", flat=True))
    frontier = [obj]
    while frontier:
        next_frontier = []
        for row in frontier:
            for field in row._meta.concrete_fields:
                if not (field.many_to_one or field.one_to_one) or field.related_model is User:
                    continue
                related = getattr(row, field.name)
                if isinstance(related, Organisation):
                    return {related.pk}
                if related is not None:
                    next_frontier.append(related)
        frontier = next_frontier
    return set()


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(email="operator@partnerhub.nl", password="x")


@pytest.fixture
def operator_client(client, superuser):
    return login(client, superuser)


@pytest.fixture
def organisation_a(db):
    return OrganisationFactory(name="Alfa Bouw", slug="alfa-bouw")


@pytest.fixture
def organisation_b(db):
    return OrganisationFactory(name="Beta Zorgdiensten", slug="beta-zorgdiensten")


@pytest.fixture
def staff_of_a(organisation_a):
    """A staff member who is no superuser, with every permission on the project's models, member of A only."""
    user = UserFactory(email="support@alfa.nl", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=APPS))
    Membership.objects.create(user=user, organisation=organisation_a, role=Role.MANAGER)
    return user


def test_every_model_is_registered():
    missing = [
        f"{model._meta.app_label}.{model.__name__}"
        for model in project_models()
        if model not in admin.site._registry
    ]
    assert missing == [], f"not in the admin: {', '.join(missing)}"


def test_no_admin_names_a_secret(rf, superuser):
    fill(OrganisationFactory())
    request = rf.get("/admin/")
    request.user = superuser
    named = {}
    for model in project_models():
        model_admin = admin.site._registry[model]
        obj = model._default_manager.first()
        names = {
            *model_admin.get_list_display(request),
            *model_admin.get_search_fields(request),
            *model_admin.get_readonly_fields(request, obj),
            *model_admin.get_fields(request, obj),
        }
        if names & SECRET_FIELDS - {"password"}:
            named[model.__name__] = sorted(names & SECRET_FIELDS)
    assert named == {}


@pytest.mark.django_db
def test_every_changelist_and_change_page_opens_for_an_operator(operator_client):
    seed_demo()
    fill(OrganisationFactory())
    failures = []
    for model in project_models():
        with queries_counted() as queries:
            response = operator_client.get(admin_urls(model))
        if response.status_code != 200:
            failures.append(f"{model.__name__} list → {response.status_code}")
            continue
        if not 0 < len(queries) <= CHANGELIST_QUERIES:
            failures.append(f"{model.__name__} list: {len(queries)} queries")
        shown = response.context["cl"].result_count
        if shown != model._default_manager.count() or not shown:
            failures.append(f"{model.__name__} list shows {shown} of {model._default_manager.count()} rows")
        obj = model._default_manager.order_by("-pk").first()
        with queries_counted() as queries:
            response = operator_client.get(admin_urls(model, obj.pk, view="change"))
        if response.status_code != 200:
            failures.append(f"{model.__name__} {obj.pk} → {response.status_code}")
            continue
        if not 0 < len(queries) <= CHANGE_PAGE_QUERIES:
            failures.append(f"{model.__name__} change page: {len(queries)} queries")
        if admin.site._registry[model].has_add_permission(response.wsgi_request):
            added = operator_client.get(admin_urls(model, view="add"))
            if added.status_code != 200:
                failures.append(f"{model.__name__} add page → {added.status_code}")
        page = response.content.decode()
        for name in SECRET_FIELDS & {field.name for field in model._meta.concrete_fields} - {"password"}:
            if getattr(obj, name) and getattr(obj, name) in page:
                failures.append(f"{model.__name__} change page shows its {name}")
    assert failures == []


@pytest.mark.django_db
def test_a_changelist_costs_the_same_queries_for_1_and_for_30_rows(operator_client, monkeypatch):
    seed_demo()
    fill(OrganisationFactory())
    fill(OrganisationFactory())
    growing = []
    for model in project_models():
        if model._default_manager.count() < 2:
            continue
        counts = []
        for per_page in (1, 30):
            monkeypatch.setattr(admin.site._registry[model], "list_per_page", per_page)
            with queries_counted() as queries:
                assert operator_client.get(admin_urls(model)).status_code == 200
            counts.append(len(queries))
        if not 0 < counts[0] == counts[1]:
            growing.append(f"{model.__name__}: {counts[0]} queries for 1 row, {counts[1]} for a page")
    assert growing == []


def test_a_changelist_of_30_paid_out_commissions_has_a_bounded_number_of_queries(
    operator_client, organisation_a, django_assert_max_num_queries
):
    from affiliates.ledger import payouts

    affiliate = factories_ledger.affiliate(organisation_a)
    for n in range(30):
        factories_ledger.line(affiliate.partner, f"{n + 1}.50")
    payouts.payout_batch_create(organisation=organisation_a, month=datetime.date(2026, 1, 1))
    assert Commission.objects.filter(payout__isnull=False).count() == 30
    connection.queries_log.clear()
    with django_assert_max_num_queries(CHANGELIST_QUERIES):
        response = operator_client.get(admin_urls(Commission))
    assert response.context["cl"].result_count == 30
    assert "30,50" in response.content.decode()


@pytest.mark.django_db
def test_a_staff_member_sees_only_the_rows_of_their_organisation(
    client, staff_of_a, organisation_a, organisation_b
):
    seed_demo()
    fill(organisation_a)
    fill(organisation_b)
    login(client, staff_of_a)
    others = [org.name for org in Organisation.objects.exclude(pk=organisation_a.pk)]
    assert len(others) == 3  # B and the two demo organisations
    failures = []
    for model in project_models():
        expected = {
            obj.pk for obj in model._default_manager.all() if organisation_a.pk in organisations_of(obj)
        }
        foreign = [obj for obj in model._default_manager.all() if obj.pk not in expected]
        response = client.get(admin_urls(model))
        if response.status_code != 200:
            failures.append(f"{model.__name__} list → {response.status_code}")
            continue
        shown = set(response.context["cl"].queryset.values_list("pk", flat=True))
        if shown != expected:
            failures.append(f"{model.__name__}: shows {sorted(shown)}, A has {sorted(expected)}")
        if not expected or not foreign:
            failures.append(f"{model.__name__}: the data lacks rows of A or of the others")
            continue
        page = response.content.decode()
        failures += [f"{model.__name__} list names {name}" for name in others if name in page]
        own = client.get(admin_urls(model, min(expected), view="change"))
        if own.status_code != 200:
            failures.append(f"{model.__name__} of A → {own.status_code}")
        else:
            own_page = own.content.decode()
            failures += [f"{model.__name__} of A names {name}" for name in others if name in own_page]
        for view in ("change", "delete", "history"):
            response = client.get(admin_urls(model, foreign[0].pk, view=view))
            if view == "delete" and model in RECORDS and response.status_code == 403:
                continue  # refused to everyone before the row is looked up
            if response.status_code not in (302, 404) or (
                response.status_code == 302 and response.headers["Location"] != reverse("admin:index")
            ):
                failures.append(f"{model.__name__} {view} of another organisation → {response.status_code}")
    assert failures == []


def test_a_staff_member_can_choose_only_their_organisation(
    client, staff_of_a, organisation_a, organisation_b
):
    login(client, staff_of_a)
    form = client.get(admin_urls(Partner, view="add")).context["adminform"].form
    assert list(form.fields["organisation"].queryset) == [organisation_a]

    response = client.post(
        admin_urls(Partner, view="add"),
        {"organisation": organisation_b.pk, "name": "Indringer", "category": "other", "status": "active"},
    )
    assert response.status_code == 200
    assert "organisation" in response.context["adminform"].form.errors
    assert not Partner.objects.filter(name="Indringer").exists()


def test_the_organisation_filter_names_only_their_organisations(
    client, staff_of_a, organisation_a, organisation_b
):
    factories_ledger.line(factories_ledger.affiliate(organisation_a).partner, "10.00")
    factories_ledger.line(factories_ledger.affiliate(organisation_b).partner, "20.00")
    login(client, staff_of_a)
    page = client.get(admin_urls(Commission)).content.decode()
    assert "Alfa Bouw" in page
    assert "Beta Zorgdiensten" not in page


def test_a_staff_member_cannot_make_themselves_superuser(client, staff_of_a, organisation_a):
    login(client, staff_of_a)
    response = client.post(
        admin_urls(User, staff_of_a.pk, view="change"),
        {
            "email": staff_of_a.email,
            "full_name": "Support",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "date_joined_0": "2026-01-05",
            "date_joined_1": "09:00:00",
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-0-id": staff_of_a.memberships.get().pk,
            "memberships-0-user": staff_of_a.pk,
            "memberships-0-role": Role.OWNER,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    staff_of_a.refresh_from_db()
    assert staff_of_a.full_name == "Support"  # the change went through …
    assert not staff_of_a.is_superuser  # … but not the one that was not theirs to make


def test_a_staff_member_cannot_change_a_superuser_of_their_organisation(client, staff_of_a, organisation_a):
    boss = User.objects.create_superuser(email="boss@alfa.nl", password="x")
    MembershipFactory(user=boss, organisation=organisation_a)
    login(client, staff_of_a)
    response = client.post(
        admin_urls(User, boss.pk, view="change"), {"email": "attacker@example.nl", "is_active": "on"}
    )
    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.email == "boss@alfa.nl"


@pytest.mark.parametrize("model", RECORDS, ids=lambda model: model.__name__)
def test_records_refuse_adding_changing_and_deleting_for_everyone(rf, superuser, model):
    request = rf.get("/admin/")
    request.user = superuser
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert model_admin.has_view_permission(request)
    assert "delete_selected" not in model_admin.get_actions(request)


def test_a_commission_page_shows_the_amount_read_only(operator_client, organisation_a):
    line = factories_ledger.line(factories_ledger.affiliate(organisation_a).partner, "123.45")
    response = operator_client.get(admin_urls(Commission, line.pk, view="change"))
    assert response.status_code == 200
    page = response.content.decode()
    assert '<div class="readonly">123,45</div>' in page
    assert 'name="amount"' not in page
    assert 'name="_save"' not in page


def test_posting_a_new_commission_amount_changes_nothing(operator_client, organisation_a):
    line = factories_ledger.line(factories_ledger.affiliate(organisation_a).partner, "60.00")
    response = operator_client.post(
        admin_urls(Commission, line.pk, view="change"),
        {"amount": "6000.00", "status": "approved", "kind": "commission", "_save": "Opslaan"},
    )
    assert response.status_code == 403
    line.refresh_from_db()
    assert line.amount == Decimal("60.00")


def test_deleting_a_commission_through_the_admin_is_refused(operator_client, organisation_a):
    line = factories_ledger.line(factories_ledger.affiliate(organisation_a).partner, "60.00")
    response = operator_client.post(admin_urls(Commission, line.pk, view="delete"), {"post": "yes"})
    assert response.status_code == 403
    assert Commission.objects.filter(pk=line.pk).exists()


def test_an_api_key_shows_its_prefix_and_never_its_hash(operator_client, organisation_a):
    from affiliates.tracking import conversions

    api_key, raw = conversions.api_key_create(organisation=organisation_a, name="Webshop", actor=None)
    page = operator_client.get(admin_urls(ApiKey, api_key.pk, view="change")).content.decode()
    assert api_key.prefix in page
    assert api_key.key_hash not in page
    assert raw not in page
    listing = operator_client.get(admin_urls(ApiKey) + f"?q={api_key.prefix}")
    assert listing.context["cl"].result_count == 1


def test_an_operator_finds_a_payout_by_the_last_digits_of_its_iban(operator_client, organisation_a):
    from affiliates.ledger import payouts

    affiliate = factories_ledger.affiliate(organisation_a, iban="NL69INGB0123456789")
    factories_ledger.line(affiliate.partner, "75.00")
    payouts.payout_batch_create(organisation=organisation_a, month=datetime.date(2026, 1, 1))
    response = operator_client.get(admin_urls(Payout) + "?q=6789")
    assert response.context["cl"].result_count == 1
    assert "…6789" in response.content.decode()
    assert "NL69INGB0123456789" not in response.content.decode()


def test_autocompletion_offers_only_their_organisations_partners(
    client, staff_of_a, organisation_a, organisation_b
):
    PartnerFactory(organisation=organisation_a, name="Aannemer Alfa")
    PartnerFactory(organisation=organisation_b, name="Aannemer Beta")
    login(client, staff_of_a)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "checker", "model_name": "collaboration", "field_name": "partners", "term": "Aannemer"},
    )
    assert [result["text"] for result in response.json()["results"]] == ["Aannemer Alfa"]
