"""Quarterly reviews: drafted figures, idempotency, drafting for all, the task, the page and the A4 PDF."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from pypdf import PdfReader

from affiliates.models import NpsScore, Project, QuarterlyReview, ReviewStatus
from affiliates.programme.rules import programme_for
from affiliates.tiers.reviews import (
    ReviewIsFinal,
    previous_quarter_start,
    review_draft,
    review_update,
    reviews_draft_all,
)
from affiliates.tiers.standings import tier_evaluate
from affiliates.tiers.tasks import draft_quarterly_reviews
from partnerhub.documents import document_render
from partnerhub.models import Document, DocumentStatus, PartnerStatus
from tests.factories import PartnerFactory

pytestmark = pytest.mark.usefixtures("eager_celery")

Q1 = datetime.date(2026, 1, 1)


@pytest.fixture
def partner(org):
    programme_for(org)
    return PartnerFactory(organisation=org, name="Bouwbedrijf De Vries", status=PartnerStatus.ACTIVE)


def add(partner, count, *, date, value="1000.00", delivered=None, paid=None):
    Project.objects.bulk_create(
        Project(
            organisation=partner.organisation,
            partner=partner,
            customer_reference=f"K-{date}-{i}",
            value=Decimal(value),
            date=date,
            delivered_on_time=delivered,
            paid_on_time=paid,
        )
        for i in range(count)
    )


def test_quarters():
    assert previous_quarter_start(datetime.date(2026, 4, 1)) == Q1
    assert previous_quarter_start(datetime.date(2026, 2, 10)) == datetime.date(2025, 10, 1)


def test_the_draft_fills_in_the_figures(partner):
    add(partner, 8, date=datetime.date(2026, 2, 10), value="1250.00", delivered=True, paid=True)
    add(partner, 2, date=datetime.date(2026, 3, 31), value="500.00", delivered=False, paid=True)
    add(partner, 5, date=datetime.date(2025, 11, 1), value="900.00")  # the previous quarter
    add(partner, 4, date=datetime.date(2025, 2, 1), value="800.00")  # the same quarter last year
    add(partner, 6, date=datetime.date(2025, 6, 1), value="700.00")  # in the 12 months
    add(partner, 3, date=datetime.date(2025, 3, 31), value="700.00")  # exactly 12 months before the end: out
    NpsScore.objects.bulk_create(
        NpsScore(
            organisation=partner.organisation, partner=partner, score=score, date=datetime.date(2026, 3, 1)
        )
        for score in (10, 9, 9, 6)
    )
    tier_evaluate(partner, today=datetime.date(2026, 3, 31))
    review, created = review_draft(partner, Q1, today=datetime.date(2026, 4, 1))
    assert created
    figures = review.figures
    assert figures["quarter"] == {"start": "2026-01-01", "end": "2026-03-31", "label": "Q1 2026"}
    volume = figures["volume"]
    assert (volume["projects"], volume["value"]) == (10, "11000.00")
    assert volume["previous"] == {"projects": 5, "value": "4500.00", "label": "Q4 2025"}
    assert volume["last_year"]["projects"] == 4 + 3 and volume["last_year"]["label"] == "Q1 2025"
    assert volume["projects_change_previous"] == "100.0"
    assert (
        figures["quality"]["on_time_percent"] == "80.0"
        and figures["quality"]["payment_on_time_percent"] == "100.0"
    )
    assert (figures["quality"]["nps"], figures["quality"]["nps_responses"]) == (50, 4)
    assert figures["pricing"]["average_order_value"] == "1100.00"
    assert figures["pricing"]["previous_average_order_value"] == "900.00"
    tier = figures["tier"]
    assert tier["project_count"] == 10 + 5 + 6  # Feb 2025 and 31 March 2025 are outside
    assert (tier["tier"], tier["next_tier"], tier["distance"]) == ("Bronze", "Silver", 4)
    assert figures["pricing"]["discount_percent"] == "5.00"
    assert figures["growth"]["trend_previous"] == "up"
    assert [month["projects"] for month in figures["growth"]["months"]][-3:] == [0, 8, 2]
    assert len(figures["growth"]["months"]) == 12


def test_drafting_twice_gives_the_same_review(partner):
    add(partner, 1, date=datetime.date(2026, 2, 1))
    first, created = review_draft(partner, Q1)
    review_update(first, values={"volume_analysis": "Sterk kwartaal"}, actor=None)
    add(partner, 5, date=datetime.date(2026, 2, 2))
    again, created_again = review_draft(partner, Q1)
    assert (again.pk, created, created_again) == (first.pk, True, False)
    assert again.figures["volume"]["projects"] == 1  # unchanged snapshot
    assert QuarterlyReview.objects.count() == 1


@pytest.mark.parametrize("day", [datetime.date(2026, 2, 1), datetime.date(2099, 1, 1)])
def test_only_a_begun_quarter_can_be_reviewed(partner, day):
    with pytest.raises(ValidationError):
        review_draft(partner, day)
    assert not QuarterlyReview.objects.exists()


def test_drafting_for_all_active_partners_with_projects(org, partner, django_assert_max_num_queries):
    add(partner, 2, date=datetime.date(2025, 8, 1))
    quiet = PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE)
    add(quiet, 2, date=datetime.date(2024, 8, 1))  # nothing in the 12 months
    ended = PartnerFactory(organisation=org, status=PartnerStatus.ENDED)
    add(ended, 2, date=datetime.date(2026, 2, 1))
    others = [PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE) for _ in range(10)]
    for other in others:
        add(other, 1, date=datetime.date(2026, 3, 1))
    review_draft(others[0], Q1)
    with django_assert_max_num_queries(8):
        created = reviews_draft_all(org, Q1)
    assert {review.partner for review in created} == {partner, *others[1:]}
    assert QuarterlyReview.objects.filter(quarter_start=Q1).count() == 11
    assert reviews_draft_all(org, Q1) == []


def test_the_task_drafts_the_quarter_just_ended(org, other_org, partner, django_capture_on_commit_callbacks):
    add(partner, 3, date=datetime.date(2026, 3, 15))
    foreign = PartnerFactory(organisation=other_org, status=PartnerStatus.ACTIVE)
    add(foreign, 1, date=datetime.date(2026, 1, 5))
    draft_quarterly_reviews.delay("2026-04-01")
    review = QuarterlyReview.objects.get(partner=partner)
    assert review.quarter_start == Q1 and review.organisation == org
    assert QuarterlyReview.objects.get(partner=foreign).organisation == other_org
    draft_quarterly_reviews.delay("2026-04-01")  # again: nothing new
    assert QuarterlyReview.objects.count() == 2


def test_a_final_review_is_not_edited(partner):
    review, _ = review_draft(partner, Q1)
    review.status = ReviewStatus.FINAL
    review.save()
    with pytest.raises(ReviewIsFinal):
        review_update(review, values={"growth_plans": "Meer"}, actor=None)


# The pages


def url(name, org, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


def test_a_manager_drafts_edits_autosaves_and_finalises(manager_client, org, partner):
    add(partner, 4, date=datetime.date(2026, 2, 1))
    response = manager_client.post(
        url("review_create", org), {"partner": partner.pk, "quarter": "2026-01-01"}
    )
    review = QuarterlyReview.objects.get()
    assert response.headers["Location"] == url("review_detail", org, review.pk)
    page = manager_client.get(url("review_detail", org, review.pk)).content.decode()
    assert "Volumeanalyse" in page and "Q1 2026" in page
    assert "1 januari 2026" in page and "31 maart 2026" in page
    assert 'class="month-bars"' in page
    texts = {
        "volume_analysis": "Verdubbeld",
        "quality_feedback": "Twee keer te laat",
        "pricing_review": "Korting blijft",
        "tier_evaluation": "Op weg naar Silver",
        "growth_plans": "Beurs samen",
    }
    response = manager_client.post(
        url("review_detail", org, review.pk), texts, headers={"HX-Request": "true"}
    )
    assert "Opgeslagen om" in response.content.decode()
    review.refresh_from_db()
    assert review.quality_feedback == "Twee keer te laat"
    manager_client.post(url("review_detail", org, review.pk), {**texts, "action": "final"})
    review.refresh_from_db()
    assert review.status == ReviewStatus.FINAL
    manager_client.post(url("review_detail", org, review.pk), {**texts, "growth_plans": "Anders"})
    review.refresh_from_db()
    assert review.growth_plans == "Beurs samen"


def test_too_long_a_text_is_refused(manager_client, org, partner):
    review, _ = review_draft(partner, Q1)
    response = manager_client.post(
        url("review_detail", org, review.pk), {"growth_plans": "x" * 5001}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    review.refresh_from_db()
    assert review.growth_plans == ""


def test_a_viewer_reads_but_does_not_edit(viewer_client, org, partner):
    review, _ = review_draft(partner, Q1)
    assert viewer_client.get(url("review_detail", org, review.pk)).status_code == 200
    assert viewer_client.post(url("review_detail", org, review.pk), {"growth_plans": "x"}).status_code == 403
    assert (
        viewer_client.post(
            url("review_create", org), {"partner": partner.pk, "quarter": "2026-01-01"}
        ).status_code
        == 403
    )


def test_the_list_filters_by_quarter_and_status(manager_client, org, partner, django_assert_max_num_queries):
    for index in range(6):
        other = PartnerFactory(organisation=org, status=PartnerStatus.ACTIVE, name=f"Partner Q{index}")
        review_draft(other, Q1)
    review_draft(partner, datetime.date(2025, 10, 1))
    with django_assert_max_num_queries(8):
        response = manager_client.get(url("review_list", org), {"quarter": "2026-01-01", "status": "draft"})
    html = response.content.decode()
    assert "Partner Q5" in html and "Bouwbedrijf De Vries" not in html


def test_the_review_pdf(manager_client, org, partner, django_capture_on_commit_callbacks):
    add(partner, 12, date=datetime.date(2026, 2, 1), delivered=True)
    tier_evaluate(partner)
    review, _ = review_draft(partner, Q1)
    review_update(review, values={"growth_plans": "Samen naar de Bouwbeurs in oktober"}, actor=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url("review_pdf", org, review.pk))
    document = Document.objects.get()
    assert response.headers["Location"] == reverse("document_status", args=[org.slug, document.pk])
    document = document_render(document_id=document.pk)
    assert document.status == DocumentStatus.READY, document.error
    review.refresh_from_db()
    assert review.document == document
    pdf = PdfReader(io.BytesIO(document.file.read()))
    page = pdf.pages[0]
    assert page.mediabox.width == pytest.approx(595.3, abs=1) and page.mediabox.height == pytest.approx(
        841.9, abs=1
    )
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Kwartaalreview Bouwbedrijf De Vries" in text
    assert "Q1 2026" in text and "Volumeanalyse" in text and "Tierevaluatie" in text
    assert "Samen naar de Bouwbeurs in oktober" in text
    assert "12.000,00" in text


def test_the_review_pdf_of_another_organisation_is_not_found(manager_client, other_org):
    foreign = PartnerFactory(organisation=other_org)
    review, _ = review_draft(foreign, Q1)
    assert manager_client.post(url("review_pdf", other_org, review.pk)).status_code == 404
    assert not Document.objects.exists()
