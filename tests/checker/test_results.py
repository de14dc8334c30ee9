"""A round's results: the statistics on known scores, the page and its CSV, anonymity, access, query count."""

import dataclasses

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from checker import services
from checker.models import Answer, Invitation
from checker.results import (
    Respondent,
    StatementResult,
    describe,
    for_discussion,
    response_rate,
    round_results,
    weakest,
)
from partnerhub.models import Role
from tests.checker.conftest import make_round
from tests.conftest import login
from tests.factories import ContactFactory, MembershipFactory, PartnerFactory


def url(name, round_):
    return reverse(f"checker:{name}", args=[round_.organisation.slug, round_.pk])


def statement_ids(round_):
    return list(round_.round_statements.values_list("statement_id", flat=True))


def respond(invitation, scores, grade=None, submit=False):
    for statement_id, score in scores.items():
        services.answer_save(invitation=invitation, statement_id=statement_id, score=score)
    if grade is not None:
        services.grade_save(invitation=invitation, grade=grade)
    if submit:
        services.invitation_submit(invitation=invitation)


def csv_text(response):
    return b"".join(response.streaming_content).decode("utf-8")


def lines_of(*score_lists):
    return [
        StatementResult(statement=f"S{position}", position=position, summary=describe(scores))
        for position, scores in enumerate(score_lists, start=1)
    ]


# The statistics on known numbers


def test_describe_gives_n_mean_lowest_highest_and_spread():
    summary = describe([1, 3, 5])
    assert (summary.n, summary.mean, summary.lowest, summary.highest, summary.spread) == (3, 3.0, 1, 5, 4)
    assert summary.needs_discussion
    assert describe([1, 2, 2]).mean == 1.7
    assert describe([3, 3, 4, 4]).mean == 3.5
    assert describe([3, None, 4]).n == 2
    empty = describe([])
    assert (empty.n, empty.mean, empty.spread, empty.needs_discussion) == (0, None, None, False)


def test_a_spread_of_two_is_flagged_and_one_is_not():
    assert not describe([3, 4]).needs_discussion
    assert not describe([4, 4, 4]).needs_discussion
    assert describe([2, 4]).needs_discussion


def test_the_discussion_list_puts_the_widest_spread_first_then_the_lowest_mean():
    lines = lines_of([3, 4], [2, 4], [1, 5], [1, 3], [2, 5], [3, 5])
    assert [line.statement for line in for_discussion(lines)] == ["S3", "S5", "S4", "S2", "S6"]


def test_the_weakest_are_the_three_lowest_means_in_round_order_when_equal():
    lines = lines_of([4, 5], [2, 3], [], [3, 2], [1, 2], [4, 4])
    assert [line.statement for line in weakest(lines)] == ["S5", "S2", "S4"]


def test_the_response_rate_as_fraction_and_percentage():
    rate = response_rate(2, 3)
    assert (rate.submitted, rate.invited, rate.percentage) == (2, 3, 67)
    assert abs(rate.fraction - 2 / 3) < 1e-9
    assert response_rate(0, 0).percentage is None and response_rate(0, 0).fraction is None


# Loading a round


def test_results_of_a_round_from_its_answers(checker_round, owner):
    ids = statement_ids(checker_round)
    people = {invitation.name: invitation for invitation in checker_round.invitations.all()}
    katrin, jonas, pieter = people["Katrin Vogel"], people["Jonas Becker"], people["Pieter de Groot"]
    respond(katrin, {pk: 3 for pk in ids} | {ids[0]: 1}, grade=6, submit=True)
    respond(jonas, {ids[0]: 3, ids[1]: 4}, grade=7)
    respond(pieter, {ids[0]: 5, ids[1]: 5}, grade=8)
    mine = checker_round.invitations.get(user=owner)
    respond(mine, {ids[0]: 5})
    services.invitation_revoke(invitation=mine, actor=owner)  # revoked: neither counted nor shown

    results = round_results(checker_round)

    assert len(results.statements) == 17 and len(results.respondents) == 3
    first, second = results.statements[0].summary, results.statements[1].summary
    assert (first.n, first.mean, first.lowest, first.highest, first.spread) == (3, 3.0, 1, 5, 4)
    assert (second.n, second.mean, second.spread) == (3, 4.0, 2)
    assert [line.statement.pk for line in results.discuss] == [ids[0], ids[1]]
    assert [line.statement.pk for line in results.weakest] == [ids[0], ids[2], ids[3]]
    assert (results.response.submitted, results.response.invited, results.response.percentage) == (1, 3, 33)
    assert (results.grades.mean, results.grades.n) == (7.0, 3)
    assert (results.overall.n, results.overall.mean) == (21, 3.1)  # (16 × 3 + 1 + 7 + 10) / 21
    assert [r.submitted for r in results.respondents].count(True) == 1
    cells = {cell.score: cell for cell in results.statements[0].cells}
    assert cells[1].apart and cells[5].apart and cells[3].apart  # 3 lies two from both 1 and 5
    assert [cell.apart for cell in results.statements[2].cells] == [False, False, False]


