"""A quick SMART check for the goal of an agreement (seed 003: "Zorg dat de afspraken SMART geformuleerd
zijn").

A goal passes when it names a measurable target and a date or period, and is more than a slogan. The check
reads Dutch and English and is a heuristic: it catches "We willen meer klanten", not every weak goal.

- Date: the `due_date` argument, or in the text a year (2020-2099), a month name, a numeric date, a quarter
  ("Q3", "kwartaal"), a relative term ("binnen 6 maanden", "within 6 months", "volgend jaar") or a period
  ("per jaar", "per month", "jaarlijks").
- Measurable: a number left over once the dates are taken out (so "in 2027" alone is not a target): digits,
  which covers percentages and amounts ("15%", "€ 50.000", "50k"), a number word ("twintig", "twenty",
  "honderd") or a multiplier ("verdubbelen", "double", "halveren", "halve"). "een" and "one" do not count:
  they are articles and pronouns far more often than targets.
"""

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

MIN_CHARACTERS = 15
MIN_WORDS = 3

_DUTCH_NUMBER_PART = (
    "één|een|twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|zestien|"
    "zeventien|achttien|negentien|twintig|dertig|veertig|vijftig|zestig|zeventig|tachtig|negentig|"
    "honderd|duizend|miljoen|miljard"
)
# "vijfentwintig", "tweeëntwintig", "tweehonderd", "tienduizend"; never ending in "en", so "vieren" and
# "honderden" stay words.
_DUTCH_NUMBER = rf"(?:(?:{_DUTCH_NUMBER_PART})(?:en|ën)?)*(?:{_DUTCH_NUMBER_PART})"
_ENGLISH_NUMBER = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    "seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|"
    "million|billion|dozen|zero"
)
_NUMBER_WORD = re.compile(rf"\b(?:{_DUTCH_NUMBER}|{_ENGLISH_NUMBER}|nul|dozijn)\b")
_NOT_NUMBER_WORDS = {"een"}
# Dutch "ten" is mostly a preposition: "ten minste", "ten opzichte van".
_DUTCH_TEN = re.compile(
    r"\bten\s+(?:minste|opzichte|behoeve|slotte|aanzien|gunste|laste|koste|einde|tijde|volle|dele|name|"
    r"eerste|tweede|derde|hoogste|onrechte|overstaan|grondslag)\b"
)
_MULTIPLIER = re.compile(
    r"\b(?:verdubbel\w*|verdrievoudig\w*|halver\w*|halveer\w*|helft|"
    r"doubl(?:e|es|ed|ing)|tripl(?:e|es|ed|ing)|halv(?:e|es|ed|ing))\b"
)
_DIGIT = re.compile(r"\d")

_QUANTITY = rf"(?:\d+(?:[.,]\d+)?|een|één|a|an|one|half|anderhalf|{_DUTCH_NUMBER}|{_ENGLISH_NUMBER})"
_UNIT = (
    r"(?:dag|dagen|week|weken|maand|maanden|jaar|jaren|kwartaal|kwartalen|"
    r"days?|weeks?|months?|years?|quarters?)"
)
_MONTHS = (
    "januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|"
    "january|february|march|june|july|august|october"
)
_SHORT_MONTHS = "jan|feb|mrt|mar|apr|jun|jul|aug|sep|sept|okt|oct|nov|dec"
_DAY = r"\d{1,2}(?:e|ste|de|st|nd|rd|th)?"

