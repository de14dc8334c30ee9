"""The clicks a web process holds for at most a moment, written to the database together.

`/r/<code>` is the one URL strangers hit in bulk. Writing each click before answering costs the visitor the
database's round trips (the connection's health check, the insert, its commit); here the redirect hands the
click to this process's buffer and answers, and a thread of the process writes everything buffered in one
batch every `settings.AFFILIATE_CLICK_WRITE_SECONDS` (half a second by default), on fixed ticks.

What holds:

- A click is in the database at the latest about a second after its redirect. A process that is stopped
  (SIGTERM, a worker replaced, the end of the interpreter) writes what it holds on its way out; one killed
  with SIGKILL loses at most the clicks of its last second.
- Nothing is counted twice: a click's id is derived from (affiliate, source, 10-second bucket), so a repeat
  in the buffer replaces nothing and a repeat already in the database is dropped by its unique constraint.
- While the database is away the clicks stay buffered and the writer tries again each interval; beyond
  `settings.AFFILIATE_CLICK_BUFFER_MAX` clicks, and for what a process still holds when it ends without a
  database, each click is logged on `affiliates.missed_clicks` as one line of JSON with everything needed
  to store it later (the row's own fields).
- With `AFFILIATE_CLICK_WRITE_SECONDS = 0` there is no buffer: each click is inserted before the redirect
  answers (`clicks.click_record`), as the in-process tests run.
"""

import atexit
import datetime
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Sequence
from typing import NamedTuple

from django.conf import settings
from django.db import Error as DatabaseFault
from django.db import connections, models, router, transaction
from django.db.models.constants import OnConflict
from django.db.models.sql import InsertQuery
from django.utils import timezone

from affiliates.models import Click

# How many rows the writer sends at once (about a millisecond of the interpreter's time).
ROWS_PER_PIECE = 50
# A burst of clicks is written before the interval is over once this many are held.
WRITE_EARLY_AT = 5000
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
logger = logging.getLogger(__name__)
missed_clicks = logging.getLogger("affiliates.missed_clicks")


class HeldClick(NamedTuple):
    """A click not yet stored: the values of its row (every column of `Click` but the id), cheap to make on
    the redirect's way (no model instance)."""

    organisation_id: int
    affiliate_id: int
    click_id: str
    created_at: datetime.datetime
    landing: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    source_hash: str
    user_agent: str
    dedup_bucket: int


@functools.cache
def _insert_sql(alias: str) -> str:
    """The `INSERT … ON CONFLICT DO NOTHING` of one click row, compiled by the ORM once per database."""
    columns = {field.attname: field for field in Click._meta.concrete_fields}
    fields = [columns[name] for name in HeldClick._fields]
    plain = (models.CharField, models.BigIntegerField, models.ForeignKey, models.DateTimeField)
    assert all(type(field) in plain for field in fields), "a click column that needs preparing"
    query = InsertQuery(Click, on_conflict=OnConflict.IGNORE)
    query.insert_values(fields, [Click(created_at=timezone.now(), dedup_bucket=0)])
    [(sql, _params)] = query.get_compiler(alias).as_sql()
    return sql


def clicks_insert(rows: Sequence[HeldClick]) -> None:
    """Insert click rows; a click id (or source and bucket) already stored is dropped by the database.

    One row: one `INSERT … ON CONFLICT DO NOTHING`. A batch, in one transaction: on PostgreSQL copied into a
    temporary table and inserted from there (COPY costs the process about a seventh of the time of one insert
    per row, and the writer shares the interpreter with the requests); elsewhere the insert executed for each
    row. The values go to the driver as they are: ints and strings need no preparing, and the moment is
    adapted by the backend (a string on SQLite, the datetime itself on PostgreSQL); `_insert_sql` checks
    that the fields are these plain ones."""
    if not rows:
        return
    alias = router.db_for_write(Click)
    connection = connections[alias]
    sql = _insert_sql(alias)
    adapt = connection.ops.adapt_datetimefield_value
    moment = HeldClick._fields.index("created_at")
    params = [(*row[:moment], adapt(row.created_at), *row[moment + 1 :]) for row in rows]
    if len(params) == 1:
        with connection.cursor() as cursor:
            cursor.execute(sql, params[0])
        return
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            create, copy_in, insert = _copy_sql(alias)
            cursor.execute(create)
            with cursor.cursor.copy(copy_in) as copy:
                for row in params:
                    copy.write_row(row)
            cursor.execute(insert)
            return
        # In small pieces: each ends waiting for the database, which lets the request thread have the
        # interpreter within a millisecond, not after the writer's whole batch.
        for start in range(0, len(params), ROWS_PER_PIECE):
            cursor.executemany(sql, params[start : start + ROWS_PER_PIECE])


