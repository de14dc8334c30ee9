"""Every page answers: load the demo, walk it as each demo role and as a visitor of each public link, and find
no 5xx anywhere.

The demo is loaded once for the module (its PDFs rendered), with the states a user makes next added through
the services. The crawl starts at each demo organisation's dashboard and at every public link the demo prints
(plus one link of each token kind in each state, issued the way the services issue them), follows every
same-site link (`<a href>`, `hx-get`, redirects; not logout) and submits every GET form with its default
values and once filled in wrongly, breadth first, at most URLS_PER_PATTERN URLs of one URL pattern. Each
request runs in a savepoint that is rolled back, so what one page does never changes what the next one shows,
and a failing page never poisons the next one's transaction. All failures are reported together: URL, status
or exception with the line of our code that raised it, and the page the URL was found on.
"""

import re
import traceback
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import urlencode, urljoin, urlsplit, urlunsplit

import pytest
from django.conf import settings as project_settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import Resolver404, resolve
from django.utils import timezone

from affiliates.ledger import payouts
from affiliates.models import NpsRequest, PortalLink
from affiliates.people import nps
from affiliates.tracking import conversions
from agreements.models import Party, QuestionSheet, SignRequest
from agreements.questions import sheets
from checker.models import Invitation
from matrix import services as matrix_services
from partnerhub import account_services
from partnerhub.celery import app as celery_app
from partnerhub.models import Organisation, Role, User
from partnerhub.tokens import token_hash

pytestmark = pytest.mark.django_db

PAGES_PER_ROLE = 1500
# Enough objects of one URL pattern to meet its different states (open, paid, signed, expired …) without
# walking every partner of the demo.
URLS_PER_PATTERN = 6
DEMO_HOSTS = {"", "testserver", "127.0.0.1:8000"}
SKIPPED_PATHS = re.compile(r"/logout/|^/static/|^/media/")
# The public pages of each token kind, as the views route them.
PUBLIC_PAGES = {
    Invitation: "/s/{}/",
    QuestionSheet: "/q/{}/",
    SignRequest: "/sign/{}/",
    NpsRequest: "/nps/{}/",
    PortalLink: "/p/{}/",
}
# A row is "done" in its own way: answered, signed, used.
DONE_FIELDS = ("completed_at", "submitted_at", "used_at", "answered_at")


@dataclass
class Failure:
    url: str
    status: str
    found_on: str

    def __str__(self):
        return f"{self.url} → {self.status} (found on {self.found_on})"


@dataclass
class Crawl:
    client: Client
    seen: set = field(default_factory=set)
    per_pattern: dict = field(default_factory=dict)
    failures: list = field(default_factory=list)
    pages: int = 0
    patterns: set = field(default_factory=set)


class PageLinks(HTMLParser):
    """The GET targets of a page: links, hx-get attributes and GET forms with their default values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.htmx, self.forms = [], [], []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("hx-get"):
            self.htmx.append(attrs["hx-get"])
        if tag == "form":
            method = (attrs.get("method") or "get").lower()
            is_htmx_post = any(name in attrs for name in ("hx-post", "hx-put", "hx-delete", "hx-patch"))
            self._form = (
                {"action": attrs.get("action") or "", "fields": [], "submit": None}
                if method == "get" and not is_htmx_post
                else None
            )
            if self._form is not None:
                self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, attrs)

    def _field(self, tag, attrs):
        name = attrs.get("name")
        if tag == "input" and name and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "image"):
                if self._form["submit"] is None:
                    self._form["submit"] = (name, attrs.get("value") or "")
            elif kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._form["fields"].append((name, attrs.get("value") or "on"))
            elif kind not in ("button", "reset", "file"):
                self._form["fields"].append((name, attrs.get("value") or ""))
        elif tag == "button" and name and (attrs.get("type") or "submit").lower() == "submit":
            if self._form["submit"] is None:
                self._form["submit"] = (name, attrs.get("value") or "")
        elif tag == "select" and name and "disabled" not in attrs:
            self._select = {"name": name, "first": None, "selected": None}
        elif tag == "option" and self._select is not None:
            value = attrs.get("value")
            if self._select["first"] is None:
                self._select["first"] = value
            if "selected" in attrs:
                self._select["selected"] = value
            self._select["pending"] = value is None
        elif tag == "textarea" and name and "disabled" not in attrs:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data
        if self._select is not None and self._select.get("pending"):
            # <option>label</option> without a value sends its text
            if self._select["first"] is None:
                self._select["first"] = data.strip()
            self._select["pending"] = False

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            value = (
                self._select["selected"] if self._select["selected"] is not None else self._select["first"]
            )
            if self._form is not None and value is not None:
                self._form["fields"].append((self._select["name"], value))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            if self._form is not None:
                self._form["fields"].append(tuple(self._textarea))
            self._textarea = None


def same_site(url, base):
    """The path and query of `url` seen from page `base` when it stays on PartnerHub, else None."""
    url = url.strip()
    if not url or url.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(base, url))
    if parts.scheme not in ("http", "https") or parts.netloc not in DEMO_HOSTS:
        return None
    if SKIPPED_PATHS.search(parts.path):
        return None
    return urlunsplit(("", "", parts.path, parts.query, ""))


def pattern_of(url):
    """The URL pattern a URL belongs to, with the names of its query parameters."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
        route = match.route or match.view_name
    except Resolver404:
        route = parts.path
    keys = tuple(sorted({pair.split("=", 1)[0] for pair in parts.query.split("&") if pair}))
    return route, keys


