"""The programme's objects for the isolation walk (tests/partnerhub/test_isolation.py), one module a part."""

from tests.affiliates import objects_ledger, objects_people, objects_tiers, objects_tracking


def programme_objects(organisation, partner):
    values = {}
    for part in (objects_tracking, objects_ledger, objects_tiers, objects_people):
        values.update(part.objects(organisation, partner))
    return values
