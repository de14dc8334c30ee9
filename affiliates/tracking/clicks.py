"""Affiliate links and clicks: where `/r/<code>` may lead, and what a click costs (in the common case no
round trip to the database at all).

Rules enforced here:

- A landing page is only ever one of the organisation's allowed landing pages
  (`ProgrammeSettings.landing_urls`, each a URL prefix, and `home_url`): the scheme and host must match
  exactly and the path must start with the prefix on a segment boundary. Anything else (other hosts, user
  info, backslashes, control characters, non-ASCII hosts, dot segments, encoded slashes) is refused and the
  visitor goes to the default landing page.
- The visitor's IP address is never stored: a click keeps an HMAC of IP and user agent (`source_hash`), keyed
  with a salt derived from SECRET_KEY.
- Clicks from one source within the same `DEDUP_SECONDS` bucket count once: the click id is derived from
  (affiliate, source, bucket), and a unique constraint drops the duplicate insert; the duplicate gets the
  same click id.
- A link's lookup (one indexed query) is remembered by the process for AFFILIATE_LINK_MEMORY_SECONDS
  (`link_for_code`), and its click is handed to the process's buffer, written within a second in one insert
  with the other clicks of that second (`buffer.py`). So the redirect of a link followed often answers
  without waiting for the database.
- A visitor always lands, also when the database is away: every successful lookup remembers the link's
  landing rules in a cache (`LINK_CACHE`, else the default cache); without the database the remembered rules
  give the landing page (else the installation's fallback) and the click that could not be stored is
  logged on `affiliates.missed_clicks` with everything needed to replay it.
"""

import datetime
import functools
import hashlib
import hmac
import json
import logging
import re
import string
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import SplitResult, parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.db import Error as DatabaseFault  # DatabaseError and InterfaceError alike
from django.db import InterfaceError, OperationalError, connections, router
from django.urls import reverse
from django.utils import timezone

from affiliates.models import Affiliate
from affiliates.tracking.buffer import UTM_FIELDS, HeldClick, clicks_held, clicks_insert

DEDUP_SECONDS = 10
CLICK_PARAM = "ph_click"
LANDING_MAX = 2000
# Link previewers and crawlers follow links without a person behind them: they are redirected, not counted.
BOT_AGENT = re.compile(
    r"bot\b|crawl|spider|slurp|facebookexternalhit|embedly|preview|whatsapp|curl/|wget/|python-requests",
    re.IGNORECASE,
)
# Printable ASCII without space, backslash, quotes and angle brackets: what a landing URL may contain.
_URL_CHARS = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")
CODE = re.compile(r"^[a-z0-9][a-z0-9-]{2,39}$")

# A link's cached landing rules: (affiliate active, has a programme, home page, landing pages).
RememberedRules = tuple[bool, bool, str, str]

logger = logging.getLogger(__name__)
missed_clicks = logging.getLogger("affiliates.missed_clicks")
# The cache alias that remembers each link's landing rules for when the database is away (the default cache
# when the installation configures none by this name), how long a remembered link is kept, and how often one
# process writes an unchanged link again (so a click costs no cache write, only a change or a refresh does).
LINK_CACHE = "affiliate_links"
LINK_REMEMBER_SECONDS = 60 * 60 * 24 * 30
LINK_REFRESH_SECONDS = 60 * 60


@dataclass(frozen=True)
class Origin:
    scheme: str
    netloc: str
    path: str

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.netloc}{self.path}"


def _split(url: str | None) -> tuple[str, str, str, str, str] | None:
    """(scheme, netloc, path, query, fragment) of a strictly well-formed absolute http(s) URL, or None."""
    if not url or len(url) > LANDING_MAX or not set(url) <= _URL_CHARS:
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    if "@" in parts.netloc or "%" in parts.netloc or parts.username is not None:
        return None
    if not url.lower().startswith(f"{parts.scheme.lower()}://"):
        return None
    netloc = parts.hostname.lower() + (f":{port}" if port is not None else "")
    path = parts.path or "/"
    decoded = unquote(path)
    if "\\" in decoded or "//" in decoded or any(ord(ch) < 33 or ord(ch) == 127 for ch in decoded):
        return None
    segments = decoded.split("/")
    if any(segment in (".", "..") for segment in segments):
        return None
    return parts.scheme.lower(), netloc, path, parts.query, parts.fragment


class LandingRules(Protocol):
    """What the landing check reads of a programme: `ProgrammeSettings`, or the `LinkRules` of a link."""

    @property
    def home_url(self) -> str: ...

    @property
    def landing_url_list(self) -> list[str]: ...