def visit(crawl, url, found_on, htmx):
    """Request one URL; record a 5xx or an exception; return its response or None."""
    headers = {"HX-Request": "true"} if htmx else {}
    try:
        with transaction.atomic():
            response = crawl.client.get(url, headers=headers)
            if response.streaming:  # a download: its content is made while it is read
                b"".join(response.streaming_content)
            transaction.set_rollback(True)
    except Exception as error:  # noqa: BLE001 - every failure is collected and reported together
        crawl.failures.append(Failure(url, _where(error), found_on))
        return None
    if response.status_code >= 500:
        crawl.failures.append(Failure(url, str(response.status_code), found_on))
    return response


def _where(error):
    """The exception's last line and the last frame of our own code that raised it."""
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if "/.venv/" not in frame.filename]
    place = f" at {frames[-1].filename.rsplit('/work/main/', 1)[-1]}:{frames[-1].lineno}" if frames else ""
    return traceback.format_exception_only(error)[-1].strip() + place


def targets(response, url):
    """(url, htmx) pairs a response leads to."""
    if response.status_code in (301, 302, 303, 307, 308):
        target = same_site(response["Location"], "http://testserver" + url)
        return [(target, False)] if target else []
    if "text/html" not in response.get("Content-Type", "") or response.streaming:
        return []
    parser = PageLinks()
    parser.feed(response.content.decode(response.charset or "utf-8", errors="replace"))
    found = [(same_site(link, "http://testserver" + url), False) for link in parser.links]
    found += [(same_site(link, "http://testserver" + url), True) for link in parser.htmx]
    for form in parser.forms:
        fields = list(form["fields"]) + ([form["submit"]] if form["submit"] else [])
        action = same_site(form["action"] or url, "http://testserver" + url)
        if action:
            # as the page offers it, and with every field filled in wrongly (a filter must refuse, not fail)
            junk = [(name, value if (name, value) == form["submit"] else "x") for name, value in fields]
            for query in (fields, junk):
                found.append((urlsplit(action)._replace(query=urlencode(query)).geturl(), False))
    return [(target, htmx) for target, htmx in found if target]


