"""Monthly payout batches: what is due now, making the month's batch (after a preview of its total, count and
largest payment), its payouts and the partners it had to skip, the SEPA credit-transfer file and the CSV for
the bookkeeping, and marking the batch paid."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from affiliates.ledger import payouts, selectors, sepa
from affiliates.ledger.forms import BatchForm
from affiliates.models import PayoutBatch, PayoutStatus
from affiliates.programme.affiliates import iban_formatted
from affiliates.programme.rules import programme_for
from partnerhub.exports import csv_response
from partnerhub.second_factor import second_factor_required
from partnerhub.tenancy import organisation_view, require_write

PER_PAGE = 24


def _batch(request, batch_id):
    return get_object_or_404(
        PayoutBatch.objects.select_related("organisation", "created_by"),
        pk=batch_id,
        organisation=request.organisation,
    )


def _due_now(organisation, programme):
    """The partners the previous month's batch would pay if made now, and those it would skip."""
    plan = payouts.payout_plan(
        organisation=organisation, month=payouts.previous_month(), programme=programme, lines=False
    )
    return {
        "month": plan.month,
        "partners": plan.count,
        "total": plan.total,
        "skipped": len(plan.skipped),
        "below": plan.below,
    }


@organisation_view
@require_GET
def payout_list(request):
    organisation = request.organisation
    programme = programme_for(organisation)
    batches = (
        PayoutBatch.objects.filter(organisation=organisation)
        .annotate(
            payout_count=Count("payouts"),
            total=Sum("payouts__amount"),
            open_count=Count("payouts", filter=Q(payouts__status=PayoutStatus.OPEN)),
        )
        .order_by("-month")
    )
    page = Paginator(batches, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "affiliates/ledger/payout_list.html",
        {
            "page_obj": page,
            "programme": programme,
            "due": _due_now(organisation, programme),
            "balances": selectors.ledger_balances(organisation, programme=programme),
            "form": BatchForm(today=timezone.localdate()),
        },
    )


@organisation_view
@require_POST
@second_factor_required
def payout_batch_create(request):
    """Make the chosen month's batch (the previous month unless another is chosen). Without `confirm` it shows
    what the batch will pay (total, count, largest payment, who is skipped) and asks to confirm; the
    confirmation carries the total it was shown, and a batch whose figures changed meanwhile is shown
    again instead of made. Twice is safe."""
    month_value = request.POST.get("month") or payouts.previous_month().strftime("%Y-%m")
    form = BatchForm({"month": month_value}, today=timezone.localdate())
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("month", [])))
        return redirect("affiliates:payout_list", request.organisation.slug)
    month = form.cleaned_data["month"]
    label = date_format(month, "F Y")
    existing = PayoutBatch.objects.filter(organisation=request.organisation, month=month).first()
    if existing is not None:
        messages.info(
            request, _("The batch of %(month)s exists already; nothing new was made.") % {"month": label}
        )
        return redirect("affiliates:payout_batch_detail", request.organisation.slug, existing.pk)
    plan = payouts.payout_plan(organisation=request.organisation, month=month)
    shown = f"{plan.count}:{plan.total}"
    changed = request.POST.get("confirm") == "yes" and request.POST.get("shown") != shown
    if request.POST.get("confirm") != "yes" or changed:
        return render(
            request,
            "affiliates/ledger/payout_batch_confirm.html",
            {"plan": plan, "month_value": month.strftime("%Y-%m"), "shown": shown, "changed": changed},
            status=409 if changed else 200,
        )
    result = payouts.payout_batch_create(organisation=request.organisation, month=month, actor=request.user)
    if not result.created:
        messages.info(
            request, _("The batch of %(month)s exists already; nothing new was made.") % {"month": label}
        )
    else:
        message = ngettext(
            "The batch of %(month)s is made: %(count)s payout.",
            "The batch of %(month)s is made: %(count)s payouts.",
            len(result.payouts),
        ) % {"month": label, "count": len(result.payouts)}
        if result.skipped:
            message += " " + ngettext(
                "%(count)s partner was skipped for lack of a valid payout account.",
                "%(count)s partners were skipped for lack of a valid payout account.",
                len(result.skipped),
            ) % {"count": len(result.skipped)}
        messages.success(request, message)
    return redirect("affiliates:payout_batch_detail", request.organisation.slug, result.batch.pk)


@organisation_view
@require_GET
def payout_batch_detail(request, batch_id):
    batch = _batch(request, batch_id)
    batch_payouts = list(
        batch.payouts.select_related("partner").annotate(line_count=Count("lines")).order_by("partner__name")
    )
    for payout in batch_payouts:
        payout.iban_display = iban_formatted(payout.iban)
    programme = programme_for(request.organisation)
    try:
        sepa.debtor_account(programme)
        sepa_problem = ""
    except sepa.PayoutExportError as error:
        sepa_problem = str(error)
    return render(
        request,
        "affiliates/ledger/payout_batch_detail.html",
        {
            "batch": batch,
            "payouts": batch_payouts,
            "largest": max(batch_payouts, key=lambda payout: payout.amount, default=None),
            "totals": payouts.batch_totals(batch),
            "skipped": payouts.batch_skipped(batch, programme),
            "sepa_problem": sepa_problem,
        },
    )


@organisation_view
@require_GET
def payout_batch_sepa(request, batch_id):
    batch = _batch(request, batch_id)
    try:
        xml = sepa.sepa_export(batch=batch)
    except sepa.PayoutExportError as error:
        messages.error(request, str(error))
        return redirect("affiliates:payout_batch_detail", request.organisation.slug, batch.pk)
    response = HttpResponse(xml, content_type="application/xml")
    response["Content-Disposition"] = content_disposition_header(
        True, f"sepa-{request.organisation.slug}-{batch.month:%Y-%m}.xml"
    )
    return response


@organisation_view
@require_GET
def payout_batch_csv(request, batch_id):
    batch = _batch(request, batch_id)
    return csv_response(
        f"payouts-{request.organisation.slug}-{batch.month:%Y-%m}.csv",
        sepa.csv_header(),
        sepa.csv_rows(batch),
    )


@organisation_view
@require_http_methods(["GET", "POST"])
@second_factor_required
def payout_batch_paid(request, batch_id):
    """GET asks for confirmation; POST marks the open payouts and their lines paid (twice is safe)."""
    batch = _batch(request, batch_id)
    if request.method == "GET":
        return render(
            request,
            "affiliates/ledger/payout_batch_paid.html",
            {"batch": batch, "totals": payouts.batch_totals(batch)},
        )
    require_write(request.membership)
    count = payouts.payout_batch_mark_paid(batch=batch, actor=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)s payout is marked paid; its lines are final.",
                "%(count)s payouts are marked paid; their lines are final.",
                count,
            )
            % {"count": count},
        )
    else:
        messages.info(request, _("Every payout of this batch was paid already."))
    return redirect("affiliates:payout_batch_detail", request.organisation.slug, batch.pk)


urlpatterns = [
    path("payouts/", payout_list, name="payout_list"),
    path("payouts/new/", payout_batch_create, name="payout_batch_create"),
    path("payouts/<int:batch_id>/", payout_batch_detail, name="payout_batch_detail"),
    path("payouts/<int:batch_id>/sepa.xml", payout_batch_sepa, name="payout_batch_sepa"),
    path("payouts/<int:batch_id>/payouts.csv", payout_batch_csv, name="payout_batch_csv"),
    path("payouts/<int:batch_id>/paid/", payout_batch_paid, name="payout_batch_paid"),
]