def allowed_origins(programme: LandingRules | None) -> list[Origin]:
    """The allowed landing prefixes of a programme (home page first), as parsed `Origin`s."""
    if programme is None:
        return []
    return list(_origins(programme.home_url or "", tuple(programme.landing_url_list)))


@functools.lru_cache(maxsize=512)
def _origins(home_url: str, landing_urls: tuple[str, ...]) -> tuple[Origin, ...]:
    origins: list[Origin] = []
    for url in [home_url, *landing_urls]:
        parts = _split(url.strip()) if url else None
        if parts is not None and Origin(*parts[:3]) not in origins:
            origins.append(Origin(*parts[:3]))
    return tuple(origins)


def _under(path: str, prefix: str) -> bool:
    """Whether `path` is `prefix` or below it, on a segment boundary (/acties: /acties/x, not /actiesx)."""
    if path == prefix or prefix == "/":
        return True
    if prefix.endswith("/"):
        return path.startswith(prefix)
    return path.startswith(prefix + "/")


def landing_check(programme: LandingRules | None, requested: str | None) -> str | None:
    """The landing URL for a requested `?to=` value (a path or a full URL), or None when it is not allowed.

    A path (starting with a single "/") is taken on the default landing page's host.
    """
    origins = allowed_origins(programme)
    if not origins or not requested:
        return None
    if requested.startswith("/") and not requested.startswith("//"):
        default = origins[0]
        requested = f"{default.scheme}://{default.netloc}{requested}"
    parts = _split(requested)
    if parts is None:
        return None
    scheme, netloc, path, query, fragment = parts
    for origin in origins:
        if origin.scheme == scheme and origin.netloc == netloc and _under(path, origin.path):
            return urlunsplit((scheme, netloc, path, query, fragment))
    return None


def landing_default(programme: LandingRules | None) -> str:
    """Where a link without (or with a refused) landing page leads: the home page, else the first allowed
    landing page, else the fallback of the installation."""
    origins = allowed_origins(programme)
    if origins:
        first = origins[0]
        return urlunsplit((first.scheme, first.netloc, first.path, "", ""))
    return fallback_url()


def fallback_url() -> str:
    """Where an unknown code leads: AFFILIATE_FALLBACK_URL, else PartnerHub's neutral page for it (/r/)."""
    return getattr(settings, "AFFILIATE_FALLBACK_URL", "") or reverse("affiliate_link_unknown")


def landing_resolve(programme: LandingRules | None, requested: str | None) -> str:
    """The allowed landing page for `?to=`; the default landing page for anything refused."""
    if isinstance(programme, LinkRules):  # a link's rules do not change: the answer is remembered
        return _landing_resolved(programme, requested)
    return landing_check(programme, requested) or landing_default(programme)


@functools.lru_cache(maxsize=4096)
def _landing_resolved(rules: "LinkRules", requested: str | None) -> str:
    return landing_check(rules, requested) or landing_default(rules)


def example_link(url: str) -> str:
    """The link to a specific page with campaign tags, as an example for the affiliate."""
    return f"{url}?to=/&utm_source=blog&utm_medium=affiliate&utm_campaign=voorjaar"


def utm_from(query: Mapping[str, str]) -> dict[str, str]:
    """The UTM parameters of a query (a dict-like), cleaned: printable, at most 100 characters each."""
    utm = {}
    for name in UTM_FIELDS:
        value = query.get(name, "")
        value = "".join(ch for ch in value if ch.isprintable())[:100].strip()
        if value:
            utm[name] = value
    return utm


def landing_with(landing: str, *, utm: Mapping[str, str], click_id: str = "") -> str:
    """The landing URL with the UTM parameters and `ph_click` added (replacing any of the same name)."""
    if click_id and click_id.isalnum():  # a click id needs no quoting: put it into the remembered URL
        before, after = _landing_around_click(landing, tuple(utm.items()))
        if before:
            return before + click_id + after
    ours = dict(utm)
    if click_id:
        ours[CLICK_PARAM] = click_id
    if not ours:
        return landing
    parts, query = _landing_parts(landing)
    kept = [(k, v) for k, v in query if k not in ours]
    return urlunsplit(parts._replace(query=urlencode(kept + list(ours.items()))))


_CLICK_PLACE = "0phclick0place0"


@functools.lru_cache(maxsize=4096)
def _landing_around_click(landing: str, utm: tuple[tuple[str, str], ...]) -> tuple[str, str]:
    """The landing URL with its UTM parameters, as the text before and after the click id (`landing_with`
    of a placeholder, split around it); ("", "") when the placeholder is not there exactly once."""
    url = landing_with(landing, utm=dict(utm), click_id=_CLICK_PLACE + "_")  # not alnum: the long way
    placed = f"{CLICK_PARAM}={_CLICK_PLACE}_"
    if url.count(placed) != 1:
        return "", ""
    before, after = url.split(placed)
    return before + f"{CLICK_PARAM}=", after


