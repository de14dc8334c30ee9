"""Quarterly reviews: the list by quarter and status, drafting one now, editing the texts, the A4 PDF."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from affiliates.models import QuarterlyReview, ReviewStatus
from affiliates.tiers.forms import ReviewCreateForm, ReviewTextsForm
from affiliates.tiers.reviews import (
    ReviewIsFinal,
    figure_dates,
    month_bars,
    previous_quarter_start,
    recent_quarters,
    review_draft,
    review_refresh,
    review_request_pdf,
    review_set_status,
    review_update,
)
from partnerhub.tenancy import organisation_view, require_write

PAGE_SIZE = 50


def _review(request, review_id):
    return get_object_or_404(
        QuarterlyReview.objects.filter(organisation=request.organisation).select_related(
            "partner", "document"
        ),
        pk=review_id,
    )


@organisation_view
@require_safe
def review_list(request):
    quarters = recent_quarters(count=12)
    reviews = QuarterlyReview.objects.filter(organisation=request.organisation).select_related("partner")
    quarter = request.GET.get("quarter", "")
    try:
        chosen = datetime.date.fromisoformat(quarter) if quarter else None
    except ValueError:
        chosen = None
    if chosen is not None:
        reviews = reviews.filter(quarter_start=chosen)
    status = request.GET.get("status", "")
    if status in ReviewStatus.values:
        reviews = reviews.filter(status=status)
    page = Paginator(reviews.order_by("-quarter_start", "partner__name", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "affiliates/tiers/review_list.html",
        {
            "page": page,
            "reviews": page.object_list,
            "quarters": quarters,
            "quarter": chosen.isoformat() if chosen else "",
            "status": status if status in ReviewStatus.values else "",
            "statuses": ReviewStatus.choices,
        },
    )


@organisation_view
@require_http_methods(["GET", "POST"])
def review_create(request):
    """Draft a partner's review of a quarter now (or open the one that exists)."""
    require_write(request.membership)
    quarters = recent_quarters()
    initial = {"quarter": previous_quarter_start(timezone.localdate()).isoformat()}
    partner_id = request.GET.get("partner", "")
    if partner_id.isdigit():
        initial["partner"] = request.organisation.partners.filter(pk=partner_id).first()
    form = ReviewCreateForm(
        request.POST or None, organisation=request.organisation, quarters=quarters, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            review, created = review_draft(
                form.cleaned_data["partner"],
                datetime.date.fromisoformat(form.cleaned_data["quarter"]),
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if not created:
                messages.info(request, _("This review already exists; here it is."))
            return redirect("affiliates:review_detail", request.organisation.slug, review.pk)
    return render(request, "affiliates/tiers/review_create.html", {"form": form})


@organisation_view
@require_http_methods(["GET", "POST"])
def review_detail(request, review_id):
    """The figures, and the manager's five texts: saved as typed (htmx) or with the button; final."""
    review = _review(request, review_id)
    form = ReviewTextsForm(request.POST or None, instance=review)
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action in ("final", "reopen"):
                status = ReviewStatus.FINAL if action == "final" else ReviewStatus.DRAFT
                if status == ReviewStatus.FINAL and form.is_valid():
                    review_update(review, values=form.cleaned_data, actor=request.user)
                review_set_status(review, status=status, actor=request.user)
                messages.success(
                    request,
                    _("The review is final.")
                    if status == ReviewStatus.FINAL
                    else _("The review is open again."),
                )
                return redirect("affiliates:review_detail", request.organisation.slug, review.pk)
            if action == "refresh":
                review_refresh(review, actor=request.user)
                messages.success(request, _("The figures are up to date."))
                return redirect("affiliates:review_detail", request.organisation.slug, review.pk)
            if form.is_valid():
                review = review_update(review, values=form.cleaned_data, actor=request.user)
                if request.htmx:
                    return render(
                        request,
                        "affiliates/tiers/review_detail.html#save_status",
                        {"review": review, "saved_at": timezone.localtime()},
                    )
                messages.success(request, _("The review is saved."))
                return redirect("affiliates:review_detail", request.organisation.slug, review.pk)
        except ReviewIsFinal:
            messages.error(request, _("This review is final; reopen it to change it."))
            if request.htmx:
                return render(
                    request,
                    "affiliates/tiers/review_detail.html#save_status",
                    {"review": review, "final_error": True},
                )
            return redirect("affiliates:review_detail", request.organisation.slug, review.pk)
        if request.htmx:
            return render(
                request,
                "affiliates/tiers/review_detail.html#save_status",
                {"review": review, "form": form},
                status=422,
            )
    return render(
        request,
        "affiliates/tiers/review_detail.html",
        {
            "review": review,
            "form": form,
            "figures": review.figures,
            "is_final": review.status == ReviewStatus.FINAL,
            "month_chart": month_bars(review.figures.get("growth", {}).get("months", [])),
            "dates": figure_dates(review.figures),
        },
    )


# A viewer may print what they can read: the request creates a Document and changes no review.
@organisation_view(viewer_may_post=True)
@require_POST
def review_pdf(request, review_id):
    review = _review(request, review_id)
    document = review_request_pdf(review, actor=request.user)
    return redirect("document_status", request.organisation.slug, document.pk)


urlpatterns = [
    path("reviews/", review_list, name="review_list"),
    path("reviews/new/", review_create, name="review_create"),
    path("reviews/<int:review_id>/", review_detail, name="review_detail"),
    path("reviews/<int:review_id>/pdf/", review_pdf, name="review_pdf"),
]
