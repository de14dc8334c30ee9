"""A snapshot in the shape the templates print (the PDFs and the signing page read this, not live rows)."""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from agreements.models import VersionKind


def _parse_date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def _parse_share(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def present(data: dict[str, Any]) -> dict[str, Any]:
    """The snapshot in the shape the templates print: dates and percentages as values, each party's goals
    with the party, and per section whether anything was filled in."""
    parties: list[dict[str, Any]] = []
    for party in data["parties"]:
        item = dict(party)
        if "cost_share" in party:
            item["cost_share"] = _parse_share(party["cost_share"])
            item["revenue_share"] = _parse_share(party["revenue_share"])
        item["goals"] = []
        parties.append(item)
    by_id = {party["id"]: party for party in parties}
    shared_goals: list[dict[str, Any]] = []
    for goal in data["goals"]:
        item = {"text": goal["text"], "due_date": _parse_date(goal["due_date"])}
        owner = by_id.get(goal["party_id"])
        (owner["goals"] if owner else shared_goals).append(item)
    presented = {
        **data,
        "end_date": _parse_date(data["end_date"]),
        "parties": parties,
        "shared_goals": shared_goals,
        "has_goals": bool(data["goals"]),
        "lead": next((party for party in parties if party["lead"]), None),
        "has_contributions": any(party["contribution"] for party in parties),
    }
    if data["kind"] == VersionKind.AGREEMENT:
        presented["sections"] = [_present_section(section, presented) for section in data["sections"]]
        presented["cost_total"] = _total(party.get("cost_share") for party in parties)
        presented["revenue_total"] = _total(party.get("revenue_share") for party in parties)
    return presented


def _total(values: Iterable[Decimal | None]) -> Decimal | None:
    values = list(values)
    known = [value for value in values if value is not None]
    return None if len(known) < len(values) else sum(known, Decimal("0"))


def _present_section(section: dict[str, Any], presented: dict[str, Any]) -> dict[str, Any]:
    key = section["key"]
    texts = [text for text in section["texts"] if text["text"]]
    parties = presented["parties"]
    filled = {
        "goals": presented["has_goals"],
        "contributions": presented["has_contributions"],
        "split": bool(texts) or any(party["cost_share"] is not None for party in parties),
        "obligations": any(party["effort_obligations"] or party["result_obligations"] for party in parties),
        "risks": bool(presented["risks"]),
        "roles": bool(texts) or presented["lead"] is not None,
    }.get(key, bool(texts))
    return {**section, "filled": filled, "filled_texts": texts}
