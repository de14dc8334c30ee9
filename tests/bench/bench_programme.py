"""Benchmark: the programme pages with 1,000,000 clicks and 50,000 orders. Counts and times, never asserted
on time.

Run with `make bench`. Builds one organisation with 200 affiliates, 1,000,000 clicks over 120 days (stored
in the order they came in, as the redirect writes them) and 50,000 projects over a year (a third through
affiliates, each with its commission); on Postgres with `INSERT … SELECT … FROM generate_series`, on SQLite
a tenth of that (100,000 clicks, 5,000 orders: said in the output).
Then it rolls the clicks up into days (`affiliates.tracking.tasks.roll_up_clicks`, what beat runs every
hour), and requests the programme's overview, the affiliate list, a partner's portal and the other programme
lists, printing per page the queries and the median time of 9 requests. The overview, the affiliate list and
the portal are reported against their target (≤ 100 ms). The number of queries must not depend on the
data's size: the same pages are measured on a tiny organisation first.
"""

import datetime
import random
import statistics
import time
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from affiliates.models import Affiliate, Click, Commission, CommissionKind, CommissionStatus, Project
from affiliates.programme.rules import cents, programme_for
from affiliates.tracking import tasks
from partnerhub.models import Partner
from tests.affiliates.factories_ledger import portal_link
from tests.bench.report import figure

pytestmark = [pytest.mark.bench, pytest.mark.django_db]

AFFILIATES = 200
CLICKS = 1_000_000
ORDERS = 50_000
DAYS = 120
SQLITE_SHARE = 10  # SQLite builds a tenth: its generate_series is an extension, and bulk inserts are slow

PAGES = [
    "affiliates:programme_home",
    "affiliates:affiliate_list",
    "affiliates:commission_list",
    "affiliates:project_list",
    "affiliates:kpi_overview",
    "affiliates:tier_overview",
    "affiliates:payout_list",
]
TARGETS = {"affiliates:programme_home": "overview", "affiliates:affiliate_list": "affiliate list"}


def make_affiliates(org, *, count, seed):
    partners = Partner.objects.bulk_create(
        Partner(organisation=org, name=f"Affiliate {seed}-{n:04d}", category="reseller", status="active")
        for n in range(count)
    )
    members = Affiliate.objects.bulk_create(
        Affiliate(organisation=org, partner=partner, code=f"{org.slug}-{seed}-{n:04d}")
        for n, partner in enumerate(partners)
    )
    return partners, members


def moment(n, clicks):
    """Minutes before now of the n-th click: spread evenly over DAYS, the oldest first, as they arrive."""
    return (clicks - n) * DAYS * 24 * 60 // clicks