@functools.lru_cache(maxsize=4096)
def _landing_parts(landing: str) -> "tuple[SplitResult, tuple[tuple[str, str], ...]]":
    parts = urlsplit(landing)
    return parts, tuple(parse_qsl(parts.query, keep_blank_values=True))


@functools.lru_cache(maxsize=8)
def _hmac_key(key_salt: str, secret: str) -> bytes:
    return hashlib.sha256(key_salt.encode() + secret.encode()).digest()


def _salted_hmac(key_salt: str, value: str) -> str:
    """`salted_hmac(key_salt, value, algorithm="sha256").hexdigest()`, with its key derived once per secret
    (the redirect computes two per click)."""
    key = _hmac_key(key_salt, settings.SECRET_KEY)
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def source_hash(ip: str, user_agent: str) -> str:
    """A salted HMAC of the visitor's address and browser: tells sources apart, keeps no IP."""
    return _salted_hmac("affiliates.click.source", f"{ip}\n{user_agent}")


def dedup_bucket(moment: datetime.datetime) -> int:
    return int(moment.timestamp()) // DEDUP_SECONDS


def click_id_for(affiliate_id: int, source: str, bucket: int) -> str:
    """Deterministic: a repeated click of one source in one bucket gets the same id (and is one row)."""
    return _salted_hmac("affiliates.click.id", f"{affiliate_id}:{source}:{bucket}")[:32]


def is_bot(user_agent: str | None) -> bool:
    return not user_agent or bool(BOT_AGENT.search(user_agent))


@dataclass(frozen=True)
class LinkRules:
    """The two programme settings a redirect needs (duck-types `ProgrammeSettings` for the landing check)."""

    home_url: str
    landing_urls: str

    @property
    def landing_url_list(self) -> list[str]:
        return [line.strip() for line in self.landing_urls.splitlines() if line.strip()]


@dataclass(frozen=True)
class Link:
    """What the redirect knows of an affiliate link after its one query."""

    pk: int | None  # None for a link remembered in the cache: only its landing rules are known
    organisation_id: int | None
    is_active: bool
    programme: LinkRules | None


LINK_COLUMNS = (
    "pk",
    "organisation_id",
    "is_active",
    "organisation__programme_settings__pk",
    "organisation__programme_settings__home_url",
    "organisation__programme_settings__landing_urls",
)


# The redirect is the hot path of the programme: its lookup is compiled by the ORM once per database and then
# executed with a new code, and its result is remembered by the process for a moment (`link_for_code`).


@functools.cache
def _lookup_sql(alias: str) -> str:
    query = Affiliate.objects.filter(code="-").order_by().values_list(*LINK_COLUMNS)[:1].query
    sql, params = query.get_compiler(alias).as_sql()
    assert params == ("-",), params
    return sql


def affiliate_for_code(code: str | None) -> Link | None:
    """The `Link` of a link code, with the organisation's landing rules: one indexed query (the unique code;
    only the columns the redirect needs, no model instances).

    None for a code that cannot exist (no query) or is unknown."""
    code = (code or "").lower()
    if not CODE.match(code):
        return None
    alias = router.db_for_read(Affiliate)
    with connections[alias].cursor() as cursor:
        cursor.execute(_lookup_sql(alias), [code])
        row = cursor.fetchone()
    if row is None:
        return None
    pk, organisation_id, is_active, settings_pk, home_url, landing_urls = row
    rules = LinkRules(home_url or "", landing_urls or "") if settings_pk is not None else None
    return Link(pk, organisation_id, bool(is_active), rules)


# What this process looked up per code (a `Link`, or None for an unknown code) and until when it trusts that.
_links: dict[str, tuple[Link | None, float]] = {}
LINKS_KNOWN_MAX = 50_000


def link_for_code(code: str | None) -> Link | None:
    """`affiliate_for_code`, remembered by this process for AFFILIATE_LINK_MEMORY_SECONDS: a link that is
    followed often costs one lookup per process and moment, not one per click. A change to an affiliate or
    to the programme's landing pages forgets everything in the process that made it (`links_forget`); other
    processes follow the change within those seconds."""
    code = (code or "").lower()
    if not CODE.match(code):
        return None
    now = time.monotonic()
    known = _links.get(code)
    if known is not None and now < known[1]:
        return known[0]
    link = affiliate_for_code(code)
    seconds = settings.AFFILIATE_LINK_MEMORY_SECONDS
    if seconds > 0:
        if len(_links) >= LINKS_KNOWN_MAX:
            _links.clear()
        _links[code] = (link, now + seconds)
    return link


