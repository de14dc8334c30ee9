"""What a version freezes: the snapshot of the letter of intent or the agreement, and its sha256.

The snapshot is a JSON object built from the saved rows (title, form, parties, goals, risks, every section's
texts; for the letter of intent the subset of seed 003, 3.3). Its identity is the sha256 of the canonical
JSON (sorted keys, compact separators, UTF-8), so the same content always has the same hash and any change
gives another.

Labels inside a snapshot (section titles, the legal form) are written in the contract's language, the site's
default, whoever makes the version: the hash must not depend on the language of the person who clicked.
"""

import datetime
import hashlib
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypedDict

from django.conf import settings
from django.db import models
from django.utils import translation

from agreements.legal_forms import LEGAL_FORMS_BY_CODE
from agreements.models import (
    Agreement,
    AgreementVersion,
    Goal,
    Kind,
    Level,
    Party,
    QuestionConclusion,
    Risk,
    VersionKind,
)
from agreements.questions.texts import TEN_QUESTIONS
from agreements.sections import SECTIONS
from partnerhub.models import Organisation

SNAPSHOT_FORMAT = 1

# Sections of the builder that are kept in their own rows rather than as texts (see agreements/sections.py).
ROW_SECTIONS = {"goals", "contributions", "split", "obligations", "risks"}

# A snapshot (and each of its parts) is plain JSON.
Snapshot = dict[str, Any]


class SavedRows(TypedDict):
    """What `saved_rows` loads: the agreement's rows a snapshot is made of."""

    parties: list[Party]
    goals: list[Goal]
    risks: list[Risk]
    sections: dict[str, dict[str, Any]]  # {key: Section.content}
    conclusions: dict[str, str]  # {code: text}


def canonical_json(data: Snapshot) -> bytes:
    """The one byte form of a snapshot that its hash is taken of."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def snapshot_hash(data: Snapshot) -> str:
    return hashlib.sha256(canonical_json(data)).hexdigest()


def _date(value: datetime.date | None) -> str | None:
    return value.isoformat() if value else None


def _share(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(Decimal("0.01")))


def _party(party: Party, organisation: Organisation, *, full: bool) -> Snapshot:
    partner, contact = party.partner, party.contact
    item = {
        "id": party.pk,
        "name": partner.name if partner else organisation.name,
        "own": partner is None,
        "kvk_number": partner.kvk_number if partner else "",
        "location": "" if partner else organisation.location,
        "contact": {"name": contact.name, "job_title": contact.job_title} if contact and partner else None,
        "lead": party.is_lead,
        "contribution": party.contribution,
    }
    if full:
        item |= {
            "cost_share": _share(party.cost_share),
            "revenue_share": _share(party.revenue_share),
            "effort_obligations": party.effort_obligations,
            "result_obligations": party.result_obligations,
        }
    return item


def _goals(goals: Iterable[Goal], positions: dict[int | None, int]) -> list[Snapshot]:
    goals = sorted(
        goals,
        key=lambda goal: (goal.party_id is not None, positions.get(goal.party_id, 0), goal.position, goal.pk),
    )
    return [
        {"party_id": goal.party_id, "text": goal.text, "due_date": _date(goal.due_date)} for goal in goals
    ]


def _choice(choices: type[models.TextChoices], code: str) -> Snapshot | None:
    return {"code": code, "label": str(choices(code).label)} if code in choices.values else None


def _conclusions(texts: dict[str, str], language: str) -> list[Snapshot]:
    return [
        {
            "code": code,
            "number": number,
            "question": text_nl if language == "nl" else text_en,
            "text": texts[code],
        }
        for number, (code, text_nl, text_en, *_help) in enumerate(TEN_QUESTIONS, start=1)
        if texts.get(code)
    ]


def saved_rows(agreement: Agreement) -> SavedRows:
    """The rows a snapshot is made of, loaded once (five queries) so that both documents can share them."""
    return {
        "parties": list(agreement.parties.select_related("partner", "contact").order_by("position", "pk")),
        "goals": list(agreement.goals.all()),
        "risks": list(agreement.risks.order_by("position", "pk")),
        "sections": {section.key: section.content for section in agreement.sections.all()},
        "conclusions": {
            conclusion.code: conclusion.text.strip()
            for conclusion in QuestionConclusion.objects.filter(agreement=agreement)
        },
    }


def snapshot(agreement: Agreement, kind: str, rows: SavedRows | None = None) -> Snapshot:
    """Everything the document of `kind` says, from the saved rows (`saved_rows`, loaded here when not
    given), as plain JSON values.

    The agreement's status and the sections' "complete" marks are not part of it: they say where the work
    stands, not what was agreed.
    """
    if kind not in VersionKind.values:
        raise ValueError(f"Unknown document kind {kind!r}.")
    rows = rows or saved_rows(agreement)
    organisation = agreement.organisation
    language = settings.LANGUAGE_CODE
    full = kind == VersionKind.AGREEMENT
    with translation.override(language):
        parties = rows["parties"]
        legal_form = LEGAL_FORMS_BY_CODE.get(agreement.legal_form)
        data = {
            "format": SNAPSHOT_FORMAT,
            "kind": kind,
            "language": language,
            "organisation": organisation.name,
            "title": agreement.title,
            "level": _choice(Level, agreement.level),
            "form": _choice(Kind, agreement.kind),
            "end_date": _date(agreement.end_date),
            "legal_form": {"code": legal_form.code, "label": str(legal_form.name)} if legal_form else None,
            "parties": [_party(party, organisation, full=full) for party in parties],
            "goals": _goals(rows["goals"], {party.pk: party.position for party in parties}),
            "risks": [
                {"description": risk.description, "mitigation": risk.mitigation} for risk in rows["risks"]
            ],
        }
        saved = rows["sections"]
        if full:
            data["sections"] = [
                {
                    "key": spec.key,
                    "title": str(spec.title),
                    "texts": [
                        {
                            "name": field.name,
                            "label": str(field.label),
                            "text": str(saved.get(spec.key, {}).get(field.name, "")).strip(),
                        }
                        for field in spec.fields
                    ],
                }
                for spec in SECTIONS
            ]
        else:
            data["roles"] = str(saved.get("roles", {}).get("roles", "")).strip()
            data["conclusions"] = _conclusions(rows["conclusions"], language)
    return data


def live_hash(agreement: Agreement, kind: str, rows: SavedRows | None = None) -> str:
    """The hash the document of `kind` would have if a version were made now."""
    return snapshot_hash(snapshot(agreement, kind, rows))


def version_intact(version: AgreementVersion) -> bool:
    """Whether the stored snapshot still has the hash it was made with."""
    return snapshot_hash(version.snapshot) == version.sha256
