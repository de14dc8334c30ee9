"""The demo agreement: the Tinnitracks care chain (seed 000) as a structural collaboration with Sennheiser,
the health insurer and the ENT specialists, its agreement filled section by section (seed 003, ch. 3 to 5).

Every party answered the ten questions (seed 003); the conclusions are recorded with two follow-up actions.
The letter of intent is signed by all; the agreement by all but the health insurer, whose link is open.

`load(organisation, owner, collaboration)` is called by `seed_demo`; it is safe to run again (an existing
agreement is left as the user made it).
"""

import datetime
from decimal import Decimal
from typing import cast

from django.utils import timezone

from agreements import services
from agreements.models import Agreement, AgreementVersion, Level, Party, SignRequest, Status
from agreements.questions import actions, answers, conclusions, sheets
from agreements.signing import sign_requests, signatures, versions
from checker.models import Collaboration
from partnerhub.models import Organisation, User

TITLE = "Tinnitracks-zorgketen"

# Per partner (by name; None is the organisation itself): cost share, revenue share, contribution, effort and
# result obligations, and its own goal.
PARTIES = {
    None: (
        "50",
        "45",
        "De therapie-app en de muziekservice, het platform waarop patiënten en artsen de voortgang "
        "volgen, en de projectleiding.",
        "Zorgt voor een stabiele app en beantwoordt vragen van artsen binnen twee werkdagen.",
        "Levert elk kwartaal een effectrapportage per verzekerde groep.",
        "2.000 actieve gebruikers van de therapie via de zorgketen",
    ),
    "Sennheiser": (
        "25",
        "30",
        "Koptelefoons die op de therapie zijn afgestemd, en verkoop via de eigen kanalen voor audiologie.",
        "Zet de maatwerkkoptelefoon in de medische verkoopkanalen.",
        "Levert binnen vijf werkdagen na bestelling.",
        "1.500 verkochte maatwerkkoptelefoons via het medische kanaal",
    ),
    "Zorgverzekeringen": (
        "25",
        "15",
        "Vergoeding van de behandeling bij een tinnitusdiagnose, en cijfers over zorgkosten.",
        "Informeert verzekerden met tinnitus over de vergoede behandeling.",
        "Vergoedt erkende behandelingen binnen 30 dagen na declaratie.",
        "10 % lagere zorgkosten per verzekerde met tinnitus",
    ),
    "KNO arts (specialist)": (
        "0",
        "10",
        "De diagnose, het voorschrijven van de therapie en het volgen van de voortgang van patiënten.",
        "Schrijft de therapie voor waar die past en bespreekt de voortgang bij elke controle.",
        "",
        "Een bewezen alternatieve behandeling voor 300 patiënten",
    ),
}

SHARED_GOALS = [
    "3.000 patiënten starten met de vergoede therapie via de zorgketen",
    "De tevredenheid van patiënten over de behandeling is gemiddeld 8 of hoger",
]

RISKS = [
    (
        "De zorgverzekeraar stopt de vergoeding na het eerste contractjaar.",
        "Effectcijfers elk kwartaal delen; het contract loopt twee jaar met een evaluatie na twaalf maanden.",
    ),
    (
        "Artsen schrijven de therapie weinig voor.",
        "Scholing via de KNO-vereniging en een vaste contactpersoon bij Tinnitracks.",
    ),
    (
        "Leveringsproblemen bij de maatwerkkoptelefoon.",
        "Sennheiser houdt een buffervoorraad aan voor drie maanden.",
    ),
]

