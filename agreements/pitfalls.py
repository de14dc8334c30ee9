"""The pitfall check (seed 003, chapter 7): what is missing or risky in an agreement, and where to fix it.

Chapter 7 names the common causes of failing collaborations. The ones an agreement can show are checked
here: goals that are not concrete, an imbalance between what parties put in and take out, not knowing what
each party wants and can, no agreement on what happens when agreements are not kept, and the exit, the split,
the evaluation and the lead that the builder asks for. The causes that only a conversation can find
(intentions, support in the organisations, culture, trust) are listed on the page as questions to discuss.

`pitfalls(agreement)` runs a fixed number of queries (six), whatever the size of the agreement.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.models import Agreement
from agreements.questions.smart import smart_check
from agreements.services import percentage_text
from agreements.signing.snapshots import SavedRows, saved_rows

# A party whose share of the costs and share of the revenue differ by at least this many percentage points
# carries more than it gets (or the other way round): worth a conversation before signing.
IMBALANCE_POINTS = Decimal("25")


@dataclass(frozen=True)
class Pitfall:
    code: str
    title: str
    detail: str
    fix_label: str
    fix_url: str
    missing: bool  # True: something is not there yet; False: it is there but risky


def _has_text(content: Mapping[str, object] | None) -> bool:
    return bool(content and any(str(value).strip() for value in content.values()))


def pitfalls(agreement: Agreement, rows: SavedRows | None = None) -> list[Pitfall]:
    """What is missing or risky in the agreement, most fundamental first. `rows` are the agreement's saved
    rows (`signing.saved_rows`), when the caller has them already."""
    slug = agreement.organisation.slug
    rows = rows or saved_rows(agreement)
    parties, goals, sections = rows["parties"], rows["goals"], rows["sections"]
    has_risks = bool(rows["risks"])
    has_rounds = agreement.collaboration.rounds.exists()

    def section_url(key: str) -> str:
        return reverse("agreements:section_edit", args=[slug, agreement.pk, key])

    found: list[Pitfall] = []

    def add(
        code: str,
        title: str,
        detail: str,
        key: str,
        *,
        missing: bool = True,
        fix_label: str | None = None,
        url: str | None = None,
    ) -> None:
        found.append(
            Pitfall(
                code, title, detail, fix_label or _("Fill in this section"), url or section_url(key), missing
            )
        )

    shared = [goal for goal in goals if goal.party_id is None]
    if not shared:
        add(
            "no_goals",
            _("No shared goal"),
            _("Without a concrete shared goal a collaboration has nothing to steer by or evaluate against."),
            "goals",
            fix_label=_("Set the goals"),
        )
    vague = [goal for goal in goals if smart_check(goal.text, due_date=goal.due_date)]
    if vague:
        first = vague[0]
        add(
            "vague_goals",
            ngettext(
                "%(count)d goal is not concrete",
                "%(count)d goals are not concrete",
                len(vague),
            )
            % {"count": len(vague)},
            _("For example “%(goal)s”: %(reason)s")
            % {"goal": first.text, "reason": smart_check(first.text, due_date=first.due_date)[0].message},
            "goals",
            missing=False,
            fix_label=_("Make the goals SMART"),
        )
    without_goal = [party.name for party in parties if not any(goal.party_id == party.pk for goal in goals)]
    if shared and without_goal:
        add(
            "own_goals",
            _("Not every party's own goals are on the table"),
            _("Own goals of %(names)s are not recorded. Goals kept to oneself become a hidden agenda.")
            % {"names": ", ".join(without_goal)},
            "goals",
            fix_label=_("Add their goals"),
        )

    silent = [party.name for party in parties if not party.contribution.strip()]
    if silent:
        add(
            "contributions",
            _("It is not clear what every party contributes"),
            _("Nothing is recorded for %(names)s. Make clear beforehand what each party wants and can do.")
            % {"names": ", ".join(silent)},
            "contributions",
        )

    # (party, cost share, revenue share) of the parties that gave both shares
    given = [
        (party, party.cost_share, party.revenue_share)
        for party in parties
        if party.cost_share is not None and party.revenue_share is not None
    ]
    shares_given = len(given) == len(parties)
    hundred = Decimal("100")
    if not shares_given or (
        sum(cost for _party, cost, _revenue in given) != hundred
        or sum(revenue for _party, _cost, revenue in given) != hundred
    ):
        add(
            "split",
            _("The split of costs and revenue is not agreed"),
            _("Every party needs a share of the costs and of the revenue or profit, each totalling 100 %."),
            "split",
            fix_label=_("Agree the split"),
        )
    else:
        for party, cost, revenue in given:  # every party
            if abs(cost - revenue) >= IMBALANCE_POINTS:
                add(
                    f"unbalanced_{party.pk}",
                    _("Unbalanced contributions: %(name)s") % {"name": party.name},
                    _(
                        "%(name)s bears %(costs)s %% of the costs and receives %(revenue)s %% of the "
                        "revenue. Make sure every party sees this as fair: an imbalance in power and "
                        "interest is a common cause of failure."
                    )
                    % {
                        "name": party.name,
                        "costs": percentage_text(cost),
                        "revenue": percentage_text(revenue),
                    },
                    "split",
                    missing=False,
                    fix_label=_("Review the split"),
                )

    if not _has_text(sections.get("breach")):
        add(
            "breach",
            _("No agreement on what happens when agreements are not kept"),
            _("Agreements not kept are among the most common causes of failure; agree who bears setbacks."),
            "breach",
        )
    if not has_risks:
        add(
            "risks",
            _("No risks named"),
            _("Underestimating the complexity is a common pitfall; name the risks and how you contain them."),
            "risks",
            fix_label=_("Name the risks"),
        )
    if not any(party.is_lead for party in parties):
        add(
            "no_lead",
            _("No one leads the collaboration"),
            _("Someone has to take the initiative, call meetings and hold the pen."),
            "roles",
            fix_label=_("Choose who leads"),
        )
    if not _has_text(sections.get("evaluation")) and not has_rounds:
        add(
            "no_evaluation",
            _("No evaluation planned"),
            _("Agree how and when you evaluate, for example with a round of the collaboration checker."),
            "evaluation",
            fix_label=_("Plan the evaluation"),
        )
    if not _has_text(sections.get("exit")):
        add(
            "no_exit",
            _("No exit scenario"),
            _(
                "Every collaboration ends some day. Agree beforehand how a party can leave and how the "
                "results so far are divided."
            ),
            "exit",
            fix_label=_("Write the exit scenario"),
        )
    return found
