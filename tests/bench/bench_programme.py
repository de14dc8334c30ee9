"""Benchmark: the programme pages with 100,000 clicks and 10,000 orders. Counts and times, never asserted
on time.

Run with `make bench`. Builds one organisation with 200 affiliates, 100,000 clicks over 120 days, 10,000
projects (a third through affiliates, each with its commission), then requests the programme's overview
and the other programme lists that exist, and prints per page: the queries and the mean time of 5
requests. The number of queries must not depend on the data's size: the same pages are measured on a tiny
organisation first.
"""

import datetime
import random
import time
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from affiliates.models import Affiliate, Click, Commission, CommissionKind, CommissionStatus, Project
from affiliates.programme.rules import cents, programme_for
from partnerhub.models import Partner

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

PAGES = [
    "affiliates:programme_home",
    "affiliates:affiliate_list",
    "affiliates:commission_list",
    "affiliates:project_list",
    "affiliates:kpi_overview",
    "affiliates:tier_overview",
    "affiliates:payout_list",
]


def populate(org, *, affiliates, clicks, projects, seed):
    rng = random.Random(seed)
    programme_for(org)
    partners = Partner.objects.bulk_create(
        Partner(organisation=org, name=f"Affiliate {seed}-{n:04d}", category="reseller", status="active")
        for n in range(affiliates)
    )
    members = Affiliate.objects.bulk_create(
        Affiliate(organisation=org, partner=partner, code=f"{org.slug}-{seed}-{n:04d}")
        for n, partner in enumerate(partners)
    )
    now = timezone.now()
    Click.objects.bulk_create(
        (
            Click(
                organisation=org,
                affiliate=members[n % affiliates],
                click_id=f"{seed:04d}{n:028d}",
                created_at=now - datetime.timedelta(minutes=rng.randrange(120 * 24 * 60)),
                landing="https://www.voorbeeld.nl/",
                utm_source="blog",
                source_hash=f"{n:064d}",
                user_agent="bench",
                dedup_bucket=n,
            )
            for n in range(clicks)
        ),
        batch_size=5000,
    )
    today = timezone.localdate()
    made = Project.objects.bulk_create(
        (
            Project(
                organisation=org,
                partner=partners[n % affiliates] if n % 3 == 0 else None,
                customer_reference=f"K{seed}-{n:06d}",
                value=Decimal(rng.randrange(5000, 250000)) / 100,
                date=today - datetime.timedelta(days=rng.randrange(365)),
                delivered_on_time=rng.random() < 0.95,
                paid_on_time=rng.random() < 0.9,
                source="api",
                attribution="click" if n % 3 == 0 else "",
            )
            for n in range(projects)
        ),
        batch_size=2000,
    )
    statuses = [CommissionStatus.PENDING, CommissionStatus.APPROVED, CommissionStatus.PAID]
    Commission.objects.bulk_create(
        (
            Commission(
                organisation=org,
                partner_id=project.partner_id,
                kind=CommissionKind.COMMISSION,
                status=statuses[i % 3],
                amount=cents(project.value / 10),
                base_amount=project.value,
                percent=Decimal("10"),
                project=project,
            )
            for i, project in enumerate(p for p in made if p.partner_id)
        ),
        batch_size=2000,
    )


def measure(client, url, repeat=5):
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    response = client.get(url)
    assert response.status_code == 200, url
    with connection.execute_wrapper(count):
        client.get(url)
    start = time.perf_counter()
    for _ in range(repeat):
        client.get(url)
    return len(queries), (time.perf_counter() - start) / repeat


def page_urls(org):
    urls = {}
    for name in PAGES:
        try:
            urls[name] = reverse(name, args=[org.slug])
        except NoReverseMatch:
            continue
    return urls


def test_programme_pages_with_100000_clicks_and_10000_orders(manager_client, org):
    populate(org, affiliates=5, clicks=50, projects=30, seed=6)
    small = {name: measure(manager_client, url) for name, url in page_urls(org).items()}
    started = time.perf_counter()
    populate(org, affiliates=200, clicks=100_000, projects=10_000, seed=7)
    print(f"\n[bench] data built in {time.perf_counter() - started:.1f} s on {connection.vendor}")
    print(
        f"[bench] clicks={Click.objects.filter(organisation=org).count()} "
        f"projects={Project.objects.filter(organisation=org).count()} "
        f"commissions={Commission.objects.filter(organisation=org).count()}"
    )
    print("page                          queries (small → large)   mean time (small → large)")
    for name, url in page_urls(org).items():
        queries, seconds = measure(manager_client, url)
        small_queries, small_seconds = small[name]
        print(
            f"{name.split(':')[1]:28s}  {small_queries:4d} → {queries:4d}"
            f"              {small_seconds * 1000:7.1f} ms → {seconds * 1000:7.1f} ms"
        )
        assert queries <= small_queries + 2, f"{name}: queries grow with the data"
