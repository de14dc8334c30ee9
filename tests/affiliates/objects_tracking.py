"""Objects of one organisation for the isolation walk: one per URL parameter of the tracking views."""

from affiliates.tracking import conversions


def objects(organisation, partner):
    api_key, _raw = conversions.api_key_create(organisation=organisation, name="Webshop", actor=None)
    return {"api_key_id": api_key.pk}
