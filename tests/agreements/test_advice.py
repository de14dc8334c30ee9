"""The advice around an agreement: the pitfall check, the legal-form advisor, who leads, and the parties
(added, given a contact person, removed after confirmation); the partner page lists its agreements."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from agreements import services
from agreements.models import Agreement, AgreementVersion, Party, QuestionAnswer, QuestionSheet, Signature
from agreements.pitfalls import pitfalls
from agreements.signing import sign_requests, versions
from checker import services as checker_services
from tests.factories import ContactFactory, MatrixRowFactory, PartnerFactory


def url(name, org, *args):
    return reverse(f"agreements:{name}", args=[org.slug, *args])


@pytest.fixture
def agreement(org, owner):
    sennheiser = PartnerFactory(organisation=org, name="Sennheiser")
    ContactFactory(partner=sennheiser, name="Katrin Vogel")
    fonds = PartnerFactory(organisation=org, name="Innovatiefonds")
    return services.agreement_create(
        organisation=org,
        actor=owner,
        title="Tinnitracks-alliantie",
        partners=[sennheiser, fonds],
        kind="structural",
    )


def fill(agreement, actor, *, costs=("40", "40", "20"), revenues=("40", "40", "20")):
    """Everything the pitfall check asks for, through the services the builder uses."""
    parties = list(agreement.parties.all())
    due = timezone.localdate() + datetime.timedelta(days=365)
    agreement.goals.create(text="20 nieuwe KNO-klinieken gebruiken de app", due_date=due, position=1)
    for position, party in enumerate(parties, start=2):
        agreement.goals.create(
            party=party, text=f"{party.name}: 500 nieuwe klanten", due_date=due, position=position
        )
    agreement.risks.create(description="Klinieken haken af", mitigation="Pilot met drie klinieken eerst")
    services.party_texts_save(
        agreement=agreement,
        key="contributions",
        actor=actor,
        texts={party.pk: {"contribution": f"Inbreng van {party.name}"} for party in parties},
        complete=True,
    )
    services.split_save(
        agreement=agreement,
        actor=actor,
        shares={
            party.pk: {"cost_share": Decimal(cost), "revenue_share": Decimal(revenue)}
            for party, cost, revenue in zip(parties, costs, revenues, strict=True)
        },
    )
    for key, field in (("breach", "breach"), ("evaluation", "how"), ("exit", "how_to_leave")):
        services.section_save(
            agreement=agreement, key=key, actor=actor, complete=True, content={field: "Afgesproken."}
        )
    services.roles_save(
        agreement=agreement, actor=actor, lead=parties[0], content={"roles": "Wij trekken."}, complete=True
    )
    return agreement


def codes(agreement):
    return [pitfall.code for pitfall in pitfalls(agreement)]


def test_an_empty_agreement_lists_every_pitfall_with_a_link_to_fix_it(manager_client, org, agreement):
    assert codes(agreement) == [
        "no_goals",
        "contributions",
        "split",
        "breach",
        "risks",
        "no_lead",
        "no_evaluation",
        "no_exit",
    ]
    html = manager_client.get(url("pitfall_check", org, agreement.pk)).text
    assert "8 punten ontbreken" in html and "Geen exitscenario" in html
    for key in ("goals", "contributions", "split", "breach", "risks", "roles", "evaluation", "exit"):
        assert url("section_edit", org, agreement.pk, key) in html


def test_a_complete_agreement_has_no_pitfalls(manager_client, org, agreement, owner):
    fill(agreement, owner)
    assert codes(agreement) == []
    html = manager_client.get(url("pitfall_check", org, agreement.pk)).text
    assert "Geen valkuilen gevonden" in html
    assert "geen valkuilen gevonden" in manager_client.get(agreement.get_absolute_url()).text


def test_the_checks_name_what_is_risky(agreement, owner):
    fill(agreement, owner, costs=("70", "20", "10"), revenues=("30", "40", "30"))
    own = agreement.parties.get(partner=None)
    found = {pitfall.code: pitfall for pitfall in pitfalls(agreement)}
    assert list(found) == [f"unbalanced_{own.pk}"]  # 70 against 30: 40 points apart; the others are within 25
    assert "70 %" in found[f"unbalanced_{own.pk}"].detail and "30 %" in found[f"unbalanced_{own.pk}"].detail
    assert not found[f"unbalanced_{own.pk}"].missing

    agreement.goals.filter(party=None).update(text="Beter samenwerken", due_date=None)
    sennheiser = agreement.parties.get(partner__name="Sennheiser")
    agreement.goals.filter(party=sennheiser).delete()
    found = {pitfall.code: pitfall for pitfall in pitfalls(agreement)}
    assert "vague_goals" in found and "Beter samenwerken" in found["vague_goals"].detail
    assert "own_goals" in found and "Sennheiser" in found["own_goals"].detail


def test_a_checker_round_counts_as_a_planned_evaluation(agreement, owner):
    assert "no_evaluation" in codes(agreement)
    checker_services.round_create(
        collaboration=agreement.collaboration,
        actor=owner,
        name="Evaluatie",
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )
    assert "no_evaluation" not in codes(agreement)


def test_the_pitfall_check_costs_the_same_queries_for_many_parties(org, owner, django_assert_max_num_queries):
    partners = [PartnerFactory(organisation=org, name=f"Partner {n}") for n in range(12)]
    big = services.agreement_create(
        organisation=org, actor=owner, title="Groot", partners=partners, kind="structural"
    )
    fill(big, owner, costs=["7.69"] * 12 + ["7.72"], revenues=["7.69"] * 12 + ["7.72"])
    big = Agreement.objects.select_related("organisation", "collaboration").get(pk=big.pk)
    with django_assert_max_num_queries(6):
        assert pitfalls(big) == []


ANSWERS = {
    "duration": "structural",
    "shared_name": "yes",
    "shield_assets": "yes",
    "aim": "profit",
    "participants": "3",
    "profit_distribution": "by_shares",
    "silent_partners": "no",
}


def test_the_advisor_keeps_the_answers_and_ranks_the_forms_with_reasons(manager_client, org, agreement):
    first = manager_client.get(url("legal_form", org, agreement.pk)).text
    assert 'value="3"' in first  # a first visit counts the parties
    response = manager_client.post(url("legal_form", org, agreement.pk), ANSWERS)
    assert response.status_code == 302 and response.url.endswith("#advice")
    agreement.refresh_from_db()
    assert (
        agreement.legal_form_answers["shield_assets"] is True
        and agreement.legal_form_answers["participants"] == 3
    )
    html = manager_client.get(url("legal_form", org, agreement.pk)).text
    advice = html[html.index('id="advice"') :]
    assert advice.index("Besloten vennootschap") < advice.index("Vennootschap onder firma")
    assert "notariële akte" in advice  # the bv is set up by a notary
    assert "Inschrijving KvK" in html and "Aansprakelijkheid" in html  # the comparison table


def test_bad_answers_are_refused_and_nothing_is_kept(manager_client, org, agreement):
    response = manager_client.post(url("legal_form", org, agreement.pk), {**ANSWERS, "participants": "1"})
    assert response.status_code == 422
    assert "minstens twee deelnemers" in response.text
    agreement.refresh_from_db()
    assert agreement.legal_form_answers == {}


def test_the_chosen_form_is_stored_on_the_collaboration(manager_client, org, agreement):
    response = manager_client.post(url("legal_form", org, agreement.pk), {"choose": "cooperatie"})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.legal_form == "cooperatie"
    assert "Coöperatie" in manager_client.get(agreement.get_absolute_url()).text

    response = manager_client.post(url("legal_form", org, agreement.pk), {"choose": "eenmanszaak"})
    assert response.status_code == 422
    agreement.refresh_from_db()
    assert agreement.legal_form == "cooperatie"

    manager_client.post(url("legal_form", org, agreement.pk), {"choose": ""})
    agreement.refresh_from_db()
    assert agreement.legal_form == ""


def test_a_viewer_cannot_advise_choose_or_change_parties(viewer_client, org, agreement):
    party = agreement.parties.get(partner__name="Sennheiser")
    assert viewer_client.post(url("legal_form", org, agreement.pk), {"choose": "vof"}).status_code == 403
    assert viewer_client.post(url("legal_form", org, agreement.pk), ANSWERS).status_code == 403
    assert viewer_client.post(url("party_remove", org, agreement.pk, party.pk)).status_code == 403
    assert (
        viewer_client.post(url("party_list", org, agreement.pk), {"partner": party.partner_id}).status_code
        == 403
    )
    agreement.refresh_from_db()
    assert agreement.legal_form == "" and agreement.parties.count() == 3


def test_one_party_leads(manager_client, org, agreement):
    own, sennheiser, _fonds = agreement.parties.all()
    roles = url("section_edit", org, agreement.pk, "roles")
    assert (
        manager_client.post(roles, {"lead": sennheiser.pk, "roles": "Sennheiser trekt."}).status_code == 302
    )
    assert list(agreement.parties.filter(is_lead=True)) == [sennheiser]
    manager_client.post(roles, {"lead": own.pk, "roles": "Wij trekken."})
    assert list(agreement.parties.filter(is_lead=True)) == [own]
    assert agreement.sections.get(key="roles").content == {"roles": "Wij trekken."}

    other = services.agreement_create(
        organisation=org,
        actor=None,
        title="Ander",
        partners=[PartnerFactory(organisation=org)],
        kind="structural",
    )
    stranger = other.parties.first()
    assert manager_client.post(roles, {"lead": stranger.pk, "roles": "x"}).status_code == 422
    assert list(agreement.parties.filter(is_lead=True)) == [own]
    manager_client.post(roles, {"lead": "", "roles": ""})
    assert not agreement.parties.filter(is_lead=True).exists()


def test_a_partner_is_added_to_the_agreement_and_its_collaboration(manager_client, org, agreement, owner):
    services.split_save(
        agreement=agreement,
        actor=owner,
        shares={
            p.pk: {"cost_share": Decimal(50), "revenue_share": Decimal(50)}
            for p in agreement.parties.all()[:2]
        }
        | {agreement.parties.all()[2].pk: {"cost_share": Decimal(0), "revenue_share": Decimal(0)}},
    )
    services.section_save(agreement=agreement, key="split", actor=owner, complete=True)
    newcomer = PartnerFactory(organisation=org, name="Audiologie Oost")
    key_person = ContactFactory(partner=newcomer, name="Eva de Wit", is_key_person=True)
    response = manager_client.post(url("party_list", org, agreement.pk), {"partner": newcomer.pk})
    assert response.status_code == 302
    party = agreement.parties.get(partner=newcomer)
    assert party.contact == key_person and party.position == 3
    assert newcomer in agreement.collaboration.partners.all()
    assert not agreement.sections.get(key="split").complete  # the split must be agreed again

    again = manager_client.post(url("party_list", org, agreement.pk), {"partner": newcomer.pk})
    assert again.status_code == 422 and agreement.parties.count() == 4
    foreign = PartnerFactory(organisation=PartnerFactory().organisation)
    assert (
        manager_client.post(url("party_list", org, agreement.pk), {"partner": foreign.pk}).status_code == 422
    )
    assert agreement.parties.count() == 4


def test_a_party_is_removed_only_after_confirmation(manager_client, org, agreement):
    fonds = agreement.parties.get(partner__name="Innovatiefonds")
    page = manager_client.get(url("party_remove", org, agreement.pk, fonds.pk))
    assert page.status_code == 200 and "Innovatiefonds uit deze overeenkomst halen?" in page.text
    assert Party.objects.filter(pk=fonds.pk).exists()
    response = manager_client.post(url("party_remove", org, agreement.pk, fonds.pk))
    assert response.status_code == 302
    assert not Party.objects.filter(pk=fonds.pk).exists()
    assert fonds.partner not in agreement.collaboration.partners.all()


def test_parties_that_must_stay_are_not_removed(manager_client, org, agreement, owner):
    own, sennheiser, fonds = agreement.parties.all()
    response = manager_client.post(url("party_remove", org, agreement.pk, own.pk))
    assert response.status_code == 422 and "altijd partij" in response.text

    version = AgreementVersion.objects.create(
        agreement=agreement, kind="agreement", number=1, snapshot={}, sha256="a" * 64
    )
    Signature.objects.create(
        version=version,
        party=sennheiser,
        name="Katrin Vogel",
        signed_at=timezone.now(),
        version_sha256="a" * 64,
    )
    response = manager_client.post(url("party_remove", org, agreement.pk, sennheiser.pk))
    assert response.status_code == 422 and "ondertekend" in response.text

    manager_client.post(url("party_remove", org, agreement.pk, fonds.pk))
    response = manager_client.post(url("party_remove", org, agreement.pk, sennheiser.pk))
    assert response.status_code == 422
    assert agreement.parties.count() == 2


def test_the_contact_person_is_one_of_the_partners_own(manager_client, org, agreement):
    sennheiser = agreement.parties.get(partner__name="Sennheiser")
    colleague = ContactFactory(partner=sennheiser.partner, name="Jonas Becker")
    outsider = ContactFactory(partner=PartnerFactory(organisation=org), name="Iemand Anders")
    contact_url = url("party_contact", org, agreement.pk, sennheiser.pk)
    manager_client.post(contact_url, {f"p{sennheiser.pk}-contact": colleague.pk})
    sennheiser.refresh_from_db()
    assert sennheiser.contact == colleague
    manager_client.post(contact_url, {f"p{sennheiser.pk}-contact": outsider.pk})
    sennheiser.refresh_from_db()
    assert sennheiser.contact == colleague


def test_the_partner_page_lists_its_agreements(manager_client, org, agreement, owner):
    fill(agreement, owner)
    sennheiser = agreement.parties.get(partner__name="Sennheiser")
    html = manager_client.get(sennheiser.partner.get_absolute_url()).text
    assert "Tinnitracks-alliantie" in html and agreement.get_absolute_url() in html and "40 %" in html
    loner = PartnerFactory(organisation=org, name="Alleen")
    assert "doet nog aan geen enkele overeenkomst mee" in manager_client.get(loner.get_absolute_url()).text


def test_contributions_show_the_partners_matrix_row_and_evaluation_its_rounds(
    manager_client, org, agreement, owner
):
    sennheiser = agreement.parties.get(partner__name="Sennheiser")
    MatrixRowFactory(
        matrix__organisation=org,
        matrix__name="Kernpartners 2026",
        partner=sennheiser.partner,
        brings_resources="Koptelefoons",
    )
    html = manager_client.get(url("section_edit", org, agreement.pk, "contributions")).text
    assert "Kernpartners 2026" in html and "Koptelefoons" in html
    assert "Innovatiefonds staat nog in geen partnerwaarde-matrix" in html

    checker_round = checker_services.round_create(
        collaboration=agreement.collaboration,
        actor=owner,
        name="Evaluatie voorjaar",
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )
    html = manager_client.get(url("section_edit", org, agreement.pk, "evaluation")).text
    assert "Evaluatie voorjaar" in html and checker_round.get_absolute_url() in html


def test_the_demo_agreement_is_filled_and_has_no_pitfalls(db):
    call_command("seed_demo", stdout=io.StringIO())
    agreement = Agreement.objects.get(title="Tinnitracks-zorgketen")
    assert agreement.sections.filter(complete=True).count() == 15
    assert agreement.legal_form == "agreement" and agreement.collaboration.rounds.exists()
    assert pitfalls(agreement) == []
    # Every party answered the ten questions; conclusions and an action due soon are recorded.
    assert QuestionSheet.objects.filter(party__agreement=agreement, submitted_at__isnull=False).count() == 4
    assert QuestionAnswer.objects.filter(sheet__party__agreement=agreement).count() == 40
    assert agreement.conclusions.exists() and agreement.actions.filter(done_at=None).exists()
    # The letter of intent is signed by all, the agreement by all but the health insurer.
    intent, contract = agreement.versions.get(kind="intent"), agreement.versions.get(kind="agreement")
    assert intent.signatures.count() == 4 and contract.signatures.count() == 3
    assert contract.sign_requests.get(used_at=None).party.partner.name == "Zorgverzekeringen"
    assert agreement.status == "drafting"


def test_the_overview_costs_the_same_queries_for_more_parties(manager_client, org, owner):
    manager_client.get(reverse("dashboard", args=[org.slug]))  # the session's first request costs more
    counts = []
    for size in (2, 8):
        partners = [PartnerFactory(organisation=org, name=f"Partner {size}-{n}") for n in range(size)]
        agreement = services.agreement_create(
            organisation=org, actor=owner, title=f"Met {size}", partners=partners, kind="structural"
        )
        version = versions.version_create(agreement=agreement, kind="agreement", actor=owner)
        sign_requests.sign_request_create(
            version=version, party=agreement.parties.first(), signer_name="Iemand", actor=owner
        )
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(agreement.get_absolute_url()).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
