"""The search text of partners and contacts: what people type, made comparable.

`normalise` turns any text into lower case without accents and with single spaces ("Günderfonds  BV" →
"gunderfonds bv"). Partners and contacts keep their searchable fields normalised in a `search_text`
column (see partnerhub.models.partner); a search normalises the query the same way and looks for it in
that column, so "gunderfonds" and "GÜNDER" both find "Günderfonds". On PostgreSQL a trigram index on the
column (migration 0009) answers such a `LIKE '%…%'` without reading every row; SQLite reads the column.
"""

import unicodedata

# A query this long (after normalising) is looked for anywhere in the search text: a trigram index
# needs three characters. A shorter one only matches the start of the partner's name.
MIN_CONTAINS_LENGTH = 3
# Letters that NFKD leaves whole, written the way people type them without the accent.
LETTERS = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"})


def normalise(text: str) -> str:
    """Lower case, accents and other marks removed (NFKD), whitespace collapsed to single spaces."""
    decomposed = unicodedata.normalize("NFKD", text.casefold()).translate(LETTERS)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(stripped.split())


def is_limited(query: str) -> bool:
    """Whether a query is too short to be looked for anywhere: it then matches the start of names only."""
    terms = normalise(query)
    return 0 < len(terms) < MIN_CONTAINS_LENGTH


def search_text(*parts: str) -> str:
    """The normalised parts joined by a line break, empty parts left out: a query with a space in it
    never matches across two fields."""
    return "\n".join(filter(None, (normalise(part or "") for part in parts)))
