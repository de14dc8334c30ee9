"""Names people type: of organisations, partners, contact persons, matrices, collaborations, signers.

Such a name is shown to other people, printed in PDFs and put in e-mail subjects. A bidirectional control
character in it (an override or isolate, or an invisible direction mark) makes what follows read in
another direction, so "Bouw\u202efdp.exe" looks like "Bouwexe.pdf": names are kept without them.
"""

BIDI_CONTROLS = (
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, overrides and their end
    "\u2066\u2067\u2068\u2069"  # isolates and their end
    "\u200e\u200f\u061c"  # left-to-right, right-to-left and Arabic letter marks
)
_REMOVE = dict.fromkeys(map(ord, BIDI_CONTROLS))


def remove_bidi_controls(text: str) -> str:
    return text.translate(_REMOVE)


def tidy_name(text: str) -> str:
    """The name without bidirectional controls, its spaces and line breaks one space each."""
    return " ".join(remove_bidi_controls(text).split())
