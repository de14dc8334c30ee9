"""Onboarding: the template (seed 004's four weeks), starting a partner's tasks, toggling them, progress
on the partner page."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from affiliates.models import OnboardingStep, OnboardingTask
from affiliates.people import onboarding
from tests.conftest import login
from tests.factories import MembershipFactory, PartnerFactory

MONDAY = datetime.date(2026, 2, 2)


@pytest.fixture
def partner(org):
    return PartnerFactory(organisation=org, name="Bouwbedrijf Alfa", category="contractor")


def url(name, org, *args):
    return reverse(f"affiliates:{name}", args=[org.slug, *args])


def start(partner, owner=None, when=MONDAY):
    return onboarding.onboarding_start(partner=partner, start=when, owner=owner, actor=None)


def test_starting_copies_the_nine_seed_steps_with_due_dates_and_owner(manager_client, org, partner, manager):
    response = manager_client.post(
        url("onboarding_start", org, partner.pk), {"start": "2026-02-02", "owner": manager.pk}
    )
    assert response.status_code == 302
    tasks = list(OnboardingTask.objects.filter(partner=partner).order_by("due_date", "position"))
    assert len(tasks) == 9
    template = list(OnboardingStep.objects.filter(organisation=org).values_list("title", flat=True))
    assert [t.title for t in tasks] == template
    assert template[0].startswith("Intro")
    assert {t.owner for t in tasks} == {manager}
    # week 1 → Friday 6 Feb, week 2 → Friday 13 Feb, week 4 → Friday 27 Feb
    assert [t.due_date.isoformat() for t in tasks] == ["2026-02-06"] * 3 + ["2026-02-13"] * 3 + [
        "2026-02-27"
    ] * 3


def test_due_date_rule():
    assert onboarding.due_date(MONDAY, 1) == datetime.date(2026, 2, 6)
    assert onboarding.due_date(MONDAY, 3) == datetime.date(2026, 2, 20)


def test_cannot_start_twice_while_open(manager_client, org, partner):
    start(partner)
    response = manager_client.post(url("onboarding_start", org, partner.pk), {"start": "2026-03-02"})
    assert response.status_code == 422
    assert OnboardingTask.objects.filter(partner=partner).count() == 9


def test_can_start_again_once_everything_is_done(org, partner):
    start(partner)
    OnboardingTask.objects.filter(partner=partner).update(done_at=timezone.now())
    start(partner, when=datetime.date(2027, 1, 4))
    assert OnboardingTask.objects.filter(partner=partner, done_at__isnull=True).count() == 9


def test_the_owner_must_be_a_member(org, other_org, partner):
    outsider = MembershipFactory(organisation=other_org).user
    with pytest.raises(ValidationError):
        start(partner, owner=outsider)
    assert not OnboardingTask.objects.exists()


def test_overview_starts_a_chosen_partner(manager_client, org, partner, manager):
    response = manager_client.post(
        url("onboarding_overview", org), {"partner": partner.pk, "start": "2026-02-02", "owner": ""}
    )
    assert response.status_code == 302
    assert OnboardingTask.objects.filter(partner=partner, owner=None).count() == 9


def test_overview_shows_progress_and_overdue_tasks(
    manager_client, org, partner, django_assert_max_num_queries
):
    for n in range(5):
        start(PartnerFactory(organisation=org, name=f"Partner {n}"), when=timezone.localdate())
    start(partner, when=timezone.localdate() - datetime.timedelta(days=30))
    task = OnboardingTask.objects.filter(partner=partner).first()
    onboarding.task_toggle(task=task, actor=None)
    with django_assert_max_num_queries(14):
        response = manager_client.get(url("onboarding_overview", org))
    page = response.content.decode()
    row = next(p for p in response.context["page_obj"] if p.pk == partner.pk)
    assert (row.total, row.done, row.overdue) == (9, 1, 8)
    assert len(response.context["overdue"]) == 8
    assert "Bouwbedrijf Alfa" in page
    # a partner with an open onboarding is not offered to start again
    assert partner not in response.context["form"].fields["partner"].queryset


def test_toggle_marks_done_and_back_with_htmx(manager_client, org, partner):
    start(partner)
    task = OnboardingTask.objects.filter(partner=partner).first()
    response = manager_client.post(
        url("onboarding_task_toggle", org, task.pk), headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.done_at is not None
    body = response.content.decode()
    assert f'id="task-{task.pk}"' in body
    assert 'id="onboarding-progress" class="onboarding-progress" hx-swap-oob="true"' in body
    assert '<progress value="1" max="9"' in body
    manager_client.post(url("onboarding_task_toggle", org, task.pk))
    task.refresh_from_db()
    assert task.done_at is None


def test_toggle_needs_post_and_write_access(client, viewer, org, partner):
    start(partner)
    task = OnboardingTask.objects.filter(partner=partner).first()
    login(client, viewer)
    assert client.get(url("onboarding_task_toggle", org, task.pk)).status_code == 405
    assert client.post(url("onboarding_task_toggle", org, task.pk)).status_code == 403
    task.refresh_from_db()
    assert task.done_at is None


def test_task_update_changes_owner_and_due_date(manager_client, org, partner, owner):
    start(partner)
    task = OnboardingTask.objects.filter(partner=partner).first()
    response = manager_client.post(
        url("onboarding_task_update", org, task.pk), {"owner": owner.pk, "due_date": "2026-03-01"}
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert (task.owner, task.due_date) == (owner, datetime.date(2026, 3, 1))


def template_data(org, rows, extra_empty=True):
    steps = list(onboarding.template_steps(org))
    data = {
        "steps-TOTAL_FORMS": str(len(rows) + (1 if extra_empty else 0)),
        "steps-INITIAL_FORMS": str(len(steps)),
        "steps-MIN_NUM_FORMS": "1",
        "steps-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"steps-{i}-{key}"] = value
    return data, steps


def test_template_edits_add_remove_and_reorder(manager_client, org, partner):
    data, steps = template_data(org, [])
    first, second, third = (step.title for step in steps[:3])
    rows = []
    for i, step in enumerate(steps):
        row = {
            "id": step.pk,
            "phase": step.phase,
            "title": step.title,
            "due_week": step.due_week,
            "ORDER": i + 1,
        }
        if i == 1:
            row["DELETE"] = "on"
        if i == 0:
            row["ORDER"] = 5  # the intro call after the expectations within week 1
        rows.append(row)
    rows.append({"phase": "Week 5: nazorg", "title": "Bedankbrief", "due_week": 5, "ORDER": 20})
    data, _steps = template_data(org, rows, extra_empty=False)
    data["steps-TOTAL_FORMS"] = str(len(rows))
    response = manager_client.post(url("onboarding_template", org), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    titles = list(OnboardingStep.objects.filter(organisation=org).values_list("title", flat=True))
    assert second not in titles
    assert titles[:2] == [third, first]
    assert titles[-1] == "Bedankbrief"
    start(partner)
    assert OnboardingTask.objects.filter(partner=partner).count() == 9
    last = OnboardingTask.objects.filter(partner=partner).order_by("-due_date").first()
    assert (last.title, last.due_date) == ("Bedankbrief", datetime.date(2026, 3, 6))


def test_template_keeps_at_least_one_step(manager_client, org):
    data, steps = template_data(org, [])
    rows = [
        {"id": s.pk, "phase": s.phase, "title": s.title, "due_week": s.due_week, "DELETE": "on"}
        for s in steps
    ]
    data, _steps = template_data(org, rows, extra_empty=False)
    response = manager_client.post(url("onboarding_template", org), data)
    assert response.status_code == 422
    assert OnboardingStep.objects.filter(organisation=org).count() == 9


def test_template_rejects_a_week_out_of_range(manager_client, org):
    data, steps = template_data(org, [])
    rows = [
        {"id": s.pk, "phase": s.phase, "title": s.title, "due_week": 0 if i == 0 else s.due_week}
        for i, s in enumerate(steps)
    ]
    data, _steps = template_data(org, rows, extra_empty=False)
    response = manager_client.post(url("onboarding_template", org), data)
    assert response.status_code == 422
    assert OnboardingStep.objects.filter(organisation=org, due_week=0).count() == 0


def test_partner_page_shows_progress_and_next_tasks(manager_client, org, partner):
    detail = reverse("partner_detail", args=[org.slug, partner.pk])
    page = manager_client.get(detail).content.decode()
    assert url("onboarding_start", org, partner.pk) in page
    start(partner)
    tasks = list(OnboardingTask.objects.filter(partner=partner))
    for task in tasks[:3]:
        onboarding.task_toggle(task=task, actor=None)
    page = manager_client.get(detail).content.decode()
    assert 'id="onboarding"' in page
    assert '<progress value="3" max="9"' in page
    assert tasks[3].title in page  # the next open task
    assert url("onboarding_partner", org, partner.pk) in page


def test_another_organisations_task_is_404(client, stranger, org, other_org, partner):
    start(partner)
    task = OnboardingTask.objects.filter(partner=partner).first()
    login(client, stranger)
    assert client.post(url("onboarding_task_toggle", other_org, task.pk)).status_code == 404
    assert (
        client.post(url("onboarding_start", other_org, partner.pk), {"start": "2026-02-02"}).status_code
        == 404
    )
    task.refresh_from_db()
    assert task.done_at is None