SECTIONS = {
    "conditions": {
        "conditions": "Patiëntgegevens worden alleen gedeeld met toestemming van de patiënt en volgens de "
        "AVG. Elke partij blijft verantwoordelijk voor haar eigen product of dienst.",
    },
    "term": {
        "term": "Twee jaar vanaf de ondertekening, daarna stilzwijgend telkens met een jaar verlengd.",
        "termination": "Opzeggen kan schriftelijk tegen het einde van een contractjaar.",
    },
    "expectations": {
        "expectations": "Elke partij brengt wat ze heeft toegezegd en meldt problemen meteen.",
        "measuring_points": "Aantal gestarte patiënten, verkochte koptelefoons, tevredenheid van patiënten "
        "en zorgkosten per verzekerde, elk kwartaal.",
    },
    "split": {"settlement": "Diensten aan elkaar worden tegen kostprijs verrekend, per kwartaal."},
    "ownership": {
        "products": "Elke partij blijft eigenaar van haar eigen producten.",
        "knowledge": "Gezamenlijk opgedane kennis over het effect van de behandeling is van alle partijen.",
        "ip": "De app en de muziekservice blijven van Tinnitracks; het koptelefoonontwerp van Sennheiser.",
    },
    "customers": {
        "customer_owner": "De patiënt is klant van Tinnitracks; de verzekerde blijft die van de verzekeraar.",
        "approach_outside": "Partijen benaderen elkaars klanten buiten de samenwerking niet zonder overleg.",
        "crm": "Alleen geanonimiseerde cijfers worden gedeeld, via het kwartaalrapport.",
    },
    "suppliers": {"suppliers": "Sennheiser kiest zijn eigen leveranciers; Tinnitracks host in de EU."},
    "breach": {
        "breach": "Eerst een gesprek binnen twee weken; daarna bemiddeling door een onafhankelijke adviseur.",
        "setbacks": "Elke partij draagt haar eigen tegenvallers; gezamenlijke kosten volgens de verdeling.",
    },
    "roles": {"roles": "Tinnitracks leidt, belegt het kwartaaloverleg en is penvoerder."},
    "evaluation": {
        "how": "Met de samenwerkingschecker: elke partner beoordeelt de samenwerking.",
        "when": "Elk half jaar, in april en oktober.",
    },
    "exit": {
        "how_to_leave": "Een partij kan uittreden met een schriftelijke opzegging aan alle partijen.",
        "notice_period": "Drie maanden, tegen het einde van een kwartaal.",
        "consequences": "Lopende behandelingen van patiënten worden afgemaakt.",
        "division": "Resultaten tot dan toe worden verdeeld naar de opbrengstverdeling.",
        "not_working": "Blijkt na twaalf maanden dat minder dan 500 patiënten zijn gestart, dan besluiten "
        "partijen samen of ze doorgaan.",
    },
}


