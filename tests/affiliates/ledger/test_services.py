"""The ledger's rules: amounts to the cent, approving (by hand, in bulk, after the hold), rejecting (never a
paid line), claw-backs after payment, the payout minimum, monthly batches (once a month) and the SEPA and
CSV exports."""

import datetime
from decimal import Decimal

import pytest
import xmlschema
from django.utils import translation
from sepaxml import validation

from affiliates.ledger import payouts, sepa
from affiliates.ledger.booking import claw_back, commission_create
from affiliates.models import (
    Affiliate,
    Commission,
    CommissionKind,
    CommissionStatus,
    Payout,
    PayoutBatch,
    PayoutStatus,
)
from affiliates.programme.affiliates import AffiliateError, affiliate_create, code_suggest, iban_compact
from affiliates.programme.rules import programme_for
from partnerhub.models import Partner
from tests.affiliates import factories_ledger as f

MONTH = datetime.date(2026, 1, 1)


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English here; the Dutch ones are tested on the pages."""
    with translation.override("en"):
        yield


PAIN_001 = validation.os.path.join(
    validation.os.path.dirname(validation.__file__), "schemas", "pain.001.001.03.xsd"
)


def balance_lines(partner):
    return list(
        Commission.objects.filter(partner=partner).order_by("pk").values_list("status", "amount", "payout")
    )


# --- amounts -----------------------------------------------------------------------------------------------


def test_commission_is_rounded_to_the_cent_half_up(org):
    aff = f.affiliate(org)
    project = f.order(aff.partner, "123.45")
    commission = commission_create(project=project, percent=Decimal("10"))
    commission.refresh_from_db()
    assert commission.amount == Decimal("12.35")
    assert isinstance(commission.amount, Decimal)
    # 7.5 % of 0.70 is 0.0525 → 0.05; of 0.30 is 0.0225 → 0.02
    assert commission_create(project=f.order(aff.partner, "0.70"), percent=Decimal("7.5")).amount == Decimal(
        "0.05"
    )


# --- approving ---------------------------------------------------------------------------------------------


def test_bulk_approve_approves_pending_lines_and_leaves_others(org, manager):
    aff = f.affiliate(org)
    pending = [f.line(aff.partner, "10.00", status=CommissionStatus.PENDING) for _ in range(3)]
    rejected = f.line(aff.partner, "5.00", status=CommissionStatus.REJECTED, rejected_reason="dubbel")
    approved, left = payouts.commissions_approve(
        organisation=org, commission_ids=[line.pk for line in pending] + [rejected.pk], actor=manager
    )
    assert (approved, left) == (3, 1)
    assert set(
        Commission.objects.filter(pk__in=[line.pk for line in pending]).values_list("status", flat=True)
    ) == {CommissionStatus.APPROVED}
    rejected.refresh_from_db()
    assert rejected.status == CommissionStatus.REJECTED
    # Sent twice (a double click): nothing more happens.
    assert payouts.commissions_approve(
        organisation=org, commission_ids=[line.pk for line in pending], actor=manager
    ) == (0, 3)


def test_approving_ignores_lines_of_another_organisation(org, other_org, manager):
    theirs = f.line(f.affiliate(other_org).partner, "10.00", status=CommissionStatus.PENDING)
    assert payouts.commissions_approve(organisation=org, commission_ids=[theirs.pk], actor=manager) == (0, 0)
    theirs.refresh_from_db()
    assert theirs.status == CommissionStatus.PENDING


def test_lines_are_approved_automatically_after_the_hold(org):
    aff = f.affiliate(org)
    today = datetime.date(2026, 3, 10)
    due = f.line(aff.partner, "10.00", status=CommissionStatus.PENDING, approve_after=today)
    early = f.line(
        aff.partner, "10.00", status=CommissionStatus.PENDING, approve_after=today + datetime.timedelta(1)
    )
    rejected = f.line(
        aff.partner, "10.00", status=CommissionStatus.REJECTED, rejected_reason="nee", approve_after=today
    )
    assert payouts.approve_due_commissions(today=today) == 1
    due.refresh_from_db(), early.refresh_from_db(), rejected.refresh_from_db()
    assert due.status == CommissionStatus.APPROVED and due.approved_at is not None
    assert early.status == CommissionStatus.PENDING
    assert rejected.status == CommissionStatus.REJECTED
    assert payouts.approve_due_commissions(today=today) == 0


def test_the_hold_follows_the_programme(org):
    programme = programme_for(org)
    programme.hold_days = 14
    programme.save()
    project = f.order(f.affiliate(org).partner, "100", date=datetime.date(2026, 2, 1))
    commission = commission_create(project=project, percent=Decimal("10"))
    assert commission.approve_after == datetime.date(2026, 2, 15)


@pytest.mark.usefixtures("eager_celery")
def test_the_daily_task_approves_due_lines(org):
    from affiliates.ledger.tasks import approve_due_commissions

    line = f.line(
        f.affiliate(org).partner,
        "10.00",
        status=CommissionStatus.PENDING,
        approve_after=datetime.date(2026, 1, 1),
    )
    assert approve_due_commissions.delay("2026-01-01").get() == 1
    line.refresh_from_db()
    assert line.status == CommissionStatus.APPROVED


# --- rejecting ---------------------------------------------------------------------------------------------


def test_reject_needs_a_reason_and_keeps_it(org, manager):
    line = f.line(f.affiliate(org).partner, "10.00", status=CommissionStatus.PENDING)
    with pytest.raises(payouts.LedgerError):
        payouts.commissions_reject(organisation=org, commission_ids=[line.pk], actor=manager, reason="  ")
    line.refresh_from_db()
    assert line.status == CommissionStatus.PENDING
    assert (
        payouts.commissions_reject(organisation=org, commission_ids=[line.pk], actor=manager, reason="Retour")
        == 1
    )
    line.refresh_from_db()
    assert (line.status, line.rejected_reason) == (CommissionStatus.REJECTED, "Retour")


def test_a_paid_line_cannot_be_rejected_and_nothing_in_the_selection_changes(org, manager):
    partner = f.affiliate(org).partner
    paid = f.line(partner, "20.00", status=CommissionStatus.PAID)
    open_line = f.line(partner, "10.00", status=CommissionStatus.APPROVED)
    with pytest.raises(payouts.LedgerError, match="paid"):
        payouts.commissions_reject(
            organisation=org, commission_ids=[paid.pk, open_line.pk], actor=manager, reason="Fraude"
        )
    paid.refresh_from_db(), open_line.refresh_from_db()
    assert (paid.status, paid.amount, paid.rejected_reason) == (CommissionStatus.PAID, Decimal("20.00"), "")
    assert open_line.status == CommissionStatus.APPROVED


def test_a_line_in_a_payout_cannot_be_rejected(org, manager):
    aff = f.affiliate(org)
    line = f.line(aff.partner, "60.00")
    payouts.payout_batch_create(organisation=org, month=MONTH)
    line.refresh_from_db()
    assert line.payout_id is not None
    with pytest.raises(payouts.LedgerError):
        payouts.commissions_reject(organisation=org, commission_ids=[line.pk], actor=manager, reason="x")
    line.refresh_from_db()
    assert line.status == CommissionStatus.APPROVED


# --- claw-back ---------------------------------------------------------------------------------------------


def test_refund_after_payment_is_a_negative_line_netted_by_the_next_batch(org, manager):
    f.paying_account(org)
    aff = f.affiliate(org)
    project = f.order(aff.partner, "800.00")
    commission = commission_create(project=project, percent=Decimal("10"))  # 80.00
    # A batch holds the lines approved for its month: approved in November 2026, paid in November's batch.
    november = datetime.datetime(2026, 11, 15, 12, tzinfo=datetime.UTC)
    payouts.commissions_approve(organisation=org, commission_ids=[commission.pk], actor=manager, now=november)
    january = payouts.payout_batch_create(organisation=org, month=datetime.date(2026, 11, 1))
    assert [p.amount for p in january.payouts] == [Decimal("80.00")]
    payouts.payout_batch_mark_paid(batch=january.batch, actor=manager)
    commission.refresh_from_db()
    assert commission.status == CommissionStatus.PAID

    correction = claw_back(line=commission, reason="Order terugbetaald")

    commission.refresh_from_db()
    assert (commission.status, commission.amount) == (CommissionStatus.PAID, Decimal("80.00"))
    assert Payout.objects.get(batch=january.batch).amount == Decimal("80.00")
    assert correction.kind == CommissionKind.CORRECTION and correction.amount == Decimal("-80.00")
    assert correction.corrects == commission and correction.status == CommissionStatus.APPROVED
    # A second refund call takes nothing back twice.
    assert claw_back(line=commission, reason="nogmaals") is None
    # The next month: 95.00 new commission nets against the −80.00: 15.00 is below the minimum, no payout.
    f.line(aff.partner, "95.00")
    february = payouts.payout_batch_create(organisation=org, month=datetime.date(2026, 12, 1))
    assert february.payouts == []
    # The month after: another 40.00 → 55.00 reaches the minimum; the correction is part of that payout.
    f.line(aff.partner, "40.00")
    march = payouts.payout_batch_create(organisation=org, month=datetime.date(2027, 1, 1))
    assert [p.amount for p in march.payouts] == [Decimal("55.00")]
    correction.refresh_from_db()
    assert correction.payout == march.payouts[0]


def test_claw_back_before_payment_rejects_the_line(org):
    line = f.line(f.affiliate(org).partner, "10.00", status=CommissionStatus.PENDING)
    assert claw_back(line=line, reason="Retour") is None
    line.refresh_from_db()
    assert (line.status, line.rejected_reason) == (CommissionStatus.REJECTED, "Retour")


def test_claw_back_of_a_line_in_an_open_payout_leaves_the_payout_alone(org):
    aff = f.affiliate(org)
    line = f.line(aff.partner, "70.00")
    result = payouts.payout_batch_create(organisation=org, month=MONTH)
    correction = claw_back(line=line, reason="Retour")
    line.refresh_from_db()
    assert line.status == CommissionStatus.APPROVED and line.payout == result.payouts[0]
    assert correction.amount == Decimal("-70.00") and correction.payout is None


# --- the minimum and the batch -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amounts", "paid"),
    [
        (["49.99"], None),
        (["50.00"], Decimal("50.00")),
        (["30.00", "19.99"], None),
        (["30.00", "20.00"], Decimal("50.00")),
        (["60.00", "-10.01"], None),  # a negative correction counts
        (["60.00", "-10.00"], Decimal("50.00")),
    ],
)
def test_the_payout_minimum(org, amounts, paid):
    aff = f.affiliate(org)
    for amount in amounts:
        kind = CommissionKind.CORRECTION if amount.startswith("-") else CommissionKind.COMMISSION
        f.line(aff.partner, amount, kind=kind)
    result = payouts.payout_batch_create(organisation=org, month=MONTH)
    assert [payout.amount for payout in result.payouts] == ([paid] if paid else [])
    tied = Commission.objects.filter(partner=aff.partner, payout__isnull=False).count()
    assert tied == (len(amounts) if paid else 0)


def test_pending_rejected_and_paid_lines_do_not_count(org):
    aff = f.affiliate(org)
    f.line(aff.partner, "40.00")
    f.line(aff.partner, "40.00", status=CommissionStatus.PENDING)
    f.line(aff.partner, "40.00", status=CommissionStatus.REJECTED, rejected_reason="x")
    f.line(aff.partner, "40.00", status=CommissionStatus.PAID)
    assert payouts.payout_batch_create(organisation=org, month=MONTH).payouts == []


def test_the_minimum_follows_the_programme(org):
    programme = programme_for(org)
    programme.minimum_payout = Decimal("25.00")
    programme.save()
    aff = f.affiliate(org)
    f.line(aff.partner, "25.00")
    assert [p.amount for p in payouts.payout_batch_create(organisation=org, month=MONTH).payouts] == [
        Decimal("25.00")
    ]


def test_batch_is_made_once_a_month(org, manager):
    aff = f.affiliate(org)
    f.line(aff.partner, "75.00")
    first = payouts.payout_batch_create(organisation=org, month=MONTH, actor=manager)
    f.line(aff.partner, "80.00")
    again = payouts.payout_batch_create(organisation=org, month=datetime.date(2026, 1, 17), actor=manager)
    assert first.created and not again.created
    assert again.batch == first.batch
    assert PayoutBatch.objects.filter(organisation=org).count() == 1
    assert Payout.objects.filter(batch=first.batch).count() == 1
    assert Payout.objects.get(batch=first.batch).amount == Decimal("75.00")


def test_partners_without_a_valid_account_are_skipped_with_the_reason(org):
    good = f.affiliate(org, name="Goed")
    no_iban = f.affiliate(org, name="Zonder IBAN", iban="")
    bad_iban = f.affiliate(org, name="Fout IBAN", iban="NL00ABNA0000000000")
    no_holder = f.affiliate(org, name="Zonder naam", account_holder="")
    plain_partner = Partner.objects.create(organisation=org, name="Makelaar zonder affiliate")
    for partner in (good.partner, no_iban.partner, bad_iban.partner, no_holder.partner, plain_partner):
        f.line(partner, "50.00", kind=CommissionKind.REFERRAL_FEE)
    result = payouts.payout_batch_create(organisation=org, month=MONTH)
    assert [payout.partner for payout in result.payouts] == [good.partner]
    reasons = {item.partner.name: item.reason for item in result.skipped}
    assert set(reasons) == {"Zonder IBAN", "Fout IBAN", "Zonder naam", "Makelaar zonder affiliate"}
    assert "IBAN" in reasons["Fout IBAN"]
    # Their lines stay approved, outside any payout; the batch page lists them with the reason.
    assert Commission.objects.filter(payout__isnull=True, status=CommissionStatus.APPROVED).count() == 4
    assert {item.partner.name for item in payouts.batch_skipped(result.batch)} == set(reasons)


def test_payout_keeps_the_account_and_a_reference(org):
    aff = f.affiliate(org, iban="NL20INGB0001234567", account_holder="J. de Vries")
    f.line(aff.partner, "50.00")
    payout = payouts.payout_batch_create(organisation=org, month=MONTH).payouts[0]
    assert (payout.iban, payout.account_holder, payout.bic) == (
        "NL20INGB0001234567",
        "J. de Vries",
        "INGBNL2A",
    )
    assert payout.end_to_end_id == f"PH-202601-{payout.pk}"


def test_mark_paid_pays_payouts_and_lines_once(org, manager):
    aff = f.affiliate(org)
    lines = [f.line(aff.partner, "30.00"), f.line(aff.partner, "30.00")]
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    assert payouts.payout_batch_mark_paid(batch=batch, actor=manager) == 1
    assert payouts.payout_batch_mark_paid(batch=batch, actor=manager) == 0
    assert Payout.objects.get(batch=batch).status == PayoutStatus.PAID
    assert {Commission.objects.get(pk=line.pk).status for line in lines} == {CommissionStatus.PAID}


@pytest.mark.usefixtures("eager_celery")
def test_monthly_task_makes_the_previous_month_for_every_programme_once(org, other_org):
    from affiliates.ledger.tasks import payout_batches_create

    for organisation in (org, other_org):
        programme_for(organisation)
        f.line(
            f.affiliate(organisation).partner, "50.00", status=CommissionStatus.PENDING, approve_after=MONTH
        )
    payout_batches_create.delay("2026-01-01").get()
    payout_batches_create.delay("2026-01-01").get()
    for organisation in (org, other_org):
        batch = PayoutBatch.objects.get(organisation=organisation)
        assert batch.month == MONTH
        assert batch.payouts.get().amount == Decimal("50.00")


def test_previous_month():
    assert payouts.previous_month(datetime.date(2026, 3, 1)) == datetime.date(2026, 2, 1)
    assert payouts.previous_month(datetime.date(2026, 1, 31)) == datetime.date(2025, 12, 1)


# --- exports -----------------------------------------------------------------------------------------------


def test_sepa_file_validates_against_the_pain_001_schema(org):
    f.paying_account(org, name="Tinnitracks Bouw & Advies B.V.")
    first = f.affiliate(org, name="Bouwblog Jansen", iban="NL20INGB0001234567", account_holder="Jänsen Média")
    second = f.affiliate(org, name="Verbouwtips", iban="DE89370400440532013000")
    f.line(first.partner, "123.45")
    f.line(second.partner, "60.10")
    f.line(second.partner, "-10.00", kind=CommissionKind.CORRECTION)
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch

    xml = sepa.sepa_export(batch=batch, execution_date=datetime.date(2026, 2, 2))

    schema = xmlschema.XMLSchema(PAIN_001)
    schema.validate(xml.decode())  # raises on any violation
    document = schema.to_dict(xml.decode())["CstmrCdtTrfInitn"]
    assert document["GrpHdr"]["NbOfTxs"] == "2"
    assert Decimal(str(document["GrpHdr"]["CtrlSum"])) == Decimal("173.55")
    transfers = document["PmtInf"][0]["CdtTrfTxInf"]
    amounts = sorted(Decimal(str(t["Amt"]["InstdAmt"]["$"])) for t in transfers)
    assert amounts == [Decimal("50.10"), Decimal("123.45")]
    assert {t["CdtrAcct"]["Id"]["IBAN"] for t in transfers} == {
        "NL20INGB0001234567",
        "DE89370400440532013000",
    }
    assert document["PmtInf"][0]["DbtrAcct"]["Id"]["IBAN"] == "NL44RABO0123456789"
    batch.refresh_from_db()
    assert batch.message_id == document["GrpHdr"]["MsgId"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": ""}, "account holder"),
        ({"iban": ""}, "IBAN"),
        ({"iban": "NL00RABO0000000000"}, "IBAN"),
        ({"bic": "", "iban": "NL44RABO0123456789"}, None),  # the BIC follows from a Dutch IBAN
    ],
)
def test_sepa_export_refuses_an_incomplete_paying_account(org, changes, message):
    f.paying_account(org, **changes)
    f.line(f.affiliate(org).partner, "50.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    if message is None:
        assert sepa.sepa_export(batch=batch).startswith(b"<?xml")
        return
    with pytest.raises(sepa.PayoutExportError, match=message):
        sepa.sepa_export(batch=batch)


def test_sepa_export_refuses_a_paid_batch(org, manager):
    f.paying_account(org)
    f.line(f.affiliate(org).partner, "50.00")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    payouts.payout_batch_mark_paid(batch=batch, actor=manager)
    with pytest.raises(sepa.PayoutExportError):
        sepa.sepa_export(batch=batch)


def test_csv_rows_have_two_decimals_and_the_line_count(org):
    aff = f.affiliate(org, name="Bouwblog", iban="NL20INGB0001234567", account_holder="Bouwblog BV")
    f.line(aff.partner, "33.30")
    f.line(aff.partner, "33.40")
    batch = payouts.payout_batch_create(organisation=org, month=MONTH).batch
    rows = list(sepa.csv_rows(batch))
    assert len(rows) == 1
    partner, holder, iban, amount, lines, month, _status, reference = rows[0]
    assert (partner, holder, iban, str(amount), lines, month) == (
        "Bouwblog",
        "Bouwblog BV",
        "NL20INGB0001234567",
        "66.70",
        2,
        "2026-01",
    )
    assert reference.startswith("PH-202601-")


# --- affiliates --------------------------------------------------------------------------------------------


def test_create_a_blogger_makes_partner_and_affiliate_together(org, manager):
    aff = affiliate_create(
        organisation=org,
        actor=manager,
        new_partner_name="Bouwblog Jansen",
        code=code_suggest("Bouwblog Jansen"),
        coupon_code="jansen10",
        iban="nl20 ingb 0001 2345 67",
        account_holder="J. Jansen",
    )
    assert aff.partner.name == "Bouwblog Jansen" and aff.partner.category == "other"
    assert (aff.code, aff.coupon_code, aff.iban) == ("bouwblog-jansen", "JANSEN10", "NL20INGB0001234567")
    assert code_suggest("Bouwblog Jansen") == "bouwblog-jansen-2"


def test_create_with_a_taken_code_saves_nothing(org, manager):
    f.affiliate(org, code="bouwblog")
    with pytest.raises(AffiliateError):
        affiliate_create(organisation=org, actor=manager, new_partner_name="Nieuw", code="bouwblog")
    assert not Partner.objects.filter(name="Nieuw").exists()
    assert Affiliate.objects.count() == 1


def test_invalid_iban_is_refused_in_dutch_ready_words():
    with pytest.raises(AffiliateError, match="IBAN"):
        iban_compact("NL91ABNA0417164301")
    assert iban_compact(" nl91 abna 0417 1643 00 ") == "NL91ABNA0417164300"