def populate(org, *, affiliates, clicks, projects, seed):
    """Rows through the ORM: the tiny organisation, and the large one on SQLite."""
    rng = random.Random(seed)
    programme_for(org)
    partners, members = make_affiliates(org, count=affiliates, seed=seed)
    now = timezone.now()
    Click.objects.bulk_create(
        (
            Click(
                organisation=org,
                affiliate=members[n % affiliates],
                click_id=f"{seed:04d}{n:028d}",
                created_at=now - datetime.timedelta(minutes=moment(n, clicks) + rng.randrange(10)),
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


def populate_postgres(org, *, affiliates, clicks, projects, seed):
    """The same rows as `populate`, made by the database: a million clicks in seconds, not minutes."""
    programme_for(org)
    partners, members = make_affiliates(org, count=affiliates, seed=seed)
    partner_ids = [partner.pk for partner in partners]
    member_ids = [member.pk for member in members]
    today = timezone.localdate()
    with connection.cursor() as cursor:
        # Building takes longer than a request may; the pages and the roll-up are measured with the limit.
        cursor.execute("SET LOCAL statement_timeout = 0")
        cursor.execute("SELECT setseed(%s)", [seed / 100])
        cursor.execute(
            """
            INSERT INTO affiliates_click (organisation_id, affiliate_id, click_id, created_at, landing,
                utm_source, utm_medium, utm_campaign, utm_term, utm_content, source_hash, user_agent,
                dedup_bucket)
            SELECT %s, (%s::bigint[])[1 + n %% %s], lpad(%s::text, 4, '0') || lpad(n::text, 28, '0'),
                now() - ((%s - n)::bigint * %s / %s + floor(random() * 10)) * interval '1 minute',
                'https://www.voorbeeld.nl/', 'blog', '', '', '', '', lpad(n::text, 64, '0'), 'bench', n
            FROM generate_series(0, %s - 1) AS n
            """,
            [org.pk, member_ids, affiliates, seed, clicks, DAYS * 24 * 60, clicks, clicks],
        )
        cursor.execute(
            """
            INSERT INTO affiliates_project (organisation_id, partner_id, customer_reference, customer_email,
                value, date, delivered_on_time, paid_on_time, source, attribution, idempotency_key,
                api_result, created_at)
            SELECT %s, CASE WHEN n %% 3 = 0 THEN (%s::bigint[])[1 + n %% %s] END,
                'K' || %s || '-' || lpad(n::text, 6, '0'), '', round((50 + random() * 2450)::numeric, 2),
                %s::date - floor(random() * 365)::int, random() < 0.95, random() < 0.9, 'api',
                CASE WHEN n %% 3 = 0 THEN 'click' ELSE '' END, '', '{}', now()
            FROM generate_series(0, %s - 1) AS n
            """,
            [org.pk, partner_ids, affiliates, seed, today, projects],
        )
        cursor.execute(
            """
            INSERT INTO affiliates_commission (organisation_id, partner_id, kind, status, amount, base_amount,
                percent, description, project_id, rejected_reason, created_at)
            SELECT organisation_id, partner_id, %s,
                (ARRAY[%s, %s, %s])[1 + (row_number() OVER (ORDER BY id))::int %% 3], round(value / 10, 2),
                value, 10, '', id, '', now()
            FROM affiliates_project WHERE organisation_id = %s AND partner_id = ANY(%s::bigint[])
            """,
            [
                CommissionKind.COMMISSION,
                CommissionStatus.PENDING,
                CommissionStatus.APPROVED,
                CommissionStatus.PAID,
                org.pk,
                partner_ids,
            ],
        )
        # Foreign keys checked now, not when the test's transaction is rolled back (within the time limit).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        # What autovacuum does soon after a large import.
        cursor.execute("ANALYZE affiliates_click; ANALYZE affiliates_project; ANALYZE affiliates_commission")
        cursor.execute(f"SET LOCAL statement_timeout = {int(settings.DATABASE_STATEMENT_TIMEOUT_MS)}")


def measure(client, url, repeat=9):
    """(queries, seconds): the median of `repeat` requests, so that a moment of a busy machine does not
    count as the page's time."""
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    response = client.get(url)
    assert response.status_code == 200, url
    with connection.execute_wrapper(count):
        client.get(url)
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        client.get(url)
        times.append(time.perf_counter() - start)
    return len(queries), statistics.median(times)


def page_urls(org, portal_token):
    urls = {}
    for name in PAGES:
        try:
            urls[name] = reverse(name, args=[org.slug])
        except NoReverseMatch:
            continue
    urls["portal"] = reverse("portal", args=[portal_token])
    return urls


def test_programme_pages_with_1000000_clicks_and_50000_orders(manager_client, org):
    populate(org, affiliates=5, clicks=50, projects=30, seed=6)
    tasks.roll_up_clicks()
    _link, small_token = portal_link(Affiliate.objects.filter(organisation=org).order_by("pk").first())
    small = {name: measure(manager_client, url) for name, url in page_urls(org, small_token).items()}

    started = time.perf_counter()
    if connection.vendor == "postgresql":
        scale = f"{CLICKS // 1_000_000}M clicks/{ORDERS // 1000}k orders"
        populate_postgres(org, affiliates=AFFILIATES, clicks=CLICKS, projects=ORDERS, seed=7)
    else:
        scale = f"{CLICKS // SQLITE_SHARE // 1000}k clicks/{ORDERS // SQLITE_SHARE // 1000}k orders (SQLite)"
        populate(
            org,
            affiliates=AFFILIATES,
            clicks=CLICKS // SQLITE_SHARE,
            projects=ORDERS // SQLITE_SHARE,
            seed=7,
        )
    print(f"\n[bench] data built in {time.perf_counter() - started:.1f} s on {connection.vendor}")
    started = time.perf_counter()
    tasks.roll_up_clicks()
    rolled = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # what autovacuum does after the first roll-up
            cursor.execute("ANALYZE affiliates_clickday")
    again = time.perf_counter()
    tasks.roll_up_clicks()  # the hourly run: the last days again
    hourly = time.perf_counter() - again
    print(f"[bench] clicks rolled up into days in {rolled:.1f} s; the next (hourly) run {hourly:.2f} s")
    print(
        f"[bench] clicks={Click.objects.filter(organisation=org).count()} "
        f"projects={Project.objects.filter(organisation=org).count()} "
        f"commissions={Commission.objects.filter(organisation=org).count()}"
    )
    busiest = Affiliate.objects.filter(organisation=org, code__startswith=f"{org.slug}-7-").order_by("pk")[0]
    _link, token = portal_link(busiest)
    print("page                          queries (small → large)   median time (small → large)")
    for name, url in page_urls(org, token).items():
        queries, seconds = measure(manager_client, url)
        small_queries, small_seconds = small[name]
        page = name.split(":")[-1]
        print(
            f"{page:28s}  {small_queries:4d} → {queries:4d}"
            f"              {small_seconds * 1000:7.1f} ms → {seconds * 1000:7.1f} ms"
        )
        if name in TARGETS or name == "portal":
            label = TARGETS.get(name, name)
            figure("programme", f"{label} server time at {scale}", seconds * 1000, "ms", at_most=100)
            figure("programme", f"{label} queries at {scale} (tiny organisation: {small_queries})", queries)
        assert queries <= small_queries + 2, f"{name}: queries grow with the data"
