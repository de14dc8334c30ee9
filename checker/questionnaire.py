"""The questionnaire of the samenwerkingschecker (seed 003): 17 statements, each scored from 1 ("applies not
at all, to none of the partners") to 5 ("applies fully, to all partners"), and a grade from 1 to 10.

The statements and their explanations are the seed's; the English is ours. The data migration loads them; it
copies this list (a migration must not change when this file does), so edit both together.
"""

# (code, Dutch, English, explanation in Dutch, explanation in English)
STATEMENTS = [
    (
        "invest-money",
        "We willen geld in de samenwerking steken.",
        "We want to invest money in the collaboration.",
        "",
        "",
    ),
    (
        "market",
        "We denken hetzelfde over wat de markt wil.",
        "We think alike about what the market wants.",
        "Wie onze klant is, wat de klantwensen zijn, hoe groot de marktvraag is, etc.",
        "Who our customer is, what customers want, how large the demand is, etc.",
    ),
    (
        "customers",
        "We willen klanten bij de samenwerking betrekken.",
        "We want to involve customers in the collaboration.",
        "Dat kan bijvoorbeeld door klant-enquêtes, klantpanels, gebruikerstests.",
        "For example through customer surveys, customer panels, user tests.",
    ),
    (
        "risks",
        "We vinden de risico’s acceptabel.",
        "We find the risks acceptable.",
        "Het risico op te weinig winst, hoge kosten, missers, etc.",
        "The risk of too little profit, high costs, failures, etc.",
    ),
    (
        "goals",
        "We denken hetzelfde over wat we willen bereiken.",
        "We think alike about what we want to achieve.",
        "We hebben een gemeenschappelijk doel met onze samenwerking.",
        "We have a common goal with our collaboration.",
    ),
    ("trust", "We kunnen elkaar vertrouwen.", "We can trust each other.", "", ""),
    ("commitment", "We zetten ons voor 100% in.", "We are 100% committed.", "", ""),
    (
        "help",
        "Als iemand met een probleem zit, helpen we hem.",
        "When someone has a problem, we help them.",
        "",
        "",
    ),
    (
        "no-obstacles",
        "Niets in de eigen organisatie staat een goede samenwerking in de weg.",
        "Nothing in our own organisation stands in the way of a good collaboration.",
        "Bijvoorbeeld: plannen voor een fusie, geen commitment van het management, etc.",
        "For example: plans for a merger, no commitment from management, etc.",
    ),
    (
        "culture",
        "Hoe we denken en doen in onze bedrijven, komt met elkaar overeen.",
        "How we think and act in our companies matches.",
        "Denk aan: belangrijke waarden in het bedrijf en vanzelfsprekende handelingen en protocollen.",
        "Think of: important values in the company and the ways of working everyone takes for granted.",
    ),
    (
        "knowledge-needed",
        "We weten welke kennis de samenwerking (nog) nodig heeft.",
        "We know what knowledge the collaboration (still) needs.",
        "",
        "",
    ),
    (
        "contribution",
        "We leveren een waardevolle bijdrage aan de samenwerking.",
        "We make a valuable contribution to the collaboration.",
        "Deze bijdrage kan op elk vlak zijn (operationeel, strategisch, organisatorisch, etc.).",
        "The contribution can be in any area (operational, strategic, organisational, etc.).",
    ),
    (
        "share-knowledge",
        "We stellen onze eigen waardevolle kennis beschikbaar aan de samenwerking.",
        "We make our own valuable knowledge available to the collaboration.",
        "Dit gaat erom bereid te zijn eigen kennis, die echt wat waard is, te geven.",
        "This is about being willing to give knowledge of your own that is really worth something.",
    ),
    (
        "consult",
        "We overleggen met de rest, voor we beslissingen nemen.",
        "We consult the others before we take decisions.",
        "",
        "",
    ),
    (
        "costs-benefits",
        "We weten hoe we de baten en lasten verdelen.",
        "We know how we share the benefits and the costs.",
        "Niet alleen financiële baten en lasten, maar ook tijd, mensen, etc.",
        "Not only financial benefits and costs, but also time, people, etc.",
    ),
    (
        "lead",
        "Eén van de partners neemt het voortouw.",
        "One of the partners takes the lead.",
        "Neemt het initiatief, initieert regelmatig bijeenkomsten, is penvoerder, etc.",
        "Takes the initiative, calls meetings regularly, is the lead party, etc.",
    ),
    ("tasks", "We weten wat onze taken zijn.", "We know what our tasks are.", "", ""),
]

GRADE_QUESTION_NL = "Hoe succesvol vindt u uw samenwerking?"
GRADE_QUESTION_EN = "How successful do you find your collaboration?"
