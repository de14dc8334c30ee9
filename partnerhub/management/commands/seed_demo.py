"""Load the demo organisation: Tinnitracks and its five key partners (the example of seed 000).

Idempotent: every row is found by its natural key (organisation slug, user e-mail, partner name within the
organisation, contact name within the partner) and only created when it is missing, so running the command
again changes nothing and never duplicates. Demo data somebody edited is left as it is, including the demo
password; `--reset` puts the demo values (and the password) back. Partners and contacts are created
through the services, so the demo's audit log shows who added them.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from affiliates import demo as programme_demo
from agreements import demo as agreement_demo
from checker import services as checker_services
from matrix import services as matrix_services
from matrix.models import CELL_FIELDS
from partnerhub import services
from partnerhub.models import Membership, Organisation, PartnerCategory, PartnerStatus, Role, User

# A public demo login, printed on purpose; never load the demo into a production database.
DEMO_PASSWORD = "partnerhub-demo"  # noqa: S105
DEMO_URL = "http://127.0.0.1:8000/"

ORGANISATION_SLUG = "tinnitracks"
ORGANISATION = {
    "name": "Tinnitracks",
    "industry": "Medische technologie",
    "products_services": "Applicatie die tinnitus behandelt met muziek",
    "employees": 51,
    "revenue": Decimal("3560000"),
    "location": "Duitsland",
}


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    role: str


OWNER = DemoUser("demo@partnerhub.nl", "Lotte de Vries", Role.OWNER)
VIEWER = DemoUser("collega@partnerhub.nl", "Bram Jansen", Role.VIEWER)


@dataclass(frozen=True)
class DemoContact:
    name: str
    job_title: str
    email: str
    is_key_person: bool = False
    notes: str = ""


@dataclass(frozen=True)
class DemoPartner:
    name: str
    category: str
    status: str
    influence: int
    importance: int
    notes: str
    owned_by_demo_user: bool = True
    contacts: list[DemoContact] = field(default_factory=list)


# What each partner brings and gets, after the partner value matrix of seed 000 (in our own words).
PARTNERS = [
    DemoPartner(
        name="Sennheiser",
        category=PartnerCategory.SUPPLIER,
        status=PartnerStatus.ACTIVE,
        influence=4,
        importance=4,
        notes=(
            "Brengt: geluidstechnologie en koptelefoons die op de therapie zijn afgestemd, en verkoopt de "
            "maatwerkkoptelefoon samen met de muziekservice via de eigen verkoopkanalen.\n"
            "Haalt eruit: verkoop met een hoge marge via het medische kanaal; bij elke behandeling hoort een "
            "koptelefoon, en wie in een behandeling investeert kiest een koptelefoon die er precies bij past."
        ),
        contacts=[
            DemoContact(
                "Katrin Vogel",
                "Key account manager medische markt",
                "katrin.vogel@sennheiser.example",
                is_key_person=True,
                notes="Beslist over co-branding en de marge op de maatwerkkoptelefoon.",
            ),
            DemoContact("Jonas Becker", "Productmanager audiologie", "jonas.becker@sennheiser.example"),
        ],
    ),
    DemoPartner(
        name="Zorgverzekeringen",
        category=PartnerCategory.INSURER,
        status=PartnerStatus.ACTIVE,
        influence=5,
        importance=5,
        notes=(
            "Brengt: kennis over hoe vaak tinnitus voorkomt en wat de aandoening kost, en een vergoeding "
            "voor patiënten met een officiële tinnitusdiagnose.\n"
            "Haalt eruit: lagere zorgkosten voor hun verzekerden doordat de behandeling werkt, en betere "
            "zorg om hun klanten te bieden."
        ),
        contacts=[
            DemoContact(
                "Marieke van Dijk",
                "Zorginkoper medische hulpmiddelen",
                "marieke.vandijk@zorgverzekeraar.example",
                is_key_person=True,
                notes="Aanspreekpunt voor het vergoedingscontract; wil jaarlijks effectcijfers zien.",
            ),
            DemoContact("Thomas Wagner", "Medisch adviseur", "thomas.wagner@krankenkasse.example"),
        ],
    ),
    DemoPartner(
        name="Fondsen (innovation fonds Hamburg & High tech Gründerfonds)",
        category=PartnerCategory.FUND,
        status=PartnerStatus.ACTIVE,
        influence=4,
        importance=3,
        notes=(
            "Brengt: startkapitaal voor de ontwikkeling van de diensten en apps en voor de marktintroductie, "
            "plus advies over bedrijfsvoering en uitbreiding naar het buitenland.\n"
            "Haalt eruit: rendement op hun investering."
        ),
        contacts=[
            DemoContact(
                "Anna Schmidt",
                "Investment manager",
                "anna.schmidt@gruenderfonds.example",
                is_key_person=True,
                notes="Zit namens de fondsen bij het kwartaaloverleg.",
            ),
            DemoContact("Lukas Hoffmann", "Innovatieadviseur", "lukas.hoffmann@innovationsfonds.example"),
        ],
    ),
    DemoPartner(
        name="KNO arts (specialist)",
        category=PartnerCategory.SPECIALIST,
        status=PartnerStatus.ACTIVE,
        influence=5,
        importance=4,
        notes=(
            "Brengt: stelt de diagnose tinnitus en volgt de voortgang van de gebruikers van Tinnitracks.\n"
            "Haalt eruit: een alternatieve, mogelijk betere behandeling voor hun patiënten."
        ),
        contacts=[
            DemoContact(
                "Pieter Bakker",
                "KNO-arts",
                "p.bakker@kno-praktijk.example",
                is_key_person=True,
                notes="Verwijst patiënten door en geeft feedback op de behandelresultaten.",
            ),
        ],
    ),
    DemoPartner(
        name="Verkopers van gehoorapparaten",
        category=PartnerCategory.RESELLER,
        status=PartnerStatus.PROSPECT,
        influence=3,
        importance=4,
        owned_by_demo_user=False,
        notes=(
            "Brengen: verkoopkanalen waar de oplossing van Tinnitracks verkocht wordt, en kunnen de "
            "voortgang van gebruikers meten.\n"
            "Halen eruit: commissie op de verkoop van de Tinnitracks-oplossing."
        ),
        contacts=[
            DemoContact("Sanne Visser", "Filiaalmanager", "sanne.visser@hoorwinkel.example"),
            DemoContact("Daan Smit", "Audicien", "daan.smit@hoorwinkel.example"),
        ],
    ),
]


# Seed 000's Tinnitracks example as a value matrix: per partner the filled cells, one item per line.
MATRIX_NAME = "Partnerwaarde-matrix Tinnitracks"
MATRIX_PURPOSE = (
    "Voorbeeld uit de partnerwaarde-matrix: wat brengen onze vijf belangrijkste partners, wat halen ze eruit?"
)
MATRIX_CELLS = {
    "Sennheiser": {
        "brings_resources": "Aangepaste geluidstechnologie en koptelefoons",
        "brings_channels": "Verkoop van de maatwerkkoptelefoon en muziekservice via de eigen kanalen",
        "gets_money": "Hoge marge via het medische kanaal\nKoptelefoon meegeleverd bij de behandeling",
        "gets_other": "Wie in een behandeling investeert, kiest een koptelefoon die er precies bij past",
    },
    "Zorgverzekeringen": {
        "brings_resources": "Kennis over het vóórkomen en de kosten van tinnitus",
        "brings_money": "Vergoeding voor patiënten met een officiële tinnitusdiagnose",
        "gets_money": "Lagere kosten voor verzekerden door de behandeling",
        "gets_other": "Een betere behandeling, dus betere zorg van de verzekeraar",
    },
    "Fondsen (innovation fonds Hamburg & High tech Gründerfonds)": {
        "brings_money": "Startkapitaal voor de ontwikkeling van services, apps en de marktintrede",
        "brings_other": "Advies over bedrijfsvoering en uitbreiding naar het buitenland",
        "gets_money": "Rendement op hun investering",
    },
    "KNO arts (specialist)": {
        "brings_resources": "Stelt de tinnitusdiagnose en volgt de voortgang van gebruikers",
        "gets_other": "Een alternatieve, mogelijk betere behandeling voor hun patiënt",
    },
    "Verkopers van gehoorapparaten": {
        "brings_channels": "Verkoopkanalen waarin de oplossing van Tinnitracks verkocht wordt",
        "brings_resources": "Kunnen de voortgang van gebruikers meten",
        "gets_money": "Commissie op de verkoop van de Tinnitracks-oplossing",
    },
}

# A completed round of the samenwerkingschecker (seed 003) for three of the partners and the own team, with
# answers that differ on a few statements (the money, sharing knowledge, the lead, the cost/benefit split),
# and the next round, open, with the same respondents.
COLLABORATION_NAME = "Tinnitracks-zorgketen"
COLLABORATION_PARTNERS = ["Sennheiser", "Zorgverzekeringen", "KNO arts (specialist)"]
FIRST_ROUND = "Samenwerkingschecker voorjaar 2026"
FIRST_ROUND_DATES = (datetime.date(2026, 4, 1), datetime.date(2026, 4, 30))
NEXT_ROUND = "Samenwerkingschecker najaar 2026"
# Per respondent (in the round's order: partners' contacts by partner and name, then the team) the scores of
# the 17 statements and the grade. Where the rows differ by two or more, the results say "bespreek dit samen".
CHECKER_ANSWERS = [
    ([5, 4, 4, 3, 4, 4, 4, 4, 3, 3, 4, 4, 4, 4, 2, 2, 4], 7),
    ([4, 4, 3, 3, 4, 5, 4, 4, 4, 3, 3, 4, 3, 4, 3, 2, 4], 7),
    ([2, 4, 4, 3, 4, 4, 4, 5, 3, 4, 3, 4, 2, 4, 1, 4, 3], 6),
    ([2, 3, 4, 2, 4, 4, 3, 4, 3, 3, 3, 4, 2, 3, 2, 5, 3], 6),
    ([4, 4, 3, 3, 5, 4, 4, 4, 3, 3, 3, 5, 4, 4, 2, 3, 4], 8),
    ([5, 4, 4, 4, 4, 5, 5, 4, 4, 4, 4, 5, 5, 4, 4, 5, 5], 8),
    ([4, 4, 4, 3, 4, 4, 4, 4, 3, 4, 3, 4, 4, 4, 3, 4, 4], 7),
]


class Command(BaseCommand):
    help = "Load the Tinnitracks demo organisation, its partners and two demo logins (safe to run again)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Put back demo values that were edited, and the demo password.",
        )
        parser.add_argument("--url", default=DEMO_URL, help="The address printed for the demo login.")

    @transaction.atomic
    def handle(self, *args, reset=False, url=DEMO_URL, **options):
        self.reset = reset
        self.created = {"partners": 0, "contacts": 0}
        organisation = self.load_organisation()
        owner = self.load_user(organisation, OWNER)
        viewer = self.load_user(organisation, VIEWER)
        for demo in PARTNERS:
            self.load_partner(organisation, owner, demo)
        self.load_matrix(organisation, owner)
        self.load_checker(organisation, owner)
        agreement_demo.load(organisation, owner, organisation.collaborations.get(name=COLLABORATION_NAME))
        programme, created = programme_demo.load(owner, viewer)

        self.stdout.write(
            f"Demo organisation “{organisation.name}”: {organisation.partners.count()} partners "
            f"({self.created['partners']} new, {self.created['contacts']} new contact persons)."
        )
        self.stdout.write(
            self.style.SUCCESS(f"Open {url} and log in as {OWNER.email} / {DEMO_PASSWORD} (owner)")
            + f"\n  or as {VIEWER.email} / {DEMO_PASSWORD} (viewer)."
        )
        self.stdout.write(
            f"Partner programme (seed 004): “{programme.name}”{' (new)' if created else ''}, "
            f"{url.rstrip('/')}/o/{programme.slug}/programme/\n"
            f"  the blogger's affiliate portal: {url.rstrip('/')}/p/{programme_demo.PORTAL_TOKEN}/"
        )

    def load_matrix(self, organisation, owner):
        matrix = organisation.value_matrices.filter(name=MATRIX_NAME).first()
        if matrix is None:
            matrix = matrix_services.matrix_create(
                organisation=organisation, actor=owner, name=MATRIX_NAME, purpose=MATRIX_PURPOSE
            )
        partners = {partner.name: partner for partner in organisation.partners.filter(name__in=MATRIX_CELLS)}
        new_rows = matrix_services.rows_add(
            matrix=matrix, partners=[partners[name] for name in MATRIX_CELLS], actor=owner
        )
        for row in matrix.rows.select_related("partner"):
            if row in new_rows or self.reset:
                for field_name in CELL_FIELDS:
                    setattr(row, field_name, MATRIX_CELLS[row.partner.name].get(field_name, ""))
                row.save()
        return matrix

    def load_checker(self, organisation, owner):
        checker_services.standard_statements_restore()  # in case the database was flushed
        collaboration = organisation.collaborations.filter(name=COLLABORATION_NAME).first()
        if collaboration is None:
            collaboration = checker_services.collaboration_create(
                organisation=organisation,
                actor=owner,
                name=COLLABORATION_NAME,
                description="Sennheiser, de zorgverzekeraar en de KNO-artsen rond de behandeling.",
                partners=organisation.partners.filter(name__in=COLLABORATION_PARTNERS),
            )
        first = collaboration.rounds.filter(name=FIRST_ROUND).first()
        if first is None:
            opens_on, deadline = FIRST_ROUND_DATES
            first = checker_services.round_create(
                collaboration=collaboration,
                actor=owner,
                name=FIRST_ROUND,
                opens_on=opens_on,
                deadline=deadline,
            )
            answered_at = timezone.make_aware(datetime.datetime.combine(opens_on, datetime.time(10)))
            statements = [item.statement_id for item in first.round_statements.order_by("position")]
            invitations = first.invitations.order_by("partner__name", "name", "pk")
            for invitation, (scores, grade) in zip(invitations, CHECKER_ANSWERS, strict=False):
                invitation.sent_at = answered_at
                invitation.save(update_fields=["sent_at"])
                for statement_id, score in zip(statements, scores, strict=True):
                    checker_services.answer_save(
                        invitation=invitation, statement_id=statement_id, score=score, now=answered_at
                    )
                checker_services.grade_save(invitation=invitation, grade=grade, now=answered_at)
                checker_services.invitation_submit(invitation=invitation, now=answered_at)
        if not collaboration.rounds.filter(name=NEXT_ROUND).exists():
            today = timezone.localdate()
            checker_services.round_repeat(
                previous=first,
                actor=owner,
                name=NEXT_ROUND,
                opens_on=today,
                deadline=today + datetime.timedelta(days=21),
            )

    def load_organisation(self):
        organisation, created = Organisation.objects.get_or_create(
            slug=ORGANISATION_SLUG, defaults=ORGANISATION
        )
        if not created and self.reset:
            changed = [name for name, value in ORGANISATION.items() if getattr(organisation, name) != value]
            for name in changed:
                setattr(organisation, name, ORGANISATION[name])
            if changed:
                organisation.save(update_fields=changed)
        return organisation

    def load_user(self, organisation, demo):
        user, created = User.objects.get_or_create(email=demo.email, defaults={"full_name": demo.full_name})
        # Only a new user gets the password; an existing one keeps whatever was chosen, unless --reset.
        if created or (self.reset and not user.check_password(DEMO_PASSWORD)):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        membership, _ = Membership.objects.get_or_create(
            user=user, organisation=organisation, defaults={"role": demo.role}
        )
        if self.reset and membership.role != demo.role:
            membership.role = demo.role
            membership.save(update_fields=["role"])
        return user

    def load_partner(self, organisation, owner, demo):
        values = {
            "category": demo.category,
            "status": demo.status,
            "influence": demo.influence,
            "importance": demo.importance,
            "notes": demo.notes,
            "relationship_owner": owner if demo.owned_by_demo_user else None,
        }
        partner = organisation.partners.filter(name=demo.name).first()
        if partner is None:
            partner = services.partner_create(
                organisation=organisation, actor=owner, name=demo.name, **values
            )
            self.created["partners"] += 1
        elif self.reset:
            changed = {name: value for name, value in values.items() if getattr(partner, name) != value}
            if changed:
                services.partner_update(partner=partner, actor=owner, **changed)

        for contact_demo in demo.contacts:
            self.load_contact(partner, owner, contact_demo)

    def load_contact(self, partner, owner, demo):
        values = {
            "job_title": demo.job_title,
            "email": demo.email,
            "is_key_person": demo.is_key_person,
            "notes": demo.notes,
        }
        contact = partner.contacts.filter(name=demo.name).first()
        if contact is None:
            services.contact_create(partner=partner, actor=owner, name=demo.name, **values)
            self.created["contacts"] += 1
        elif self.reset:
            changed = {name: value for name, value in values.items() if getattr(contact, name) != value}
            if changed:
                services.contact_update(contact=contact, actor=owner, **changed)