# Order matters: each pattern removes what it found, so a day number in "1 juli" or the 6 in "binnen
# 6 maanden" is not mistaken for a target later.
_DATE_PATTERNS = [
    re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4}\b"),
    re.compile(
        rf"\b(?:binnen|within|in|over|na|after|komende|next)\s+(?:(?:de|het|the|komende|next)\s+)?"
        rf"(?:{_QUANTITY}\s+)?{_UNIT}\b"
    ),
    re.compile(
        r"(?:\b(?:[1-4](?:e|ste|de|st|nd|rd|th)?|eerste|tweede|derde|vierde|laatste|"
        r"first|second|third|fourth|last)\s+)?\b(?:kwartaal|kwartalen|quarters?)\b|\bq[1-4]\b"
    ),
    re.compile(rf"(?:\b{_DAY}\s+(?:of\s+)?)?\b(?:{_MONTHS})\b(?:\s+{_DAY}(?=\s*(?:,|$|\d{{4}})))?"),
    # "may" and the short names are also ordinary words ("we may grow", "Jan"): only next to a day.
    re.compile(rf"\b{_DAY}\s+(?:of\s+)?(?:may|{_SHORT_MONTHS})\b\.?|\b(?:may|{_SHORT_MONTHS})\.?\s+{_DAY}\b"),
    re.compile(r"(?<!€)(?<!€ )\b20[2-9]\d\b(?!\s*(?:%|procent|percent|euro|eur\b|k\b|[.,]\d))"),
    re.compile(
        r"\b(?:per|a|each|every|elk|elke|ieder|iedere)\s+(?:dag|week|maand|kwartaal|jaar|day|month|quarter|year)\b"
        r"|\b(?:dagelijks|wekelijks|maandelijks|jaarlijks|daily|weekly|monthly|quarterly|yearly|annually)\b"
    ),
    re.compile(
        r"\b(?:het|dit|deze|komend|komende|volgend|volgende|the|this|next|coming)\s+"
        r"(?:jaar|maand|week|kwartaal|year|month|quarter)\b|\bweek\s+\d{1,2}\b"
    ),
    re.compile(
        r"\b(?:voor|vóór|in|na|deze|dit|komende|eind|begin|before|by|this|next)\s+(?:(?:de|het|the)\s+)?"
        r"(?:lente|voorjaar|zomer|najaar|herfst|winter|spring|summer|autumn)\b"
    ),
]


@dataclass(frozen=True)
class Flag:
    code: str
    message: str


def smart_check(text: str, *, due_date: date | None = None) -> list[Flag]:
    """Return what keeps the goal `text` from being SMART; an empty list means it passes.

    Codes: "empty" (alone), else any of "too_vague", "not_measurable", "no_date" in that order. A `due_date`
    stored next to the goal counts as its date.
    """
    text = (text or "").strip()
    if not text:
        return [_flag("empty")]

    lowered = text.lower()
    has_date = due_date is not None
    for pattern in _DATE_PATTERNS:
        lowered, found = pattern.subn(" ", lowered)
        has_date = has_date or found > 0

    codes = []
    if len(text) < MIN_CHARACTERS or len(re.findall(r"\w+", text)) < MIN_WORDS:
        codes.append("too_vague")
    if not _is_measurable(lowered):
        codes.append("not_measurable")
    if not has_date:
        codes.append("no_date")
    return [_flag(code) for code in codes]


def is_smart(text: str, due_date: date | None = None) -> bool:
    return not smart_check(text, due_date=due_date)


def _is_measurable(text: str) -> bool:
    if _DIGIT.search(text) or _MULTIPLIER.search(text):
        return True
    text = _DUTCH_TEN.sub(" ", text)
    return any(match.group() not in _NOT_NUMBER_WORDS for match in _NUMBER_WORD.finditer(text))


def _flag(code: str) -> Flag:
    # Translated at call time, so the messages follow the active language.
    messages = {
        "empty": _("The goal is empty: describe what you want to achieve together."),
        "too_vague": _(
            "Too vague: describe in a full sentence what you will achieve together, "
            "such as '20 new customers via the shared platform before 1 July 2027'."
        ),
        "not_measurable": _(
            "No measurable target: add a number, a percentage or an amount, such as '20 new customers'."
        ),
        "no_date": _(
            "No date or deadline: say when the goal must be reached, such as 'before 1 July 2027' "
            "or 'within 6 months', or set a due date."
        ),
    }
    return Flag(code, messages[code])
