"""The ledger: every commission, referral fee and correction, filtered; approving and rejecting in bulk
(with a confirmation), rejecting one line with a reason."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from affiliates.ledger import payouts, selectors
from affiliates.ledger.forms import CommissionFilterForm, RejectForm
from affiliates.models import Commission, CommissionStatus
from affiliates.programme.rules import programme_for
from partnerhub.second_factor import second_factor_required
from partnerhub.tenancy import organisation_view, require_write

PER_PAGE = 50
BULK_MAX = 500


def _list_url(request):
    back = request.POST.get("next") or request.GET.get("next") or ""
    base = reverse("affiliates:commission_list", args=[request.organisation.slug])
    # Only a query string of this list is kept: never a redirect elsewhere.
    return base + back if back.startswith("?") else base


@organisation_view
def commission_list(request):
    organisation = request.organisation
    programme = programme_for(organisation)
    form = CommissionFilterForm(request.GET or None, organisation=organisation)
    lines = Commission.objects.filter(organisation=organisation).select_related(
        "partner", "payout__batch", "project"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            lines = lines.filter(selectors.state_conditions(programme.review_threshold)[data["status"]])
        if data["kind"]:
            lines = lines.filter(kind=data["kind"])
        if data["partner"]:
            lines = lines.filter(partner=data["partner"])
    total = lines.order_by().aggregate(total=Sum("amount"))["total"] or 0
    page = Paginator(lines.order_by("-created_at", "-pk"), PER_PAGE).get_page(request.GET.get("page"))
    for line in page:
        line.to_review = payouts.needs_review(line, programme)
    return render(
        request,
        "affiliates/ledger/commission_list.html",
        {
            "form": form,
            "page_obj": page,
            "total": total,
            "query": request.GET.urlencode(),
            "rejectable": (CommissionStatus.PENDING, CommissionStatus.APPROVED),
            "programme": programme,
            "balances": selectors.ledger_balances(organisation, programme=programme),
        },
    )


def _selected_ids(request):
    ids = [value for value in request.POST.getlist("ids") if value.isdigit()]
    return list(dict.fromkeys(int(value) for value in ids))[:BULK_MAX]


@organisation_view
@require_POST
@second_factor_required
def commission_bulk(request):
    """Approve or reject the selected lines. Without `confirm`, shows what will happen and asks to confirm
    (and, for rejecting, the reason); with it, does it."""
    action = request.POST.get("action")
    ids = _selected_ids(request)
    if action not in ("approve", "reject"):
        messages.error(request, _("Choose whether to approve or to reject the selected lines."))
        return redirect(_list_url(request))
    lines = list(
        Commission.objects.filter(organisation=request.organisation, pk__in=ids)
        .select_related("partner")
        .order_by("-created_at", "-pk")
    )
    if not lines:
        messages.error(request, _("Select at least one line first."))
        return redirect(_list_url(request))
    form = RejectForm(request.POST if action == "reject" and request.POST.get("confirm") else None)
    programme = programme_for(request.organisation)
    for line in lines:
        line.to_review = payouts.needs_review(line, programme)
    to_review = [line for line in lines if line.to_review]
    review_error = ""
    if request.POST.get("confirm") == "yes":
        if action == "approve":
            try:
                approved, left = payouts.commissions_approve(
                    organisation=request.organisation,
                    commission_ids=ids,
                    actor=request.user,
                    reviewed=request.POST.get("reviewed") == "yes",
                )
            except payouts.LedgerError as error:
                review_error = str(error)
            else:
                message = ngettext("%(count)s line approved.", "%(count)s lines approved.", approved) % {
                    "count": approved
                }
                if left:
                    message += " " + ngettext(
                        "%(count)s line was not pending and stays as it was.",
                        "%(count)s lines were not pending and stay as they were.",
                        left,
                    ) % {"count": left}
                messages.success(request, message)
                return redirect(_list_url(request))
        if action == "reject" and form.is_valid():
            try:
                rejected = payouts.commissions_reject(
                    organisation=request.organisation,
                    commission_ids=ids,
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except payouts.LedgerError as error:
                messages.error(request, str(error))
                return redirect(_list_url(request))
            messages.success(
                request,
                ngettext("%(count)s line rejected.", "%(count)s lines rejected.", rejected)
                % {"count": rejected},
            )
            return redirect(_list_url(request))
    refused = [line for line in lines if payouts.rejection_refusal(line)] if action == "reject" else []
    return render(
        request,
        "affiliates/ledger/commission_confirm.html",
        {
            "action": action,
            "lines": lines,
            "total": sum((line.amount for line in lines), 0),
            "form": form,
            "refused": refused,
            "next": request.POST.get("next", ""),
            "pending_count": sum(1 for line in lines if line.status == CommissionStatus.PENDING),
            "largest": max(lines, key=lambda line: line.amount),
            "to_review": to_review,
            "review_error": review_error,
            "programme": programme,
        },
        status=422 if form.is_bound or review_error else 200,
    )


@organisation_view
@require_http_methods(["GET", "POST"])
@second_factor_required
def commission_reject(request, commission_id):
    """Reject one line with a reason (GET shows the line and asks for the reason)."""
    line = get_object_or_404(
        Commission.objects.select_related("partner", "payout"),
        pk=commission_id,
        organisation=request.organisation,
    )
    form = RejectForm(request.POST or None)
    status = 200
    if request.method == "POST":
        require_write(request.membership)
        if form.is_valid():
            try:
                payouts.commissions_reject(
                    organisation=request.organisation,
                    commission_ids=[line.pk],
                    actor=request.user,
                    reason=form.cleaned_data["reason"],
                )
            except payouts.LedgerError as error:
                messages.error(request, str(error))
                return redirect(_list_url(request))
            messages.success(request, _("The line is rejected."))
            return redirect(_list_url(request))
        status = 422
    return render(
        request,
        "affiliates/ledger/commission_confirm.html",
        {
            "action": "reject",
            "single": True,
            "lines": [line],
            "total": line.amount,
            "form": form,
            "refused": [line] if payouts.rejection_refusal(line) else [],
            "refusal": payouts.rejection_refusal(line),
            "next": request.GET.get("next", ""),
        },
        status=status,
    )


urlpatterns = [
    path("commissions/", commission_list, name="commission_list"),
    path("commissions/bulk/", commission_bulk, name="commission_bulk"),
    path("commissions/<int:commission_id>/reject/", commission_reject, name="commission_reject"),
]
