"""The payout batch's exports: the SEPA credit-transfer file (pain.001) and the CSV for the bookkeeping.

Names and remittance texts are transliterated into the SEPA character set, and the paying account is checked
before a file is made, so a bank never refuses a file this module produced.
"""

import datetime
import re
import string
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from anyascii import anyascii
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from sepaxml import SepaTransfer

from affiliates.models import PayoutBatch, PayoutStatus, ProgrammeSettings
from affiliates.programme.rules import cents


class PayoutExportError(Exception):
    """The batch cannot be exported (the paying account is incomplete, nothing is left to pay)."""


# The SEPA (Latin) character set every bank in the scheme must accept: EPC's "SEPA Requirements for an
# Extended Character Set" (EPC217). Text outside it can be refused by a bank, so names and remittance text
# are transliterated into it (Zoë → Zoe, Ĳ → IJ, ß → ss) rather than left for the bank to reject.
SEPA_CHARACTERS = frozenset(string.ascii_letters + string.digits + "/-?:().,'+ ")
SEPA_NAME_MAX = 70  # Max70Text: the account holder's name
SEPA_REMITTANCE_MAX = 140  # Max140Text: the unstructured remittance information
# ASCII that is not in the set, by the nearest character that is (EPC217's conversions where it has one).
SEPA_REPLACEMENTS = str.maketrans(
    {
        "&": "+",
        "@": "(at)",
        "_": "-",
        "~": "-",
        "=": "-",
        "*": ".",
        "!": ".",
        ";": ",",
        '"': "'",
        "`": "'",
        "[": "(",
        "]": ")",
        "{": "(",
        "}": ")",
        "<": "(",
        ">": ")",
        "\\": "/",
        "|": "/",
    }
)
EMOJI_NAME = re.compile(r":[a-z0-9_+-]+:")


def sepa_text(text: str | None, limit: int) -> str:
    """`text` in the SEPA character set and at most `limit` long: letters transliterated, emoji and what has
    no counterpart left out, runs of spaces made one. "" when nothing readable is left."""
    characters = []
    for character in unicodedata.normalize("NFC", text or ""):
        ascii_text = anyascii(character)
        # An emoji transliterates to its name between colons (":tulip:"): no part of a name or a payment text.
        if EMOJI_NAME.fullmatch(ascii_text):
            ascii_text = " "
        characters.append(ascii_text.translate(SEPA_REPLACEMENTS))
    allowed = "".join(character if character in SEPA_CHARACTERS else " " for character in "".join(characters))
    return " ".join(allowed.split())[:limit].strip()


def debtor_account(programme: ProgrammeSettings) -> dict[str, Any]:
    """The paying account as a sepaxml config (its name in the SEPA character set), or raise
    PayoutExportError saying what to fix."""
    name = sepa_text(programme.debtor_name, SEPA_NAME_MAX)
    if not name:
        raise PayoutExportError(
            _("Fill in the paying account holder in the programme settings before exporting the SEPA file.")
        )
    try:
        iban = IBAN(programme.debtor_iban)
    except SchwiftyException:
        raise PayoutExportError(
            _("Fill in a valid IBAN of the paying account under the programme settings.")
        ) from None
    bic = programme.debtor_bic.strip() or (str(iban.bic) if iban.bic else "")
    try:
        bic = str(BIC(bic)) if bic else ""
    except SchwiftyException:
        bic = ""
    if not bic:
        raise PayoutExportError(_("Fill in a valid BIC of the paying account under the programme settings."))
    return {"name": name, "IBAN": iban.compact, "BIC": bic, "batch": True, "currency": "EUR"}


def sepa_export(*, batch: PayoutBatch, execution_date: datetime.date | None = None) -> bytes:
    """The SEPA credit-transfer file (pain.001.001.03) of the batch's payouts still to be paid, validated
    against the schema by sepaxml. Raises PayoutExportError when there is nothing to pay or the paying
    account is incomplete."""
    programme = ProgrammeSettings.objects.filter(organisation_id=batch.organisation_id).first()
    if programme is None:
        raise PayoutExportError(_("Set up the programme first."))
    config = debtor_account(programme)
    payouts = list(batch.payouts.filter(status=PayoutStatus.OPEN).select_related("partner").order_by("pk"))
    if not payouts:
        raise PayoutExportError(_("This batch has nothing left to pay."))
    execution_date = execution_date or timezone.localdate()
    # Names and text are made SEPA-safe by `sepa_text`; sepaxml's own cleaning (which keeps "&") is off.
    sepa = SepaTransfer(config, clean=False)
    description = sepa_text(
        _("Commission %(month)s %(organisation)s")
        % {"month": batch.month.strftime("%m-%Y"), "organisation": batch.organisation.name},
        SEPA_REMITTANCE_MAX,
    )
    for payout in payouts:
        name = sepa_text(payout.account_holder, SEPA_NAME_MAX)
        if not name:
            raise PayoutExportError(
                _(
                    "The account holder of %(partner)s has no letters or digits a bank can read. Correct "
                    "it in the affiliate's payout details before exporting the SEPA file."
                )
                % {"partner": payout.partner.name}
            )
        payment: dict[str, Any] = {
            "name": name,
            "IBAN": payout.iban,
            "amount": int(cents(payout.amount) * 100),
            "execution_date": execution_date,
            "description": description,
            "endtoend_id": payout.end_to_end_id or f"PH-{payout.pk}",
        }
        if payout.bic:
            payment["BIC"] = payout.bic
        sepa.add_payment(payment)
    xml = sepa.export(validate=True)
    PayoutBatch.objects.filter(pk=batch.pk).update(message_id=sepa.msg_id[:35])
    return xml


def csv_header() -> list[str]:
    return [
        _("Partner"),
        _("Account holder"),
        _("IBAN"),
        _("Amount (EUR)"),
        _("Lines"),
        _("Month"),
        _("Status"),
        _("Payment reference"),
    ]


def csv_rows(batch: PayoutBatch) -> Iterator[tuple[str, str, str, Decimal, int, str, str, str]]:
    """One row per payout for the bookkeeping: amounts with two decimals, the number of ledger lines."""
    payouts = (
        batch.payouts.select_related("partner")
        .annotate(line_count=Count("lines"))
        .order_by("partner__name", "pk")
    )
    month = batch.month.strftime("%Y-%m")
    for payout in payouts:
        yield (
            payout.partner.name,
            payout.account_holder,
            payout.iban,
            cents(payout.amount),
            payout.line_count,
            month,
            payout.get_status_display(),
            payout.end_to_end_id,
        )
