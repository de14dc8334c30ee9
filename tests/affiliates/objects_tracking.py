"""Objects of one organisation for the isolation walk: one per URL parameter of the tracking views."""


def objects(organisation, partner):
    return {}
