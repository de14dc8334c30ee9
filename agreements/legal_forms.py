"""The legal-form advisor: which legal form fits a collaboration, and why.

Partners answer a short questionnaire (`LegalFormQuestionsForm`); `recommend()` ranks every legal form in
`LEGAL_FORMS` from best to worst fit.

How the scoring works:

- `RULES` is a plain table. Each rule says: "if this question has this answer, this form gets these
  points, for this reason". Positive points mean the answer suits the form, negative points mean it does not.
- A form's score is the sum of the points of the rules that match the answers; the reasons of those rules,
  in table order, explain the score.
- The number of participants counts as "many" from `MANY_PARTICIPANTS` on. With many participants, forms
  with members (vereniging, coöperatie) fit better than partnerships in which every partner is liable.
- Equal scores are ordered by `LEGAL_FORMS`, which runs from light to heavy: the agreement first, the bv
  last. When two forms fit equally well, the lighter one is the better advice.

There is no other logic: to change the advice, change a row in `RULES`.

The cooperation agreement and the assignment agreement are one option here ("agreement"). Both are
contracts without a new legal entity and share every fact in the comparison (no notary, no KvK
registration, each party liable and taxed on its own); the questionnaire asks about the collaboration,
not about who hires whom, so it could not tell the two apart. The option's summary names both.

`needs_notary` is True for the vereniging: we advise a vereniging with full legal capacity, set up by
notarial deed, because only then are its board members shielded from the association's debts. A
vereniging without a notary exists, but its board members stay personally liable.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

MANY_PARTICIPANTS = 10


@dataclass(frozen=True)
class LegalForm:
    """One legal form with the facts partners compare before choosing."""

    code: str
    name: Promise
    summary: Promise
    formation: Promise
    kvk_registration: Promise
    liability: Promise
    taxes: Promise
    administration: Promise
    needs_notary: bool


# From light to heavy: this order also breaks ties in `recommend()`.
LEGAL_FORMS = (
    LegalForm(
        code="agreement",
        name=_("Cooperation or assignment agreement"),
        summary=_(
            "A contract between independent companies, without a new legal entity; an assignment "
            "agreement when one party carries out work for the other."
        ),
        formation=_("No formalities; put the agreements in writing."),
        kvk_registration=_("No separate registration; each party keeps its own."),
        liability=_("Each party is liable for its own obligations; there are no shared debts."),
        taxes=_("Each party pays its own taxes on its own income."),
        administration=_("Only each party's own administration."),
        needs_notary=False,
    ),
    LegalForm(
        code="vof",
        name=_("General partnership (vof)"),
        summary=_("Two or more partners run a business together under a shared name and share the risk."),
        formation=_("No notary needed; a written partnership agreement is advisable."),
        kvk_registration=_("Required; the partners register it themselves."),
        liability=_("Every partner is fully liable with private assets for all debts of the vof."),
        taxes=_("Each partner pays income tax on their share of the profit."),
        administration=_("Light: no duty to prepare or file annual accounts."),
        needs_notary=False,
    ),
    LegalForm(
        code="maatschap",
        name=_("Professional partnership (maatschap)"),
        summary=_(
            "Professionals pool money, work or means and share the benefit, while each acts in their own "
            "name; common among doctors, accountants and therapists."
        ),
        formation=_("No notary needed; a written partnership agreement is advisable."),
        kvk_registration=_("Required; the partners register it themselves."),
        liability=_("Each partner is liable with private assets for an equal share of the debts."),
        taxes=_("Each partner pays income tax on their share of the profit."),
        administration=_("Light: no duty to prepare or file annual accounts."),
        needs_notary=False,
    ),
    LegalForm(
        code="cv",
        name=_("Limited partnership (cv)"),
        summary=_("Like a vof, but with silent partners who only invest money and stay out of the business."),
        formation=_("No notary needed; a written partnership agreement is advisable."),
        kvk_registration=_("Required; the managing partners register it themselves."),
        liability=_(
            "Managing partners are fully liable with private assets; silent partners risk only their "
            "investment, as long as they do not act for the business."
        ),
        taxes=_("Partners pay income tax on their share of the profit."),
        administration=_("Light: no duty to prepare or file annual accounts."),
        needs_notary=False,
    ),
    LegalForm(
        code="vereniging",
        name=_("Association (vereniging)"),
        summary=_("Members pursue a shared goal and pay for the common activities through a contribution."),
        formation=_("Notarial deed, for an association with full legal capacity."),
        kvk_registration=_("Required; done by the board or the notary."),
        liability=_(
            "The association itself; board members only in case of mismanagement. Members' private "
            "assets are safe."
        ),
        taxes=_("Corporate tax only when the association runs a business."),
        administration=_("An annual balance sheet for the members; filing only for large associations."),
        needs_notary=True,
    ),
    LegalForm(
        code="stichting",
        name=_("Foundation (stichting)"),
        summary=_("An entity without members that serves a social, cultural or other non-profit goal."),
        formation=_("Notarial deed."),
        kvk_registration=_("Required; usually done by the notary."),
        liability=_("The foundation itself; board members only in case of mismanagement."),
        taxes=_("Corporate tax only when the foundation runs a business."),
        administration=_("An annual balance sheet; filing only for large foundations."),
        needs_notary=True,
    ),
    LegalForm(
        code="cooperatie",
        name=_("Cooperative (coöperatie)"),
        summary=_(
            "Members do business together for a collective benefit, such as joint purchasing, and share "
            "the result by their use of the cooperative."
        ),
        formation=_("Notarial deed, by at least two founders."),
        kvk_registration=_("Required; usually done by the notary."),
        liability=_(
            "The cooperative itself; members are liable fully (WA), limited (BA) or not at all (UA), as "
            "the articles say."
        ),
        taxes=_("Corporate tax; members pay income tax on what is paid out to them."),
        administration=_("Annual accounts, prepared and filed every year."),
        needs_notary=True,
    ),
    LegalForm(
        code="bv",
        name=_("Private limited company (bv)"),
        summary=_("A company whose capital is divided into shares; shareholders risk only what they put in."),
        formation=_("Notarial deed of incorporation."),
        kvk_registration=_("Required; usually done by the notary."),
        liability=_(
            "The company itself; shareholders risk only their shares, directors are liable only for "
            "mismanagement."
        ),
        taxes=_("Corporate tax on the profit; income tax on salaries and dividends."),
        administration=_("Annual accounts, prepared and filed every year."),
        needs_notary=True,
    ),
)

LEGAL_FORMS_BY_CODE = {legal_form.code: legal_form for legal_form in LEGAL_FORMS}

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


def _is_yes(value: object) -> bool:
    return value == "yes"


class LegalFormQuestionsForm(forms.Form):
    """The questionnaire; its `cleaned_data` is what `recommend()` expects."""

    duration = forms.ChoiceField(
        label=_("How long will you work together?"),
        choices=[
            ("project", _("One project with an end date")),
            ("structural", _("Structurally, without an end date")),
        ],
    )
    shared_name = forms.TypedChoiceField(
        label=_("Will you act towards customers under one shared name?"),
        help_text=_("Answer no if each partner keeps its own name and its own customers."),
        choices=YES_NO,
        coerce=_is_yes,
    )
    shield_assets = forms.TypedChoiceField(
        label=_("Do you want to keep your private assets out of reach of the collaboration's debts?"),
        choices=YES_NO,
        coerce=_is_yes,
    )
    aim = forms.ChoiceField(
        label=_("What is the main aim of the collaboration?"),
        choices=[
            ("risk", _("Sharing risks and costs")),
            ("profit", _("Financial benefit (making a profit)")),
            ("social", _("A social or non-profit goal")),
        ],
    )
    participants = forms.IntegerField(
        label=_("How many participants will there be?"),
        help_text=_("Count every company or person taking part, including yourself."),
        min_value=2,
        max_value=1000,
        error_messages={
            "min_value": _("A collaboration needs at least two participants."),
            "max_value": _("This advisor is meant for at most 1000 participants; ask an adviser."),
        },
    )
    profit_distribution = forms.ChoiceField(
        label=_("How will profit be distributed?"),
        choices=[
            ("none", _("Not at all: the aim is non-profit")),
            ("agreed_shares", _("By agreed shares among the partners")),
            ("by_use", _("To members, according to their use of or turnover with the collaboration")),
            ("by_shares", _("To shareholders, according to their shares")),
        ],
    )
    silent_partners = forms.TypedChoiceField(
        label=_("Are there partners who only contribute money and do not act towards customers?"),
        choices=YES_NO,
        coerce=_is_yes,
    )


# The questionnaire under the name the issue uses.
QUESTIONS = LegalFormQuestionsForm


@dataclass(frozen=True)
class Rule:
    """If `question` has `answer`, the form `code` gets `points`, explained by `reason`."""

    question: str
    answer: object
    code: str
    points: int
    reason: Promise


RULES = (
    # How long: a contract for a project, a business of your own for lasting work.
    Rule("duration", "project", "agreement", 4, _("A contract suits one project with an end date.")),
    Rule("duration", "project", "vof", -1, _("A vof is meant for lasting collaboration.")),
    Rule("duration", "project", "maatschap", -1, _("A maatschap is meant for lasting collaboration.")),
    Rule("duration", "project", "cv", -1, _("A cv is meant for lasting collaboration.")),
    Rule("duration", "project", "vereniging", -2, _("Setting up an association is heavy for one project.")),
    Rule("duration", "project", "stichting", -2, _("Setting up a foundation is heavy for one project.")),
    Rule("duration", "project", "cooperatie", -2, _("Setting up a cooperative is heavy for one project.")),
    Rule("duration", "project", "bv", -2, _("Setting up a company is heavy for one project.")),
    Rule(
        "duration",
        "structural",
        "agreement",
        -2,
        _("For lasting collaboration, a contract alone often leaves too much open."),
    ),
    Rule("duration", "structural", "maatschap", 1, _("A maatschap suits lasting collaboration.")),
    Rule("duration", "structural", "vof", 1, _("A vof suits lasting collaboration.")),
    # A shared name towards customers.
    Rule(
        "shared_name", True, "agreement", -3, _("A contract gives you no shared name; each acts on its own.")
    ),
    Rule("shared_name", True, "vof", 2, _("A vof acts under the partners' shared name.")),
    Rule("shared_name", True, "cv", 2, _("A cv acts under a shared name, run by the managing partners.")),
    Rule("shared_name", True, "bv", 2, _("A bv acts under its own company name.")),
    Rule("shared_name", True, "maatschap", -1, _("Partners in a maatschap usually act in their own name.")),
    Rule("shared_name", False, "agreement", 2, _("Each party keeps its own name and customers.")),
    Rule("shared_name", False, "maatschap", 2, _("Partners in a maatschap keep acting in their own name.")),
    Rule("shared_name", False, "vof", -3, _("A vof is defined by acting under a shared name.")),
    Rule("shared_name", False, "cv", -3, _("A cv acts under a shared name.")),
    # Keeping private assets safe.
    Rule("shield_assets", True, "bv", 3, _("Shareholders risk only what they put into the bv.")),
    Rule("shield_assets", True, "cooperatie", 2, _("Members of a cooperative can exclude their liability.")),
    Rule("shield_assets", True, "stichting", 2, _("The foundation itself is liable, not the people in it.")),
    Rule("shield_assets", True, "vereniging", 2, _("The association itself is liable, not its members.")),
    Rule("shield_assets", True, "vof", -3, _("Every partner of a vof is fully liable with private assets.")),
    Rule(
        "shield_assets",
        True,
        "maatschap",
        -2,
        _("Partners of a maatschap are liable with private assets for an equal share."),
    ),
    Rule(
        "shield_assets", True, "cv", -1, _("Only the silent partners of a cv keep their private assets safe.")
    ),
    Rule("shield_assets", False, "agreement", 1, _("No entity is needed to protect private assets.")),
    Rule("shield_assets", False, "vof", 1, _("You accept personal liability, so no notary is needed.")),
    Rule("shield_assets", False, "maatschap", 1, _("You accept personal liability, so no notary is needed.")),
    Rule("shield_assets", False, "cv", 1, _("You accept personal liability, so no notary is needed.")),
    # The main aim.
    Rule("aim", "risk", "agreement", 2, _("Sharing risk on a project can be arranged by contract.")),
    Rule("aim", "risk", "vof", 2, _("A vof is a common way to share business risk.")),
    Rule("aim", "risk", "maatschap", 2, _("A maatschap lets professionals share costs and risk.")),
    Rule("aim", "profit", "vof", 1, _("A vof shares its profit among the partners.")),
    Rule("aim", "profit", "cv", 1, _("A cv lets investors share in the profit.")),
    Rule("aim", "profit", "bv", 2, _("A bv is made for doing business for profit.")),
    Rule("aim", "profit", "cooperatie", 1, _("A cooperative brings its members financial benefit.")),
    Rule("aim", "social", "stichting", 3, _("A foundation exists for a social or non-profit goal.")),
    Rule("aim", "social", "vereniging", 3, _("An association brings members together around a shared goal.")),
    Rule("aim", "social", "vof", -2, _("A vof is a business run for the partners' benefit.")),
    Rule("aim", "social", "maatschap", -2, _("A maatschap is run for the partners' benefit.")),
    Rule("aim", "social", "cv", -2, _("A cv is run for the partners' benefit.")),
    Rule("aim", "social", "bv", -2, _("A bv is run for its shareholders' benefit.")),
    # How many take part.
    Rule("group_size", "many", "vereniging", 2, _("An association is built for many members.")),
    Rule("group_size", "many", "cooperatie", 2, _("A cooperative is built for many members.")),
    Rule("group_size", "many", "agreement", -2, _("One contract between many parties is hard to manage.")),
    Rule("group_size", "many", "vof", -1, _("With many partners, each one's full liability weighs heavily.")),
    Rule("group_size", "many", "maatschap", -1, _("A maatschap is hard to run with many partners.")),
    Rule("group_size", "few", "stichting", 1, _("A foundation needs no members; a small board suffices.")),
    Rule(
        "group_size",
        "few",
        "vereniging",
        -1,
        _("An association relies on members; with few, it adds little."),
    ),
    Rule("group_size", "few", "cooperatie", -1, _("A cooperative pays off with many members.")),
    # Where the profit goes.
    Rule("profit_distribution", "none", "stichting", 3, _("A foundation may not pay out profit.")),
    Rule("profit_distribution", "none", "vereniging", 3, _("An association may not pay profit to members.")),
    Rule("profit_distribution", "none", "vof", -2, _("The partners of a vof share the profit.")),
    Rule("profit_distribution", "none", "maatschap", -2, _("The partners of a maatschap share the profit.")),
    Rule("profit_distribution", "none", "cv", -2, _("The partners of a cv share the profit.")),
    Rule("profit_distribution", "none", "bv", -2, _("A bv pays its profit to shareholders.")),
    Rule("profit_distribution", "agreed_shares", "agreement", 1, _("A contract can set each party's share.")),
    Rule("profit_distribution", "agreed_shares", "vof", 2, _("Partners of a vof agree their profit shares.")),
    Rule(
        "profit_distribution",
        "agreed_shares",
        "maatschap",
        2,
        _("Partners of a maatschap agree their profit shares."),
    ),
    Rule("profit_distribution", "agreed_shares", "cv", 2, _("Partners of a cv agree their profit shares.")),
    Rule(
        "profit_distribution",
        "by_use",
        "cooperatie",
        5,
        _("A cooperative shares its result by each member's use or turnover."),
    ),
    Rule(
        "profit_distribution", "by_shares", "bv", 3, _("A bv pays dividend to shareholders by their shares.")
    ),
    Rule(
        "profit_distribution",
        "by_shares",
        "cooperatie",
        -1,
        _("A cooperative shares by use, not by invested capital."),
    ),
    Rule(
        "profit_distribution",
        "agreed_shares",
        "vereniging",
        -3,
        _("An association may not pay profit to members."),
    ),
    Rule("profit_distribution", "agreed_shares", "stichting", -3, _("A foundation may not pay out profit.")),
    Rule(
        "profit_distribution", "by_use", "vereniging", -3, _("An association may not pay profit to members.")
    ),
    Rule("profit_distribution", "by_use", "stichting", -3, _("A foundation may not pay out profit.")),
    Rule(
        "profit_distribution",
        "by_shares",
        "vereniging",
        -3,
        _("An association may not pay profit to members."),
    ),
    Rule("profit_distribution", "by_shares", "stichting", -3, _("A foundation may not pay out profit.")),
    # Silent investors.
    Rule(
        "silent_partners",
        True,
        "cv",
        5,
        _("Silent partners of a cv only invest and risk no more than their investment."),
    ),
    Rule(
        "silent_partners", True, "vof", -2, _("In a vof, a partner who only invests is still fully liable.")
    ),
    Rule(
        "silent_partners",
        True,
        "maatschap",
        -1,
        _("A maatschap has no place for partners who only invest."),
    ),
    Rule("silent_partners", False, "cv", -3, _("A cv needs at least one silent partner who only invests.")),
)


@dataclass
class Recommendation:
    """One legal form with its score and the reasons behind it."""

    form: LegalForm
    score: int
    reasons: list[Promise]
    needs_notary: bool
    pros: list[Promise] = field(default_factory=list)  # the reasons that count for the form
    cons: list[Promise] = field(default_factory=list)  # the reasons that count against it


def recommend(answers: Mapping[str, Any]) -> list[Recommendation]:
    """Rank every legal form for the questionnaire's cleaned answers, best fit first.

    A form scores the sum of the points of the matching rules in `RULES`; equal scores keep the
    light-to-heavy order of `LEGAL_FORMS`.
    """
    facts = dict(answers)
    facts["group_size"] = "many" if answers["participants"] >= MANY_PARTICIPANTS else "few"

    recommendations: dict[str, Recommendation] = {}
    for legal_form in LEGAL_FORMS:
        recommendations[legal_form.code] = Recommendation(
            form=legal_form, score=0, reasons=[], needs_notary=legal_form.needs_notary
        )
    for rule in RULES:
        if facts[rule.question] == rule.answer:
            recommendation = recommendations[rule.code]
            recommendation.score += rule.points
            recommendation.reasons.append(rule.reason)
            (recommendation.pros if rule.points > 0 else recommendation.cons).append(rule.reason)

    # sorted() is stable, so equal scores keep the order of LEGAL_FORMS.
    return sorted(recommendations.values(), key=lambda recommendation: -recommendation.score)
