"""Benchmark: a checker round's results page as the number of respondents grows. Never asserted on time.

Run with `make bench` (or `pytest tests/bench/bench_checker.py -m bench -s`). Prints, for 20 and 200
respondents who all scored the 17 statements and gave a grade: queries per page, the mean time of the page
and of its CSV, and the time relative to 20 respondents. Asserts only that the query count stays the same.
"""

import datetime
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from checker import services
from checker.models import Answer, Invitation
from partnerhub.models import Contact, Partner

pytestmark = [pytest.mark.bench, pytest.mark.django_db]


def round_with(org, owner, respondents):
    partner = Partner.objects.create(organisation=org, name=f"Partner van {respondents}", category="supplier")
    Contact.objects.bulk_create(
        Contact(partner=partner, name=f"Contact {n:03d}", email=f"c{respondents}-{n}@example.nl")
        for n in range(respondents)
    )
    collaboration = services.collaboration_create(
        organisation=org, actor=owner, name=f"Samenwerking {respondents}", partners=[partner]
    )
    round_ = services.round_create(
        collaboration=collaboration,
        actor=owner,
        name=f"Ronde met {respondents}",
        deadline=timezone.localdate() + datetime.timedelta(days=14),
    )
    invitations = list(round_.invitations.filter(partner=partner))
    statement_ids = list(round_.round_statements.values_list("statement_id", flat=True))
    Answer.objects.bulk_create(
        (
            Answer(invitation=invitation, statement_id=pk, score=1 + (n * 7 + position) % 5)
            for n, invitation in enumerate(invitations)
            for position, pk in enumerate(statement_ids)
        ),
        batch_size=2000,
    )
    Invitation.objects.filter(pk__in=[i.pk for i in invitations]).update(grade=7, submitted_at=timezone.now())
    return round_


def measure(client, path, repeat=5):
    client.get(path)
    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        client.get(path)
    start = time.perf_counter()
    for _ in range(repeat):
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)
    return len(queries), (time.perf_counter() - start) / repeat


def test_results_page_scales(owner_client, org, owner):
    rows = []
    for respondents in (20, 200):
        round_ = round_with(org, owner, respondents)
        for label, name in (("page", "checker:round_results"), ("csv", "checker:round_results_csv")):
            path = reverse(name, args=[org.slug, round_.pk])
            queries, seconds = measure(owner_client, path)
            rows.append((respondents, label, queries, seconds))
    base = {label: seconds for respondents, label, _q, seconds in rows if respondents == 20}
    print("\nrespondents  request  queries  mean time (ms)  time vs 20 respondents")
    for respondents, label, queries, seconds in rows:
        ratio = seconds / base[label]
        print(f"{respondents:11d}  {label:7s}  {queries:7d}  {seconds * 1000:14.1f}  {ratio:6.2f}x")
    for label in ("page", "csv"):
        assert len({queries for _r, kind, queries, _s in rows if kind == label}) == 1