# The ten questions, answered by each party (by partner name; None is the organisation itself).
ANSWERS = {
    None: {
        "goal": "Meer patiënten met tinnitus laten starten met een vergoede therapie; strategisch.",
        "own-contribution": "De therapie-app, de muziekservice en de projectleiding.",
        "partner-contribution": "Sennheiser de koptelefoons, de verzekeraar de vergoeding, de KNO-artsen de "
        "diagnose.",
        "missing-contribution": "Een kanaal naar huisartsen; misschien later via de KNO-vereniging.",
        "roles": "Wij trekken en organiseren het kwartaaloverleg.",
        "knowledge-sharing": "Een kwartaalrapport met geanonimiseerde cijfers en een gedeelde map.",
        "risks": "Dat de vergoeding na een jaar stopt.",
        "risk-mitigation": "Effectcijfers delen en een contract van twee jaar.",
        "legal-form": "Een samenwerkingsovereenkomst; een gezamenlijke bv is te zwaar.",
        "business-model": "De verzekeraar betaalt de therapie per patiënt; de koptelefoon koopt de patiënt.",
    },
    "Sennheiser": {
        "goal": "Meer maatwerkkoptelefoons verkopen via het medische kanaal.",
        "own-contribution": "Koptelefoons en onze verkoopkanalen voor audiologie.",
        "partner-contribution": "Tinnitracks de therapie, de verzekeraar de vergoeding.",
        "missing-contribution": "Marketing richting audiciens.",
        "roles": "Tinnitracks trekt; wij leveren en verkopen.",
        "knowledge-sharing": "Verkoopcijfers per kwartaal.",
        "risks": "Voorraad die niet verkocht wordt.",
        "risk-mitigation": "Een prognose per kwartaal van Tinnitracks.",
        "legal-form": "Een overeenkomst, geen nieuwe rechtspersoon.",
        "business-model": "Wij verkopen de koptelefoon; de marge blijft bij ons.",
    },
    "Zorgverzekeringen": {
        "goal": "Lagere zorgkosten voor verzekerden met tinnitus.",
        "own-contribution": "De vergoeding en cijfers over zorgkosten.",
        "partner-contribution": "Een behandeling die werkt, en bewijs daarvan.",
        "missing-contribution": "Onafhankelijk onderzoek naar het effect.",
        "roles": "Wij willen meebeslissen over de meetpunten.",
        "knowledge-sharing": "Alleen geanonimiseerde cijfers.",
        "risks": "Kosten zonder aantoonbaar effect.",
        "risk-mitigation": "Evaluatie na twaalf maanden met een besluit over doorgaan.",
        "legal-form": "Een overeenkomst.",
        "business-model": "Wij vergoeden per erkende behandeling.",
    },
    "KNO arts (specialist)": {
        "goal": "Een bewezen alternatief voor patiënten met tinnitus.",
        "own-contribution": "De diagnose en het volgen van de voortgang.",
        "partner-contribution": "De therapie en de vergoeding.",
        "missing-contribution": "Scholing voor collega's.",
        "roles": "Wij schrijven voor en volgen de patiënt.",
        "knowledge-sharing": "Casuïstiek in het kwartaaloverleg.",
        "risks": "Extra werk zonder vergoeding.",
        "risk-mitigation": "Het volgen van de voortgang past in de gewone controles.",
        "legal-form": "Geen voorkeur.",
        "business-model": "De behandeling valt onder de gewone declaratie.",
    },
}

CONCLUSIONS = {
    "goal": "Samen 3.000 patiënten laten starten met de vergoede therapie; strategische samenwerking.",
    "roles": "Tinnitracks leidt en organiseert het kwartaaloverleg; de verzekeraar beslist mee over meten.",
    "knowledge-sharing": "Een kwartaalrapport met geanonimiseerde cijfers.",
    "risk-mitigation": "Contract van twee jaar met een evaluatie na twaalf maanden.",
    "legal-form": "Een samenwerkingsovereenkomst, geen nieuwe rechtspersoon.",
}

# Who signs for each party; the health insurer has not signed the agreement yet.
SIGNERS = {
    None: "Lotte de Vries",
    "Sennheiser": "Katrin Vogel",
    "Zorgverzekeringen": "Marieke van Dijk",
    "KNO arts (specialist)": "Pieter Bakker",
}
OUTSTANDING = "Zorgverzekeringen"


