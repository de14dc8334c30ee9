"""The legal-form advisor: each typical situation gets the expected form first, with reasons."""

from agreements.legal_forms import LEGAL_FORMS, LegalFormQuestionsForm, recommend

# A structural, commercial collaboration of three; each test changes only what makes its situation.
BASE_ANSWERS = {
    "duration": "structural",
    "shared_name": "yes",
    "shield_assets": "no",
    "aim": "profit",
    "participants": "3",
    "profit_distribution": "agreed_shares",
    "silent_partners": "no",
}


def advise(**changes):
    """Fill in the questionnaire as a user would and return the ranking."""
    form = LegalFormQuestionsForm(data={**BASE_ANSWERS, **changes})
    assert form.is_valid(), form.errors
    return recommend(form.cleaned_data)


def assert_first(ranking, code):
    best = ranking[0]
    assert best.form.code == code, [(r.form.code, r.score) for r in ranking]
    assert best.reasons
    assert best.score > ranking[1].score


def test_one_project_between_two_companies_needs_only_an_agreement():
    ranking = advise(duration="project", shared_name="no", aim="risk", participants="2")
    assert_first(ranking, "agreement")


def test_craftsmen_under_a_shared_name_get_a_vof():
    assert_first(advise(), "vof")


def test_professionals_sharing_costs_in_their_own_name_get_a_maatschap():
    ranking = advise(shared_name="no", aim="risk", participants="4")
    assert_first(ranking, "maatschap")


def test_shielding_private_assets_with_profit_to_shareholders_gives_a_bv():
    ranking = advise(shield_assets="yes", profit_distribution="by_shares")
    assert_first(ranking, "bv")


def test_a_social_goal_without_profit_distribution_gives_a_stichting():
    ranking = advise(shield_assets="yes", aim="social", profit_distribution="none")
    assert_first(ranking, "stichting")


def test_many_members_sharing_by_use_get_a_cooperatie():
    ranking = advise(shield_assets="yes", participants="25", profit_distribution="by_use")
    assert_first(ranking, "cooperatie")


def test_a_silent_investor_gives_a_cv():
    ranking = advise(participants="2", silent_partners="yes")
    assert_first(ranking, "cv")


def test_many_members_with_a_non_profit_interest_get_a_vereniging():
    ranking = advise(shield_assets="yes", aim="social", participants="40", profit_distribution="none")
    assert_first(ranking, "vereniging")


def test_every_form_appears_exactly_once():
    codes = [recommendation.form.code for recommendation in advise()]
    assert sorted(codes) == sorted(legal_form.code for legal_form in LEGAL_FORMS)
    assert len(codes) == len(set(codes))


def test_entities_need_a_notary_and_the_agreement_does_not():
    needs_notary = {recommendation.form.code: recommendation.needs_notary for recommendation in advise()}
    assert needs_notary["bv"] is True
    assert needs_notary["stichting"] is True
    assert needs_notary["cooperatie"] is True
    assert needs_notary["agreement"] is False


def test_equal_scores_keep_the_light_to_heavy_order():
    ranking = advise()
    order = [legal_form.code for legal_form in LEGAL_FORMS]
    for higher, lower in zip(ranking, ranking[1:], strict=False):
        if higher.score == lower.score:
            assert order.index(higher.form.code) < order.index(lower.form.code)


def test_the_ranking_is_deterministic():
    first = [(r.form.code, r.score, r.reasons) for r in advise()]
    second = [(r.form.code, r.score, r.reasons) for r in advise()]
    assert first == second


def test_form_rejects_a_single_participant():
    form = LegalFormQuestionsForm(data={**BASE_ANSWERS, "participants": "1"})
    assert not form.is_valid()
    assert list(form.errors) == ["participants"]


def test_form_rejects_more_than_1000_participants():
    form = LegalFormQuestionsForm(data={**BASE_ANSWERS, "participants": "1001"})
    assert not form.is_valid()
    assert list(form.errors) == ["participants"]


def test_form_rejects_a_missing_answer():
    data = dict(BASE_ANSWERS)
    del data["aim"]
    form = LegalFormQuestionsForm(data=data)
    assert not form.is_valid()
    assert list(form.errors) == ["aim"]