def crawl_from(client, start_urls, limit=PAGES_PER_ROLE):
    crawl = Crawl(client=client)
    queue = deque((url, "(start)", False) for url in start_urls)
    while queue and crawl.pages < limit:
        url, found_on, htmx = queue.popleft()
        if url in crawl.seen:
            continue
        crawl.seen.add(url)
        pattern = pattern_of(url)
        if crawl.per_pattern.get(pattern, 0) >= URLS_PER_PATTERN:
            continue
        crawl.per_pattern[pattern] = crawl.per_pattern.get(pattern, 0) + 1
        crawl.patterns.add(pattern[0])
        crawl.pages += 1
        response = visit(crawl, url, found_on, htmx)
        if response is not None:
            queue.extend((target, url, is_htmx) for target, is_htmx in targets(response, url))
    return crawl


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo as `seed_demo` loads it, its documents rendered, loaded once for the module in a transaction
    that is rolled back at its end (as Django's setUpTestData does); each test runs in a savepoint of it."""
    media = tmp_path_factory.mktemp("media")
    fast_hashing = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with (
            django_db_blocker.unblock(),
            override_settings(MEDIA_ROOT=media, PASSWORD_HASHERS=fast_hashing, CELERY_TASK_ALWAYS_EAGER=True),
            transaction.atomic(),
        ):
            out = StringIO()
            with TestCase.captureOnCommitCallbacks(execute=True):  # the PDFs are made after the commit
                call_command("seed_demo", stdout=out)
            output = out.getvalue()
            extra_links = add_states()
            links = issue_public_links(printed_links(output)) + extra_links
            yield Demo(output=output, links=links, media=media)
            transaction.set_rollback(True)
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture(autouse=True)
def _media_root(settings, demo):
    """The demo's rendered PDFs stay where the module's documents were made."""
    settings.MEDIA_ROOT = demo.media


@dataclass
class Demo:
    output: str
    links: list
    media: object


def add_states():
    """What a user does next in the demo, through the services, so that the pages of those states are walked
    too: customers asked for their NPS, a new version of the matrix, an API key, a colleague invited, a
    party's question link, a payout batch still to pay. Returns the public links they make."""
    owner = User.objects.get(email="demo@partnerhub.nl")
    tinnitracks, stevig = (
        Organisation.objects.get(slug="tinnitracks"),
        Organisation.objects.get(slug="stevig"),
    )
    partner = stevig.partners.order_by("pk").first()
    nps.nps_request_link(partner=partner, actor=owner)
    nps.nps_answer(raw_token=nps.nps_request_link(partner=partner, actor=owner)[1], score=9)
    matrix_services.matrix_duplicate(matrix=tinnitracks.value_matrices.order_by("pk").first(), actor=owner)
    conversions.api_key_create(organisation=stevig, name="Webwinkel", actor=owner)
    # this month's batch, still to pay: the blogger's payout that is due
    payouts.payout_batch_create(organisation=stevig, month=timezone.localdate().replace(day=1), actor=owner)
    _invitation, invitation_token = account_services.member_invite(
        organisation=tinnitracks, email="nieuw@partnerhub.nl", role=Role.VIEWER, invited_by=owner
    )
    party = Party.objects.filter(agreement__organisation=tinnitracks).order_by("pk").first()
    _sheet, sheet_token = sheets.sheet_issue_link(party=party, actor=owner)
    return [f"/accounts/invitation/{invitation_token}/", f"/q/{sheet_token}/"]


def issue_public_links(printed):
    """A fresh link for one row of each token kind in each state (usable, revoked, expired, done): the demo
    keeps only token hashes, so the links are issued again the way the services issue them. Rows whose link
    the demo printed keep it."""
    printed_hashes = {token_hash(part) for link in printed for part in link.split("/") if part}
    links = []
    for model, page in PUBLIC_PAGES.items():
        by_state = {}
        for row in model.objects.exclude(token_hash__in=printed_hashes).order_by("pk"):
            done = tuple(bool(getattr(row, name, None)) for name in DONE_FIELDS)
            by_state.setdefault((row.refusal(), done), row)
        for row in by_state.values():
            raw = row.issue_token()
            row.save()
            links.append(page.format(raw))
    return links


def printed_links(output):
    """The same-site links the demo command prints."""
    urls = re.findall(r"https?://[^\s“”]+", output)
    return [link for link in (same_site(url, "http://testserver/") for url in urls) if link]


def report(crawl):
    return f"{len(crawl.failures)} failing requests of {crawl.pages}:\n" + "\n".join(map(str, crawl.failures))


def client_in(language):
    client = Client()
    client.cookies[project_settings.LANGUAGE_COOKIE_NAME] = language
    return client


# Each role in one of the two languages, so that both translations of every page are rendered.
@pytest.mark.parametrize(
    ("email", "language"), [("demo@partnerhub.nl", "nl"), ("collega@partnerhub.nl", "en")]
)
def test_every_page_of_the_demo_answers_for_each_role(demo, email, language):
    client = client_in(language)
    client.force_login(User.objects.get(email=email), backend="django.contrib.auth.backends.ModelBackend")
    start = ["/", "/o/tinnitracks/", "/o/stevig/", "/o/stevig/programme/", *printed_links(demo.output)]
    crawl = crawl_from(client, start)
    assert not crawl.failures, report(crawl)
    assert f'<html lang="{language}"' in client.get("/o/stevig/").content.decode()
    assert crawl.pages > 100  # it really walked the demo, both organisations
    assert any(url.startswith("/o/tinnitracks/partners/") for url in crawl.seen)
    assert any(url.startswith("/o/stevig/programme/") for url in crawl.seen)


@pytest.mark.parametrize("language", ["nl", "en"])
def test_every_public_link_of_the_demo_answers(demo, language):
    start = [*printed_links(demo.output), *demo.links]
    crawl = crawl_from(client_in(language), start)
    assert not crawl.failures, report(crawl)
    kinds = {"/" + url.split("/")[1] + "/" for url in crawl.seen}
    assert {"/s/", "/q/", "/sign/", "/nps/", "/p/", "/accounts/"} <= kinds
