"""The checker's services: rounds with their statements and respondents, answers, submitting, repeating."""

import datetime

import pytest
from django.utils import timezone

from checker import services
from checker.models import Answer, Invitation, Statement
from tests.checker.conftest import make_round
from tests.factories import MembershipFactory


def test_the_seventeen_standard_statements_are_loaded_in_both_languages(db):
    statements = services.standard_statements()
    assert statements.count() == 17
    first = statements.first()
    assert first.text_nl == "We willen geld in de samenwerking steken."
    assert first.text_en == "We want to invest money in the collaboration."
    assert statements.get(code="lead").help_nl.startswith("Neemt het initiatief")


def test_a_round_invites_every_contact_person_and_every_member(checker_round, org):
    invitations = checker_round.invitations.all()
    contacts = {i.name for i in invitations if i.contact_id}
    members = {i.user_id for i in invitations if i.user_id}
    assert contacts == {"Katrin Vogel", "Jonas Becker", "Pieter de Groot"}
    assert members == set(org.memberships.values_list("user_id", flat=True))
    assert checker_round.round_statements.count() == 17
    assert all(i.expires_at == checker_round.closes_at for i in invitations)


def test_an_organisations_own_statement_comes_after_the_standard_ones(collaboration, owner, org):
    own = Statement.objects.create(organisation=org, text_nl="We delen ons netwerk met elkaar.")
    round_ = make_round(collaboration, owner, own_statements=[own])
    assert list(round_.round_statements.values_list("statement_id", flat=True))[-1] == own.pk


def test_a_token_link_finds_its_invitation_until_revoked(checker_round, owner):
    invitation = checker_round.invitations.first()
    token = invitation.link_token()
    assert Invitation.objects.by_token(token) == invitation
    assert invitation.token_hash != token and token not in invitation.token_nonce
    services.invitation_revoke(invitation=invitation, actor=owner)
    assert Invitation.objects.by_token(token) is None


def test_a_new_link_replaces_the_old_one(checker_round):
    invitation = checker_round.invitations.first()
    old = invitation.link_token()
    new = services.invitation_new_link(invitation=invitation)
    assert Invitation.objects.by_token(old) is None and Invitation.objects.by_token(new) == invitation


def test_answers_are_stored_once_and_can_be_changed(checker_round):
    invitation = checker_round.invitations.first()
    statement = checker_round.statements.first()
    services.answer_save(invitation=invitation, statement_id=statement.pk, score=2)
    services.answer_save(invitation=invitation, statement_id=statement.pk, score=4)
    assert list(Answer.objects.filter(invitation=invitation).values_list("score", flat=True)) == [4]


def test_an_answer_to_a_statement_outside_the_round_is_refused(checker_round, other_org):
    invitation = checker_round.invitations.first()
    foreign = Statement.objects.create(organisation=other_org, text_nl="Vreemd")
    with pytest.raises(ValueError):
        services.answer_save(invitation=invitation, statement_id=foreign.pk, score=3)
    assert not Answer.objects.exists()


def test_after_the_deadline_or_when_revoked_nothing_is_written(checker_round, owner):
    invitation = checker_round.invitations.first()
    statement = checker_round.statements.first()
    later = checker_round.closes_at + datetime.timedelta(seconds=1)
    with pytest.raises(services.SurveyClosed):
        services.answer_save(invitation=invitation, statement_id=statement.pk, score=3, now=later)
    services.invitation_revoke(invitation=invitation, actor=owner)
    with pytest.raises(services.SurveyClosed):
        services.answer_save(invitation=invitation, statement_id=statement.pk, score=3)
    assert not Answer.objects.exists()


def test_submitting_needs_every_answer_and_the_grade_and_twice_is_harmless(checker_round):
    invitation = checker_round.invitations.first()
    statements = list(checker_round.statements.all())
    for statement in statements[:-1]:
        services.answer_save(invitation=invitation, statement_id=statement.pk, score=3)
    with pytest.raises(services.IncompleteResponse) as refused:
        services.invitation_submit(invitation=invitation)
    assert refused.value.missing_statements == [statements[-1]] and refused.value.missing_grade
    services.answer_save(invitation=invitation, statement_id=statements[-1].pk, score=5)
    services.grade_save(invitation=invitation, grade=7)
    first = services.invitation_submit(invitation=invitation).submitted_at
    again = services.invitation_submit(
        invitation=invitation, now=timezone.now() + datetime.timedelta(hours=1)
    )
    assert again.submitted_at == first
    assert invitation.answers.count() == 17


def test_the_next_round_copies_statements_and_respondents(checker_round, owner, org):
    revoked = checker_round.invitations.first()
    services.invitation_revoke(invitation=revoked, actor=owner)
    MembershipFactory(organisation=org)  # joined later: the repeat copies the respondents, not the team
    today = timezone.localdate()
    following = services.round_repeat(
        previous=checker_round, actor=owner, name="Ronde 2", deadline=today + datetime.timedelta(days=7)
    )
    assert following.previous_round == checker_round
    assert following.round_statements.count() == 17
    copied = sorted(following.invitations.values_list("name", flat=True))
    expected = sorted(checker_round.invitations.exclude(pk=revoked.pk).values_list("name", flat=True))
    assert copied == expected
    assert not set(following.invitations.values_list("token_hash", flat=True)) & set(
        checker_round.invitations.values_list("token_hash", flat=True)
    )


def test_missing_standard_statements_are_restored_and_present_ones_kept(db):
    from checker.models import Statement

    Statement.objects.filter(organisation__isnull=True, code="market").delete()
    kept = Statement.objects.get(code="invest-money")
    assert services.standard_statements_restore() == 1
    assert services.standard_statements().count() == 17
    assert Statement.objects.get(code="invest-money").pk == kept.pk
    assert services.standard_statements_restore() == 0
