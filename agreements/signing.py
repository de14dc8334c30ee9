"""Versions of the letter of intent and the agreement, and their sign-off. (Being built.)"""


def agreement_changed(agreement, *, actor=None):
    """Called by every service that changes what the agreement says, after it saved the change."""


def card(agreement):
    """What the agreement's overview shows about documents and signatures (context for signing/_card.html)."""
    return {}
