"""The ten basic questions: each party's answers, laid side by side, the agreed conclusions and follow-up
actions. (Being built.)"""


def card(agreement):
    """What the agreement's overview shows about the ten questions (context for questions/_card.html)."""
    return {}
