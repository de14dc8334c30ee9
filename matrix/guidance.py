"""What the matrix page says to help fill it in: the seed's three steps and a prompt per column, in our words.

The prompts appear in the guidance panel above the grid and as the placeholder of a cell being edited.
"""

from django.utils.translation import gettext_lazy as _

STEPS = [
    (
        _("Choose your key partners"),
        _(
            "Put the (potential) partners that matter most in the matrix: the ones with a lot of influence "
            "on your business and that you depend on. The partner radar helps you pick them."
        ),
    ),
    (
        _("What do they bring?"),
        _(
            "Per partner, write down what it puts into the partnership, from its own point of view. "
            "Keep each item short; one item per line."
        ),
    ),
    (
        _("What do they get out of it?"),
        _(
            "Then write down what the partner gets back from you. A partnership lasts when both sides gain: "
            "a row that only brings or only gets is a risk worth discussing."
        ),
    ),
]

PROMPTS = {
    "brings_resources": _("Materials, specialist knowledge, complementary products, patents or other IP…"),
    "brings_channels": _("Access to their customers, shops, web shop, sales team, network…"),
    "brings_money": _("An investment, a loan, a subsidy, payment for your work…"),
    "brings_other": _("Reputation, a trusted name, data, time of their people…"),
    "gets_resources": _("Your product or service, your know-how, your equipment…"),
    "gets_channels": _("Your customers, your shop or platform, your events…"),
    "gets_money": _("Revenue share, fees, a return on investment, lower costs…"),
    "gets_other": _("Your brand, new knowledge, a joint innovation project…"),
}
