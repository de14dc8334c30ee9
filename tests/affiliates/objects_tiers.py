"""Objects of one organisation for the isolation walk: one per URL parameter of the tiers views."""


def objects(organisation, partner):
    return {}