def link_known(code: str | None) -> bool:
    """Whether this process still trusts what it looked up for `code` (so it need not ask the database)."""
    known = _links.get((code or "").lower())
    return known is not None and time.monotonic() < known[1]


def links_forget(**_signal: Any) -> None:
    """Forget every looked-up link of this process (connected to the saves and deletions of affiliates and
    programme settings, see `AffiliatesConfig.ready`)."""
    _links.clear()


def click_build(
    *,
    affiliate: Affiliate | Link,
    ip: str,
    user_agent: str,
    landing: str,
    utm: Mapping[str, str],
    now: datetime.datetime | None = None,
) -> HeldClick:
    """The click of one visit, not yet stored: its id is the same for a repeat of one source within the
    de-duplication bucket. `affiliate`: an `Affiliate` or a `Link` looked up in the database."""
    organisation_id = affiliate.organisation_id
    if affiliate.pk is None or organisation_id is None:  # a remembered link: its click is logged instead
        raise ValueError("A click is recorded on a link looked up in the database.")
    now = now or timezone.now()
    source = source_hash(ip, user_agent)
    bucket = dedup_bucket(now)
    return HeldClick(
        organisation_id=organisation_id,
        affiliate_id=affiliate.pk,
        click_id=click_id_for(affiliate.pk, source, bucket),
        created_at=now,
        landing=landing[:500],
        utm_source=utm.get("utm_source", ""),
        utm_medium=utm.get("utm_medium", ""),
        utm_campaign=utm.get("utm_campaign", ""),
        utm_term=utm.get("utm_term", ""),
        utm_content=utm.get("utm_content", ""),
        source_hash=source,
        user_agent=user_agent[:300],
        dedup_bucket=bucket,
    )


def click_record(
    *,
    affiliate: Affiliate | Link,
    ip: str,
    user_agent: str,
    landing: str,
    utm: Mapping[str, str],
    now: datetime.datetime | None = None,
) -> str:
    """Record one click now (one `INSERT … ON CONFLICT DO NOTHING`: a repeat of one source within the bucket
    is dropped by the database) and return its click id, the same for the repeat."""
    click = click_build(affiliate=affiliate, ip=ip, user_agent=user_agent, landing=landing, utm=utm, now=now)
    clicks_insert([click])
    return click.click_id


def click_hand_over(click: HeldClick) -> str:
    """Store a click of `/r/<code>`: held by the process and written within a second (`buffer`), or, with
    AFFILIATE_CLICK_WRITE_SECONDS = 0, inserted at once. Its click id."""
    if settings.AFFILIATE_CLICK_WRITE_SECONDS > 0:
        clicks_held.add(click)
    else:
        clicks_insert([click])
    return click.click_id


@dataclass(frozen=True)
class Redirect:
    url: str
    click_id: str = ""


def follow_link(
    *,
    code: str,
    requested_landing: str,
    query: Mapping[str, str],
    ip: str,
    user_agent: str,
    in_frame: bool = False,
    record: bool = True,
) -> Redirect:
    """Everything `/r/<code>` does: where to send the visitor, and the click recorded on the way.

    Unknown code → the installation's fallback; inactive affiliate → its organisation's default landing page;
    neither records a click. A visit from inside a frame, by a bot, or with `record=False` (HEAD) is
    redirected without a click and without `ph_click`. Without the database the visitor goes where the link's
    remembered rules lead (see `follow_remembered_link`); a click that cannot be stored is logged instead.
    After the database was unavailable this process leaves it alone for a moment
    (settings.AFFILIATE_DATABASE_PAUSE_SECONDS), so that during an outage a visitor does not wait for the
    connect timeout on every click; a link this process looked up a moment ago still records its click (in
    the buffer, written when the database is back).
    """
    counted = record and not in_frame and not is_bot(user_agent)

    def without_database(error: Exception | str) -> Redirect:
        return follow_remembered_link(
            code=code,
            requested_landing=requested_landing,
            query=query,
            ip=ip,
            user_agent=user_agent,
            counted=counted,
            error=error,
        )

    if time.monotonic() < _database_paused_until and not link_known(code):
        return without_database("database left alone for a moment after it was unavailable")
    try:
        affiliate = link_for_code(code)
    except DatabaseFault as error:
        database_pause(error)
        return without_database(error)
    if affiliate is None:
        return Redirect(fallback_url())
    link_remember(code, affiliate)
    programme = affiliate.programme
    if not affiliate.is_active:
        return Redirect(landing_default(programme))
    landing = landing_resolve(programme, requested_landing)
    utm = utm_from(query)
    click_id = ""
    if counted:
        click = click_build(affiliate=affiliate, ip=ip, user_agent=user_agent, landing=landing, utm=utm)
        try:
            click_id = click_hand_over(click)
        except DatabaseFault as error:
            database_pause(error)
            click_missed(code=code, landing=landing, utm=utm, ip=ip, user_agent=user_agent, error=error)
    return Redirect(landing_with(landing, utm=utm, click_id=click_id), click_id)


