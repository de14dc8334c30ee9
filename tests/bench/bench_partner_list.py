"""Benchmark: the partner list as an organisation grows. Counts and ratios, never asserted on time.

Run with `make bench`. Prints, for 25, 500 and 5000 partners (with two contacts each): queries per page,
the time of a search-as-you-type request relative to the smallest organisation, and rows rendered.
"""

import time

import pytest
from django.db import connection

from partnerhub.models import Contact, Partner
from tests.factories import PartnerFactory

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def grow(org, total):
    existing = Partner.objects.filter(organisation=org).count()
    partners = [
        Partner(
            organisation=org,
            name=f"Partner {n:05d}",
            category="supplier",
            status="active",
            influence=n % 5 + 1,
        )
        for n in range(existing, total)
    ]
    Partner.objects.bulk_create(partners, batch_size=1000)
    created = Partner.objects.filter(organisation=org, contacts__isnull=True)
    Contact.objects.bulk_create(
        [
            Contact(partner=p, name=f"Contact {p.pk}-{i}", is_key_person=i == 0)
            for p in created
            for i in range(2)
        ],
        batch_size=2000,
    )


def measure(client, url, repeat=5):
    client.get(url)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(url)
    start = time.perf_counter()
    for _ in range(repeat):
        response = client.get(url, headers={"HX-Request": "true"})
    return len(queries), (time.perf_counter() - start) / repeat, len(response.context["page"])


def test_partner_list_scales(manager_client, org):
    PartnerFactory(organisation=org, name="Sennheiser")
    rows = []
    for total in (25, 500, 5000):
        grow(org, total)
        for label, query in (("list", ""), ("search", "?q=Partner%2004")):
            queries, seconds, shown = measure(manager_client, f"/o/{org.slug}/partners/{query}")
            rows.append((total, label, queries, seconds, shown))
    base = {label: seconds for total, label, _q, seconds, _s in rows if total == 25}
    print("\npartners  request  queries  rows shown  time vs 25 partners")
    for total, label, queries, seconds, shown in rows:
        print(f"{total:8d}  {label:7s}  {queries:7d}  {shown:10d}  {seconds / base[label]:6.2f}x")
    assert len({queries for _t, _l, queries, _s, _r in rows if _l == "list"}) == 1
