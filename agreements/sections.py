"""The sections of the agreement builder, in the order of the agreement (seed 003, 4.1 to 4.3 and the exit
scenario; seed 001's tips on what to record).

A text section is a few named texts stored in `Section.content`. The other sections are kept in their own
rows: goals (`Goal`), what each party contributes, the split and the obligations (`Party`), risks (`Risk`).
Every section is saved on its own and marked complete by the people writing it.
"""

import dataclasses
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # str or a lazy translation, as Django's form fields take


@dataclasses.dataclass(frozen=True)
class TextField:
    name: str
    label: "StrOrPromise"
    help: "StrOrPromise" = ""


@dataclasses.dataclass(frozen=True)
class SectionSpec:
    key: str
    title: "StrOrPromise"
    intro: "StrOrPromise"
    fields: tuple[TextField, ...] = ()  # of a text section; empty for a section kept in its own rows

    @property
    def is_text(self) -> bool:
        return bool(self.fields)


SECTIONS = (
    SectionSpec(
        "goals",
        _("Goals"),
        _(
            "The goals you share and each party's own goals. Make each one measurable and give it a date: "
            "a goal without them is flagged."
        ),
    ),
    SectionSpec(
        "conditions",
        _("Conditions"),
        _("What must be true for the collaboration to start and to go on."),
        (
            TextField(
                "conditions",
                _("Conditions"),
                _("For example: financing approved, a minimum number of customers, a permit."),
            ),
        ),
    ),
    SectionSpec(
        "term",
        _("Term and termination"),
        _("How long you work together and how the agreement ends."),
        (
            TextField("term", _("Term"), _("Start, end date or period, and whether it renews.")),
            TextField("termination", _("Termination"), _("When and how the agreement can be ended early.")),
        ),
    ),
    SectionSpec(
        "expectations",
        _("Expectations and measuring points"),
        _("What each party expects and how and when you measure whether it happens."),
        (
            TextField("expectations", _("Expectations")),
            TextField(
                "measuring_points", _("Measuring points"), _("What you measure, how often, and who does.")
            ),
        ),
    ),
    SectionSpec(
        "contributions",
        _("Contributions"),
        _("What each party brings in: people, time, money, knowledge, channels, equipment."),
    ),
    SectionSpec(
        "split",
        _("Costs and revenue"),
        _(
            "Each party's share of the costs and of the revenue or profit, in percentages. "
            "Each split must add up to exactly 100 %."
        ),
        (
            TextField(
                "settlement",
                _("Settling services between the parties"),
                _("How work one party does for another is charged or settled."),
            ),
        ),
    ),
    SectionSpec(
        "obligations",
        _("Obligations"),
        _(
            "Per party: effort obligations (doing one's best) and result obligations (delivering a "
            "promised result)."
        ),
    ),
    SectionSpec(
        "ownership",
        _("Ownership"),
        _("Who owns what comes out of the collaboration."),
        (
            TextField("products", _("Products")),
            TextField("knowledge", _("Knowledge")),
            TextField(
                "ip", _("Intellectual property and inventions"), _("Patents, designs, trademarks, copyright.")
            ),
        ),
    ),
    SectionSpec(
        "customers",
        _("Customers and CRM"),
        _("Whose customer is a customer that comes from the collaboration, and what may be done with them."),
        (
            TextField("customer_owner", _("Who owns a customer from the collaboration")),
            TextField("approach_outside", _("May such a customer be approached outside the collaboration?")),
            TextField("crm", _("How CRM data is shared")),
        ),
    ),
    SectionSpec(
        "suppliers",
        _("Suppliers"),
        _("Whether each party's agreements with its suppliers also apply to the collaboration."),
        (TextField("suppliers", _("Suppliers")),),
    ),
    SectionSpec(
        "breach",
        _("Broken agreements and setbacks"),
        _("What happens when a party does not keep an agreement, and who bears setbacks."),
        (
            TextField("breach", _("When an agreement is not kept")),
            TextField("setbacks", _("Who bears setbacks")),
        ),
    ),
    SectionSpec(
        "risks", _("Risks"), _("The risks for the parties and their customers, and how you contain each.")
    ),
    SectionSpec(
        "roles",
        _("Roles"),
        _("Who leads the collaboration, and who does what."),
        (TextField("roles", _("Roles and tasks")),),
    ),
    SectionSpec(
        "evaluation",
        _("Evaluation"),
        _(
            "How and when you evaluate the collaboration, "
            "for example with a round of the collaboration checker."
        ),
        (
            TextField("how", _("How you evaluate")),
            TextField(
                "when", _("When you evaluate"), _("For example: every quarter, after each project phase.")
            ),
        ),
    ),
    SectionSpec(
        "exit",
        _("Exit scenario"),
        _("Every collaboration ends some day. Agree beforehand how."),
        (
            TextField("how_to_leave", _("How a party can leave")),
            TextField("notice_period", _("Notice period")),
            TextField("consequences", _("The consequences for those involved")),
            TextField("division", _("How the results achieved so far are divided")),
            TextField("not_working", _("What happens when it turns out not to work midway")),
        ),
    ),
)

BY_KEY = {section.key: section for section in SECTIONS}