def test_an_invitation_without_answers_is_not_a_respondent_but_one_with_only_a_grade_is(checker_round):
    invitation = checker_round.invitations.get(name="Pieter de Groot")
    services.grade_save(invitation=invitation, grade=9)
    results = round_results(checker_round)
    assert [(r.label, r.grade) for r in results.respondents] == [("Pieter de Groot", 9)]
    assert results.overall.n == 0 and results.grades.mean == 9.0


def test_the_trend_compares_with_the_earlier_round(checker_round, owner):
    ids = statement_ids(checker_round)
    people = {invitation.name: invitation for invitation in checker_round.invitations.all()}
    respond(people["Katrin Vogel"], {ids[0]: 2, ids[1]: 4}, grade=5)
    respond(people["Jonas Becker"], {ids[0]: 2, ids[1]: 4}, grade=7)
    following = services.round_repeat(
        previous=checker_round, actor=owner, name="Ronde 2", deadline=checker_round.deadline
    )
    again = {invitation.name: invitation for invitation in following.invitations.all()}
    respond(again["Katrin Vogel"], {ids[0]: 4, ids[1]: 3}, grade=8)

    results = round_results(following)

    (earlier,) = results.earlier
    assert earlier.round == checker_round
    assert (earlier.overall, earlier.grade, earlier.grade_count) == (3.0, 6.0, 2)
    assert earlier.means == {ids[0]: 2.0, ids[1]: 4.0}
    first, second, third = results.statements[:3]
    assert (first.previous_mean, first.summary.mean, first.direction) == (2.0, 4.0, "up")
    assert (second.previous_mean, second.summary.mean, second.direction) == (4.0, 3.0, "down")
    assert third.previous_mean is None and third.direction is None
    assert results.grade_direction == "up" and results.overall_direction == "up"
    assert round_results(checker_round).earlier == []


# The page and the CSV


def test_a_named_round_shows_names_partners_and_everyones_scores(owner_client, checker_round, owner):
    ids = statement_ids(checker_round)
    answered = list(checker_round.invitations.all())
    for number, invitation in enumerate(answered):
        respond(invitation, {ids[0]: 1 + number, ids[1]: 3}, grade=6 + number)

    response = owner_client.get(url("round_results", checker_round))
    assert response.status_code == 200
    html = response.text
    for invitation in answered:
        assert invitation.name in html
    assert "Sennheiser" in html and "Innovatiefonds" in html
    assert response.context["results"].statements[0].summary.spread == len(answered) - 1
    assert "<svg" in html and url("round_results_csv", checker_round) in html

    owner_client.cookies["django_language"] = "en"
    lines = csv_text(owner_client.get(url("round_results_csv", checker_round))).splitlines()
    assert lines[0].lstrip("\ufeff") == "Respondent,Partner,Statement,Score"
    assert len(lines) == 1 + len(answered) * 3  # two statements and a grade each
    katrin = 1 + [invitation.name for invitation in answered].index("Katrin Vogel")
    assert f"Katrin Vogel,Sennheiser,We want to invest money in the collaboration.,{katrin}" in lines
    own = checker_round.invitations.get(user=owner)
    assert any(line.startswith(f"{own.name},own organisation,") for line in lines)