_database_paused_until = 0.0


def database_pause(error: Exception) -> None:
    """Leave the database alone for a moment when it is unavailable (not for other database errors)."""
    global _database_paused_until
    if isinstance(error, OperationalError | InterfaceError):
        _database_paused_until = time.monotonic() + settings.AFFILIATE_DATABASE_PAUSE_SECONDS


def follow_remembered_link(
    *,
    code: str,
    requested_landing: str,
    query: Mapping[str, str],
    ip: str,
    user_agent: str,
    counted: bool,
    error: Exception | str,
) -> Redirect:
    """Where `/r/<code>` leads while the database is away: by the link's last known rules (the requested
    page when they allow it, else the organisation's default landing page), else the installation's
    fallback. No click id (no click is stored); a click that would have counted is logged for a replay."""
    remembered = link_remembered(code)
    if remembered is not None and not remembered.is_active:
        return Redirect(landing_default(remembered.programme))
    if remembered is None:
        landing, utm = fallback_url(), {}
    else:
        landing, utm = landing_resolve(remembered.programme, requested_landing), utm_from(query)
    if counted:
        click_missed(code=code, landing=landing, utm=utm, ip=ip, user_agent=user_agent, error=error)
    else:
        logger.warning("Affiliate link %r followed without the database: %s", code, error)
    return Redirect(landing_with(landing, utm=utm))


def click_missed(
    *,
    code: str,
    landing: str,
    utm: Mapping[str, str],
    ip: str,
    user_agent: str,
    error: Exception | str,
    now: datetime.datetime | None = None,
) -> None:
    """Log a click the database could not take, as one line of JSON: the link code, the moment, the landing
    page, the UTM parameters, the source hash and browser (never the address) and the error, so it can be
    replayed."""
    now = now or timezone.now()
    click = {
        "code": (code or "")[:100],
        "at": now.isoformat(),
        "landing": landing[:500],
        "utm": utm,
        "source_hash": source_hash(ip, user_agent),
        "dedup_bucket": dedup_bucket(now),
        "user_agent": user_agent[:300],
        "error": " ".join(str(error).split())[:300],
    }
    missed_clicks.warning("Click not recorded: %s", json.dumps(click, sort_keys=True))


# What this process last wrote to the link cache per code, and when: a click writes to the cache only when the
# link's rules changed or the entry is due for a refresh.
_written: dict[str, tuple[RememberedRules, float]] = {}


def _link_cache() -> BaseCache:
    return caches[LINK_CACHE if LINK_CACHE in settings.CACHES else "default"]


def _link_key(code: str) -> str:
    return f"affiliates:link:{code.lower()}"


def link_remember(code: str, link: Link) -> None:
    """Remember the landing rules of a link that was just looked up, for when the database is away."""
    rules = link.programme
    value: RememberedRules = (
        link.is_active,
        rules is not None,
        rules.home_url if rules else "",
        rules.landing_urls if rules else "",
    )
    code = code.lower()
    written = _written.get(code)
    now = time.monotonic()
    if written is not None and written[0] == value and now - written[1] < LINK_REFRESH_SECONDS:
        return
    try:
        _link_cache().set(_link_key(code), value, LINK_REMEMBER_SECONDS)
    except Exception as error:  # a cache that is away must not cost the visitor the redirect
        logger.warning("Affiliate link %r not remembered: %s", code, error)
        return
    if len(_written) > 100_000:
        _written.clear()
    _written[code] = (value, now)


def link_remembered(code: str) -> Link | None:
    """The last known `Link` of a code (pk and organisation unknown), or None."""
    if not CODE.match((code or "").lower()):
        return None
    try:
        value = _link_cache().get(_link_key(code))
    except Exception as error:
        logger.warning("Remembered affiliate link %r not readable: %s", code, error)
        return None
    if value is None:
        return None
    is_active, has_programme, home_url, landing_urls = value
    return Link(None, None, is_active, LinkRules(home_url, landing_urls) if has_programme else None)
