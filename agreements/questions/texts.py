"""The ten basic questions' texts (seed 003, "Tien basisvragen"), in Dutch and English, with help texts.

Partners go through them together before they record their agreements: goal, contributions, roles, knowledge
sharing, risks, legal form and business model.

The Dutch questions are the seed's, word for word. Where an item ends in an instruction or a list of examples
rather than a question (5, 6 and 10), the question keeps the seed's question sentences and the help text says
the rest in our own words. The English and all help texts are ours.
"""

from dataclasses import dataclass

from django.utils.translation import get_language

# (code, Dutch, English, help in Dutch, help in English)
TEN_QUESTIONS = [
    (
        "goal",
        "Formuleer allebei welk doel u met de samenwerking wilt bereiken. Maak het zo concreet mogelijk. "
        "Denk daarbij aan kennisontwikkeling, kostenverlaging, nieuwe klanten en dergelijke. "
        "Gaat het daarbij om operationele, tactische of strategische samenwerking?",
        "Each of you, state the goal you want to reach with the collaboration. Make it as concrete as "
        "possible. Think of developing knowledge, lowering costs, new customers and the like. Is the "
        "collaboration operational, tactical or strategic?",
        "Schrijf het doel meetbaar en met een datum op, bijvoorbeeld '20 nieuwe klanten vóór 1 juli 2027'. "
        "Noteer naast het gezamenlijke doel ook wat elke partner er zelf uit wil halen.",
        "Write the goal down with a number and a date, for example '20 new customers before 1 July 2027'. "
        "Next to the shared goal, note what each partner wants to gain for itself.",
    ),
    (
        "own-contribution",
        "Wat is uw inbreng in deze samenwerking? Wat is uw toegevoegde waarde?",
        "What do you bring to this collaboration? What is your added value?",
        "Denk aan kennis, klanten, netwerk, mensen, geld of faciliteiten die u meebrengt, en wat daar "
        "bijzonder aan is.",
        "Think of the knowledge, customers, network, people, money or facilities you bring, and what makes "
        "them special.",
    ),
    (
        "partner-contribution",
        "Wat denkt u dat de anderen inbrengen? Wat voegen zij toe?",
        "What do you think the others bring? What do they add?",
        "Schrijf op wat u van de partners verwacht. Leg het later naast wat zij zelf invullen: verschillen "
        "zijn een goed startpunt voor het gesprek.",
        "Write down what you expect from the partners. Compare it later with what they fill in themselves: "
        "differences are a good starting point for the conversation.",
    ),
    (
        "missing-contribution",
        "Mist u nog inbreng? Zo ja, welke? En hoe kan dat worden aangevuld?",
        "Is any contribution still missing? If so, which? And how can it be filled in?",
        "Kijk welke kennis, capaciteit of middelen nog ontbreken en of een extra partner, inhuur of "
        "opleiding dat gat kan dichten.",
        "Check which knowledge, capacity or resources are still lacking, and whether an extra partner, "
        "hired help or training can close that gap.",
    ),
    (
        "roles",
        "Hoe wilt u de verschillende taken en rollen verdelen? Wie neemt de voortrekkersrol op zich? "
        "Wie doet wat? Hoe ziet u deze samenwerking en uw rol daarin over een jaar?",
        "How do you want to divide the tasks and roles? Who takes the lead? Who does what? How do you see "
        "this collaboration and your role in it a year from now?",
        "Beschrijf het laatste deel als een vooruitblik die begint met 'Over een jaar…', en noem per "
        "partner de taken en wie de kar trekt.",
        "Write the last part as a look ahead that starts with 'A year from now…', and name each partner's "
        "tasks and who leads.",
    ),
    (
        "knowledge-sharing",
        "Op welke manier wilt u kennis of informatie uitwisselen in deze samenwerking?",
        "How do you want to exchange knowledge or information in this collaboration?",
        "Bijvoorbeeld met gezamenlijke werksessies, overleg op vaste momenten, gedeelde documenten, "
        "samen onderzoek doen of medewerkers die een tijd bij de partner meedraaien.",
        "For example with joint working sessions, meetings at fixed times, shared documents, research done "
        "together or staff who spend some time working at the partner.",
    ),
    (
        "risks",
        "Ziet u risico’s aan de samenwerking voor uzelf, partners en klanten? Zo ja, welke?",
        "Do you see risks in the collaboration for yourself, the partners and customers? If so, which?",
        "Denk aan financiële tegenvallers, afhankelijkheid van één partner, verlies van klanten of kennis "
        "en schade aan uw naam.",
        "Think of financial setbacks, depending on a single partner, losing customers or knowledge, and "
        "harm to your reputation.",
    ),
    (
        "risk-mitigation",
        "Hoe denkt u deze risico’s met elkaar te kunnen ondervangen?",
        "How do you think you can cover these risks together?",
        "Noem per risico een maatregel en wie daarvoor zorgt, zoals afspraken over kosten, klanten, "
        "eigendom van kennis of hoe u uit elkaar gaat.",
        "For each risk, name a measure and who takes care of it, such as agreements on costs, customers, "
        "ownership of knowledge or how you part ways.",
    ),
    (
        "legal-form",
        "Welke juridische vorm is het meest passend voor uw samenwerking? En welke juist niet?",
        "Which legal form suits your collaboration best? And which does not?",
        "Laat de vorm passen bij hoe nauw u samenwerkt: vaak is een overeenkomst genoeg en hoeft u geen "
        "aparte rechtsvorm op te richten.",
        "Let the form match how closely you work together: an agreement is often enough, without setting "
        "up a separate legal entity.",
    ),
    (
        "business-model",
        "Hoe ziet het businessmodel voor uw samenwerking eruit?",
        "What does the business model of your collaboration look like?",
        "Beschrijf wie de klant is, wat die betaalt en hoe opbrengsten en kosten over de partners worden "
        "verdeeld. Vergelijk daarna elkaars antwoorden en spreek vervolgstappen af.",
        "Describe who the customer is, what they pay and how revenue and costs are shared between the "
        "partners. Then compare each other's answers and agree on next steps.",
    ),
]

CODES = [code for code, *_rest in TEN_QUESTIONS]
TOTAL = len(CODES)


@dataclass(frozen=True)
class Question:
    number: int
    code: str
    text: str
    help: str


def questions(language: str | None = None) -> list[Question]:
    """The ten questions in the active language (Dutch unless English is chosen)."""
    english = (language or get_language() or "nl").startswith("en")
    return [
        Question(number, code, en if english else nl, help_en if english else help_nl)
        for number, (code, nl, en, help_nl, help_en) in enumerate(TEN_QUESTIONS, start=1)
    ]
