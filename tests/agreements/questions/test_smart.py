import re
from datetime import date

import pytest

from agreements.questions.smart import Flag, is_smart, smart_check
from agreements.questions.texts import TEN_QUESTIONS


def test_there_are_ten_questions_with_unique_slug_codes():
    codes = [code for code, *_ in TEN_QUESTIONS]

    assert len(TEN_QUESTIONS) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z]+(?:-[a-z]+)*", code) for code in codes)


@pytest.mark.parametrize("question", TEN_QUESTIONS, ids=lambda question: question[0])
def test_every_question_is_a_question_in_both_languages_with_help(question):
    code, text_nl, text_en, help_nl, help_en = question

    assert text_nl.strip() and text_nl.endswith("?")
    assert text_en.strip() and text_en.endswith("?")
    assert help_nl.strip() and help_en.strip()


def test_the_dutch_questions_are_the_seeds():
    texts = dict((code, text_nl) for code, text_nl, *_ in TEN_QUESTIONS)

    assert (
        texts["own-contribution"] == "Wat is uw inbreng in deze samenwerking? Wat is uw toegevoegde waarde?"
    )
    assert texts["business-model"] == "Hoe ziet het businessmodel voor uw samenwerking eruit?"


@pytest.mark.parametrize(
    ("goal", "expected"),
    [
        ("We willen meer klanten", ["not_measurable", "no_date"]),
        ("20 nieuwe klanten via het gezamenlijke platform vóór 1 juli 2027", []),
        ("Omzet verdubbelen in 2027", []),
        ("Increase revenue by 15% within 12 months", []),
        ("Samen groeien", ["too_vague", "not_measurable", "no_date"]),
        ("20% in Q3", ["too_vague"]),
        ("Twintig gezamenlijke offertes per kwartaal versturen", []),
        ("Kosten voor inkoop halveren binnen zes maanden", []),
        ("€ 50.000 extra omzet uit de gezamenlijke webshop", ["no_date"]),
        ("Gezamenlijke omzet van 50k per jaar", []),
        ("Win ten new customers through the partnership by March", []),
        ("Double the number of joint projects next year", []),
        ("Meer naamsbekendheid voor beide partners in 2027", ["not_measurable"]),
        ("Better cooperation between our sales teams", ["not_measurable", "no_date"]),
        ("Ten minste meer tevreden klanten eind dit jaar", ["not_measurable"]),
        ("Samen successen vieren met alle medewerkers", ["not_measurable", "no_date"]),
        ("Vijfentwintig nieuwe leden werven voor de zomer", []),
        ("One hundred product demos per month", []),
        ("Klanttevredenheid naar een 8 uiterlijk 31-12-2026", []),
        ("Launch the joint product in Q2 of 2027", ["not_measurable"]),
        ("Jan en Piet verkopen 30 fietsen via de winkel", ["no_date"]),
    ],
)
def test_smart_check_flags(goal, expected):
    assert [flag.code for flag in smart_check(goal)] == expected


def test_a_due_date_counts_as_the_date():
    goal = "30 nieuwe klanten via de gezamenlijke webshop"

    assert [flag.code for flag in smart_check(goal)] == ["no_date"]
    assert smart_check(goal, due_date=date(2027, 1, 1)) == []


@pytest.mark.parametrize("goal", ["", "   ", None])
def test_an_empty_goal_gets_only_the_empty_flag(goal):
    assert [flag.code for flag in smart_check(goal)] == ["empty"]


def test_every_flag_explains_itself():
    flags = smart_check("Samen groeien")

    assert all(isinstance(flag, Flag) and flag.message for flag in flags)


def test_is_smart():
    assert is_smart("Increase revenue by 15% within 12 months")
    assert is_smart("Omzet met 10% verhogen", due_date=date(2027, 6, 30))
    assert not is_smart("We willen meer klanten")