def test_an_anonymised_round_names_nobody_in_the_page_or_the_csv(client, collaboration, owner, org):
    round_ = make_round(collaboration, owner, anonymous=True)
    ids = statement_ids(round_)
    invitations = list(round_.invitations.select_related("partner"))
    for number, invitation in enumerate(invitations):
        respond(invitation, {pk: 1 + (number + position) % 5 for position, pk in enumerate(ids)}, grade=7)
    services.invitation_submit(invitation=invitations[0])
    # A colleague who joined after the round was made, so is no respondent: the menu shows their own name.
    reader = MembershipFactory(organisation=org, role=Role.VIEWER).user
    login(client, reader)

    page = client.get(url("round_results", round_))
    csv = csv_text(client.get(url("round_results_csv", round_)))

    secrets = {invitation.name for invitation in invitations} | {i.email for i in invitations if i.email}
    secrets |= {i.partner.name for i in invitations if i.partner} | set(
        collaboration.partners.values_list("name", flat=True)
    )
    assert {"Sennheiser", "Innovatiefonds", "Katrin Vogel", "owner@example.nl"} <= secrets
    for secret in secrets:
        assert secret not in page.text, secret
        assert secret not in csv, secret
    respondents = page.context["results"].respondents
    assert [r.number for r in respondents] == list(range(1, len(invitations) + 1))
    assert {(r.partner_name, r.is_member) for r in respondents} == {("", False)}
    assert {field.name for field in dataclasses.fields(Respondent)}.isdisjoint({"name", "email", "partner"})
    assert [r.label for r in respondents] == [r.label for r in round_results(round_).respondents]
    assert len(csv.splitlines()) == 1 + len(invitations) * 18


def test_the_page_without_answers_shows_the_response_and_an_empty_state(viewer_client, checker_round):
    response = viewer_client.get(url("round_results", checker_round))
    results = response.context["results"]
    assert response.status_code == 200 and not results.has_answers
    assert (results.response.submitted, results.response.invited) == (0, checker_round.invitations.count())
    assert 'class="empty-state"' in response.text and "<svg" not in response.text


# Access


def test_a_viewer_may_read_the_results_and_the_csv(viewer_client, checker_round):
    respond(checker_round.invitations.get(name="Katrin Vogel"), {statement_ids(checker_round)[0]: 4})
    assert viewer_client.get(url("round_results", checker_round)).status_code == 200
    response = viewer_client.get(url("round_results_csv", checker_round))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")


def test_it_rejects_post(manager_client, checker_round):
    assert manager_client.post(url("round_results", checker_round)).status_code == 405
    assert manager_client.post(url("round_results_csv", checker_round)).status_code == 405


def test_a_member_of_another_organisation_gets_404(client, stranger, other_org, checker_round):
    login(client, stranger)
    assert client.get(url("round_results", checker_round)).status_code == 404
    assert client.get(url("round_results_csv", checker_round)).status_code == 404
    for name in ("round_results", "round_results_csv"):
        own_slug_url = reverse(f"checker:{name}", args=[other_org.slug, checker_round.pk])
        assert client.get(own_slug_url).status_code == 404


# Speed


def round_with_respondents(org, owner, count):
    partner = PartnerFactory(organisation=org, name=f"Partner van {count}")
    ContactFactory.create_batch(count, partner=partner)
    collaboration = services.collaboration_create(
        organisation=org, actor=owner, name=f"Samenwerking {count}", partners=[partner]
    )
    round_ = make_round(collaboration, owner)
    invitations = list(round_.invitations.filter(partner=partner))
    ids = statement_ids(round_)
    Answer.objects.bulk_create(
        Answer(invitation=invitation, statement_id=pk, score=1 + (n + position) % 5)
        for n, invitation in enumerate(invitations)
        for position, pk in enumerate(ids)
    )
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(grade=7)
    return round_


def queries_for(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
        if hasattr(response, "streaming_content"):
            csv_text(response)
    assert response.status_code == 200
    return len(context.captured_queries)


def test_the_query_count_does_not_grow_with_the_respondents(owner_client, org, owner):
    small, large = round_with_respondents(org, owner, 3), round_with_respondents(org, owner, 30)
    owner_client.get(url("round_results", small))  # the first request stores the organisation in the session
    for name in ("round_results", "round_results_csv"):
        counts = [queries_for(owner_client, url(name, round_)) for round_ in (small, large)]
        assert counts[0] == counts[1], (name, counts)
    assert len(round_results(large).respondents) == 30
