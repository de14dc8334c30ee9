"""The SEPA file a bank accepts: account holders, the paying account and the remittance text in the SEPA
character set (transliterated, not dropped), within the schema's lengths, and the file valid against the
pain.001.001.03 schema."""

import datetime
import string

import pytest
import xmlschema
from django.utils import translation
from schwifty import IBAN
from sepaxml import validation

from affiliates.ledger import payouts, sepa
from tests.affiliates import factories_ledger as f

MONTH = datetime.date(2026, 1, 1)
PAIN_001 = validation.os.path.join(
    validation.os.path.dirname(validation.__file__), "schemas", "pain.001.001.03.xsd"
)
SEPA_CHARACTERS = set(string.ascii_letters + string.digits + "/-?:().,'+ ")


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def iban(n):
    return IBAN.generate("NL", bank_code="ABNA", account_code=f"{417164300 + n:010d}").compact


def export(org, holders, *, debtor="Tinnitracks Bouw & Advies B.V."):
    """The batch's SEPA file for one payout per account holder, as a dict of the validated document."""
    f.paying_account(org, name=debtor)
    for n, holder in enumerate(holders):
        f.line(f.affiliate(org, iban=iban(n), account_holder=holder).partner, "50.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    xml = sepa.sepa_export(batch=batch, execution_date=datetime.date(2026, 2, 2)).decode()
    schema = xmlschema.XMLSchema(PAIN_001)
    schema.validate(xml)  # raises on any violation
    return schema.to_dict(xml)["CstmrCdtTrfInitn"]["PmtInf"][0]


def remittance(transfer):
    (text,) = transfer["RmtInf"]["Ustrd"]
    return text


def test_names_and_text_are_transliterated_into_the_sepa_character_set(org):
    org.name = "Bloemenhuis Zoë & Søn 🌷"
    org.save()
    holders = ["Zoë Ångström-Øre & Co", "Ĳsselmeer BV", "Müller", "İstanbul Şükrü", 'Straße 👍🏽 "Één" @home']

    document = export(org, holders)

    transfers = document["CdtTrfTxInf"]
    assert sorted(transfer["Cdtr"]["Nm"] for transfer in transfers) == sorted(
        [
            "Zoe Angstrom-Ore + Co",
            "IJsselmeer BV",
            "Muller",
            "Istanbul Sukru",
            "Strasse 'Een' (at)home",
        ]
    )
    assert document["Dbtr"]["Nm"] == "Tinnitracks Bouw + Advies B.V."
    assert {remittance(transfer) for transfer in transfers} == {"Commission 01-2026 Bloemenhuis Zoe + Son"}
    texts = [document["Dbtr"]["Nm"]] + [
        text for transfer in transfers for text in (transfer["Cdtr"]["Nm"], remittance(transfer))
    ]
    assert all(set(text) <= SEPA_CHARACTERS for text in texts), texts


def test_names_and_text_stay_within_the_schema_lengths_after_transliteration(org):
    """ß and Ĳ become two letters each: the limit is counted on the text the bank gets."""
    org.name = "Groothandel " + "Große Ĳzerwaren " * 11
    org.save()

    document = export(org, ["ß" * 70, "Ĳ" * 40 + " " + "x" * 29], debtor="Ĳ" * 70)

    names = [transfer["Cdtr"]["Nm"] for transfer in document["CdtTrfTxInf"]]
    assert sorted(names) == sorted(["s" * 70, "IJ" * 35])
    assert document["Dbtr"]["Nm"] == "IJ" * 35
    text = remittance(document["CdtTrfTxInf"][0])
    assert len(text) <= 140 and text.startswith("Commission 01-2026 Groothandel Grosse IJzerwaren")
    assert not text.endswith(" ")


def test_an_account_holder_of_only_emoji_is_refused_with_the_partner_named(org):
    f.paying_account(org)
    readable = f.affiliate(org, iban=iban(1), account_holder="Anna")
    unreadable = f.affiliate(org, name="Bloemenblog", iban=iban(2), account_holder="🌷🌷 👨‍👩‍👧")
    f.line(readable.partner, "50.00")
    f.line(unreadable.partner, "50.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch

    with pytest.raises(sepa.PayoutExportError, match="account holder of Bloemenblog"):
        sepa.sepa_export(batch=batch)
    batch.refresh_from_db()
    assert batch.message_id == ""


def test_a_paying_account_name_without_readable_letters_is_refused(org):
    f.paying_account(org, name="🏦")
    f.line(f.affiliate(org).partner, "50.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    with pytest.raises(sepa.PayoutExportError, match="paying account holder"):
        sepa.sepa_export(batch=batch)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Zoë Ångström-Øre & Co", "Zoe Angstrom-Ore + Co"),
        ("Ĳsselmeer BV", "IJsselmeer BV"),
        ("İstanbul Şükrü", "Istanbul Sukru"),
        ("Zoe\u0308 (decomposed)", "Zoe (decomposed)"),
        ("Bloemen 🌷  Zoë\t👍🏽", "Bloemen Zoe"),
        ("a_b; c=d [e] {f} <g> h|i\\j ~k *l! `m`", "a-b, c-d (e) (f) (g) h/i/j -k .l. 'm'"),
        ("北京", "BeiJing"),
        ("🌷", ""),
    ],
)
def test_sepa_text(text, expected):
    assert sepa.sepa_text(text, 70) == expected