def load(organisation: Organisation, owner: User, collaboration: Collaboration) -> tuple[Agreement, bool]:
    """The demo agreement on the demo collaboration (created once, then left alone)."""
    existing = Agreement.objects.filter(organisation=organisation, collaboration=collaboration).first()
    if existing is not None:
        return existing, False
    partners = list(collaboration.partners.order_by("name"))
    agreement = services.agreement_create(
        organisation=organisation,
        actor=owner,
        title=TITLE,
        partners=partners,
        collaboration=collaboration,
        level=Level.STRATEGIC,
        kind="structural",
        status=Status.DRAFTING,
    )
    parties = {
        party.partner.name if party.partner is not None else None: party for party in agreement.parties.all()
    }
    due = timezone.localdate().replace(month=12, day=31) + datetime.timedelta(days=365)
    for position, text in enumerate(SHARED_GOALS, start=1):
        agreement.goals.create(text=text, due_date=due, position=position)
    for position, (name, values) in enumerate(PARTIES.items(), start=len(SHARED_GOALS) + 1):
        agreement.goals.create(party=parties[name], text=values[5], due_date=due, position=position)
    services.section_save(agreement=agreement, key="goals", actor=owner, complete=True)
    for position, (description, mitigation) in enumerate(RISKS, start=1):
        agreement.risks.create(description=description, mitigation=mitigation, position=position)
    services.section_save(agreement=agreement, key="risks", actor=owner, complete=True)
    services.party_texts_save(
        agreement=agreement,
        key="contributions",
        actor=owner,
        texts={parties[name].pk: {"contribution": values[2]} for name, values in PARTIES.items()},
        complete=True,
    )
    services.party_texts_save(
        agreement=agreement,
        key="obligations",
        actor=owner,
        texts={
            parties[name].pk: {"effort_obligations": values[3], "result_obligations": values[4]}
            for name, values in PARTIES.items()
        },
        complete=True,
    )
    services.split_save(
        agreement=agreement,
        actor=owner,
        shares={
            parties[name].pk: {"cost_share": Decimal(values[0]), "revenue_share": Decimal(values[1])}
            for name, values in PARTIES.items()
        },
    )
    for key, content in SECTIONS.items():
        if key == "roles":
            services.roles_save(
                agreement=agreement, actor=owner, lead=parties[None], content=content, complete=True
            )
        else:
            services.section_save(agreement=agreement, key=key, actor=owner, content=content, complete=True)
    services.legal_form_answers_save(
        agreement=agreement,
        actor=owner,
        answers={
            "duration": "structural",
            "shared_name": False,
            "shield_assets": False,
            "aim": "risk",
            "participants": len(parties),
            "profit_distribution": "agreed_shares",
            "silent_partners": False,
        },
    )
    services.legal_form_choose(agreement=agreement, actor=owner, code="agreement")
    _load_questions(agreement, owner, parties)
    _load_signatures(agreement, owner, parties)
    return agreement, True


def _load_questions(agreement: Agreement, owner: User, parties: dict[str | None, Party]) -> None:
    for name, texts in ANSWERS.items():
        sheet = sheets.sheet_for(party=parties[name])
        answers.answers_save(sheet=sheet, texts=texts)
        answers.sheet_submit(sheet=sheet, actor=owner)
    for code, text in CONCLUSIONS.items():
        conclusions.conclusion_save(agreement=agreement, code=code, text=text, actor=owner)
    today = timezone.localdate()
    actions.action_create(
        agreement=agreement,
        actor=owner,
        description="Meetpunten voor het kwartaalrapport voorstellen",
        owner=parties["Zorgverzekeringen"],
        due_date=today + datetime.timedelta(days=5),
        code="roles",
    )
    actions.action_create(
        agreement=agreement,
        actor=owner,
        description="Scholing voor KNO-artsen plannen met de KNO-vereniging",
        owner=parties["KNO arts (specialist)"],
        due_date=today + datetime.timedelta(days=30),
        code="missing-contribution",
    )


def _load_signatures(agreement: Agreement, owner: User, parties: dict[str | None, Party]) -> None:
    """The letter of intent signed by everyone, a month ago; the agreement by all but one, last week."""
    for kind, days_ago, outstanding in (("intent", 30, ()), ("agreement", 7, (OUTSTANDING,))):
        when = timezone.now() - datetime.timedelta(days=days_ago)
        version = versions.version_create(agreement=agreement, kind=kind, actor=owner)
        AgreementVersion.objects.filter(pk=version.pk).update(created_at=when - datetime.timedelta(hours=2))
        for name, signer in SIGNERS.items():
            request, token = sign_requests.sign_request_create(
                version=version, party=parties[name], signer_name=signer, actor=owner, now=when
            )
            SignRequest.objects.filter(pk=request.pk).update(created_at=when - datetime.timedelta(hours=1))
            if name not in outstanding:
                signatures.sign(
                    token=cast(str, token),  # a link made without `send` comes with its token
                    name=signer,
                    confirmed=True,
                    confirmed_hash=version.sha256,
                    ip="192.0.2.10",
                    now=when,
                )