@functools.cache
def _copy_sql(alias: str) -> tuple[str, str, str]:
    """PostgreSQL: the temporary table of a batch (emptied by each commit), its COPY, and the insert from it.
    Built from the model's own (quoted) names only."""
    quote = connections[alias].ops.quote_name
    names = {field.attname: str(field.column) for field in Click._meta.concrete_fields}
    columns = ", ".join(quote(names[name]) for name in HeldClick._fields)
    table = quote(Click._meta.db_table)
    return (
        "CREATE TEMPORARY TABLE IF NOT EXISTS held_clicks ON COMMIT DELETE ROWS AS "  # noqa: S608 (our names)
        f"SELECT {columns} FROM {table} WITH NO DATA",
        f"COPY held_clicks ({columns}) FROM STDIN",
        f"INSERT INTO {table} ({columns}) SELECT {columns} FROM held_clicks ON CONFLICT DO NOTHING",  # noqa: S608
    )


class ClickBuffer:
    """The clicks of one process not yet written, by click id, and the thread that writes them."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, HeldClick] = {}
        self._wake = threading.Event()
        self._owner_pid: int | None = None  # the process whose thread writes (a forked child starts its own)

    def add(self, click: HeldClick) -> None:
        """Hold `click` until the writer thread's next write (started with the process's first click)."""
        with self._lock:
            self._pending.setdefault(click.click_id, click)
            if self._owner_pid != os.getpid():
                self._start()
            if len(self._pending) >= WRITE_EARLY_AT:
                self._wake.set()

    def hold(self, click: HeldClick) -> None:
        """Hold `click` until `write()` (a repeat of a held click id changes nothing); no writer thread."""
        with self._lock:
            self._pending.setdefault(click.click_id, click)

    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def write(self) -> int:
        """Write every held click now, in this thread; the number of clicks taken from the buffer.

        When the database refuses, the clicks go back into the buffer for the next attempt (up to
        AFFILIATE_CLICK_BUFFER_MAX; the rest is logged as missed) and the error is raised."""
        with self._lock:
            batch, self._pending = list(self._pending.values()), {}
        if not batch:
            return 0
        try:
            clicks_insert(batch)  # one transaction: all of them, or none and all kept
        except DatabaseFault as error:
            connections[router.db_for_write(Click)].close()  # a broken connection is made anew next time
            self._keep(batch, error)
            raise
        return len(batch)

    def _keep(self, batch: list[HeldClick], error: Exception) -> None:
        with self._lock:
            room = max(0, settings.AFFILIATE_CLICK_BUFFER_MAX - len(self._pending))
            kept, dropped = batch[:room], batch[room:]
            for click in kept:
                self._pending.setdefault(click.click_id, click)
        for click in dropped:
            click_missed_row(click, error)

    def write_or_log(self) -> None:
        """The last write of a process: what cannot be written is logged as missed, not lost silently."""
        try:
            self.write()
        except DatabaseFault as error:
            with self._lock:
                batch, self._pending = list(self._pending.values()), {}
            for click in batch:
                click_missed_row(click, error)
        finally:
            connections.close_all()

    def _start(self) -> None:
        self._owner_pid = os.getpid()
        thread = threading.Thread(target=self._run, name="click-writer", daemon=True)
        thread.start()
        atexit.register(self.write_or_log)

    def _run(self) -> None:
        from affiliates.tracking.clicks import database_pause

        tick = time.monotonic()
        while True:
            # On fixed ticks, not an interval after the last write: a slow write makes no click wait longer.
            interval = settings.AFFILIATE_CLICK_WRITE_SECONDS
            tick = max(tick + interval, time.monotonic())
            self._wake.wait(max(0.0, tick - time.monotonic()))
            self._wake.clear()
            try:
                connections[router.db_for_write(Click)].close_if_unusable_or_obsolete()
                self.write()
            except DatabaseFault as error:
                database_pause(error)
                logger.warning("Clicks not written yet (%d held): %s", self.pending(), error)
            except Exception:  # the writer must outlive any single failure
                logger.exception("Click writer failed; it tries again")


def click_missed_row(click: HeldClick, error: Exception | str) -> None:
    """Log a buffered click the database did not take, as one line of JSON: its row, to be inserted later."""
    row = {
        "affiliate_id": click.affiliate_id,
        "organisation_id": click.organisation_id,
        "click_id": click.click_id,
        "at": click.created_at.isoformat(),
        "landing": click.landing,
        "utm": {name: getattr(click, name) for name in UTM_FIELDS},
        "source_hash": click.source_hash,
        "dedup_bucket": click.dedup_bucket,
        "user_agent": click.user_agent,
        "error": " ".join(str(error).split())[:300],
    }
    missed_clicks.warning("Click not recorded: %s", json.dumps(row, sort_keys=True))


clicks_held = ClickBuffer()
