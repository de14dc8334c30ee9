"""The quarterly review as an A4 portrait PDF, through the document pipeline (partnerhub.documents).

The renderer reads only the Document row (its organisation and `params["review_id"]`) and prints the
review's figures snapshot and texts, so a PDF made again later says the same unless the review changed.
Registered when the app is ready (see affiliates/apps.py).
"""

from typing import Any

from django.utils.text import slugify

from affiliates.models import QuarterlyReview
from affiliates.tiers.reviews import REVIEW_DOCUMENT, figure_dates, month_bars, quarter_label
from partnerhub.documents import register
from partnerhub.models import Document
from partnerhub.pdf import page_counter_css


@register(REVIEW_DOCUMENT)
def quarterly_review_pdf(document: Document) -> tuple[str, str, dict[str, Any]]:
    review = QuarterlyReview.objects.select_related("partner", "organisation").get(
        organisation=document.organisation, pk=document.params["review_id"]
    )
    figures = review.figures
    months = figures.get("growth", {}).get("months", [])
    label = quarter_label(review.quarter_start)
    context: dict[str, Any] = {
        "document": document,
        "organisation": review.organisation,
        "review": review,
        "partner": review.partner,
        "figures": figures,
        "quarter": label,
        "title": document.title,
        "month_chart": month_bars(months),
        "dates": figure_dates(figures),
        "page_counter": page_counter_css(),
    }
    filename = f"review-{slugify(review.partner.name) or 'partner'}-{slugify(label)}.pdf"
    return filename, "affiliates/tiers/pdf/review.html", context
