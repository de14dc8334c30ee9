"""Deleting what others depend on: what a deletion takes along, and the one confirm-and-delete flow.

Every delete view asks `deletion_plan(obj)` what would be deleted with the object (CASCADE), what stays
but loses its link to it (SET_NULL and the like) and what refuses the deletion (PROTECT, RESTRICT). The
confirm page shows that; on POST the object is deleted only when nothing refuses. A `ProtectedError`
that still comes (something began to depend on the object after the page was drawn) becomes the same
clear page, never a server error.

The plan counts with subqueries, one query per kind of dependant, and loads no rows: an affiliate with
millions of clicks costs the same to plan as one with none.
"""

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import reduce
from operator import or_
from typing import cast

from django.contrib import messages
from django.db import models
from django.db.models.deletion import (
    CASCADE,
    DB_CASCADE,
    DO_NOTHING,
    PROTECT,
    RESTRICT,
    ProtectedError,
    RestrictedError,
    get_candidate_relations_to_delete,
)
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from partnerhub.models import Organisation

DELETES = frozenset({CASCADE, DB_CASCADE})
REFUSES = frozenset({PROTECT, RESTRICT})
IGNORES = frozenset({DO_NOTHING})


EXAMPLES = 3  # the refusing objects a confirm page names, per kind


@dataclass(frozen=True)
class Example:
    """Where a refusing object can be seen: itself, or the page it belongs to (a party's agreement)."""

    name: str
    url: str


@dataclass(frozen=True)
class Dependants:
    """How many objects of one kind a deletion touches (and, for the refusing ones, a few by name)."""

    model: type[models.Model]
    count: int
    examples: tuple[Example, ...] = ()

    @property
    def label(self) -> str | Promise | None:
        return capfirst(self.model._meta.verbose_name)


@dataclass(frozen=True)
class DeletionPlan:
    """What deleting `obj` does: `deleted` go with it, `unlinked` stay without the link, `blockers` refuse."""

    obj: models.Model
    deleted: list[Dependants] = field(default_factory=list)
    unlinked: list[Dependants] = field(default_factory=list)
    blockers: list[Dependants] = field(default_factory=list)
    refused: bool = False  # a deletion was tried and refused

    @property
    def blocked(self) -> bool:
        return self.refused or bool(self.blockers)

    def refused_by(self, error: Exception) -> "DeletionPlan":
        """This plan after `error` refused the deletion, with the objects the error names when the count
        missed them (something began to depend on the object after it was counted)."""
        blockers = self.blockers
        if not blockers:
            found: Iterable[models.Model] = (
                getattr(error, "protected_objects", None) or getattr(error, "restricted_objects", None) or ()
            )
            by_model = Counter(type(obj) for obj in found)
            blockers = [Dependants(model=model, count=count) for model, count in by_model.items()]
        return replace(self, blockers=blockers, refused=True)


def deletion_plan(obj: models.Model) -> DeletionPlan:
    """Walk the relations that point at `obj` as Django's delete would, counting instead of collecting."""
    conditions: dict[str, dict[type[models.Model], list[models.Q]]] = {
        "deleted": {},
        "unlinked": {},
        "blockers": {},
    }

    def walk(model: type[models.Model], rows: models.QuerySet, path: frozenset) -> None:
        # The stub says Field; Django yields the reverse relations (ForeignObjectRel) pointing at the model.
        relations = cast(Iterable[models.ForeignObjectRel], get_candidate_relations_to_delete(model._meta))
        for relation in relations:
            fk = relation.field
            on_delete = fk.remote_field.on_delete
            if on_delete in IGNORES:
                continue
            related_model = relation.related_model
            condition = models.Q(**{f"{fk.name}__in": rows.values(fk.target_field.attname)})
            kind = "deleted" if on_delete in DELETES else "blockers" if on_delete in REFUSES else "unlinked"
            conditions[kind].setdefault(related_model, []).append(condition)
            if kind == "deleted" and related_model not in path:
                walk(
                    related_model,
                    related_model._base_manager.filter(condition),
                    path | {related_model},
                )

    model = type(obj)
    walk(model, model._base_manager.filter(pk=obj.pk), frozenset({model}))

    def counted(kind: str) -> list[Dependants]:
        found = []
        for related_model, parts in conditions[kind].items():
            if related_model._meta.auto_created:  # a many-to-many link table: no thing of its own
                continue
            rows = related_model._base_manager.filter(reduce(or_, parts))
            count = rows.count()
            if count:
                examples = (
                    _examples(rows, going={model, *conditions["deleted"]}) if kind == "blockers" else ()
                )
                found.append(Dependants(model=related_model, count=count, examples=examples))
        return found

    return DeletionPlan(
        obj=obj, deleted=counted("deleted"), unlinked=counted("unlinked"), blockers=counted("blockers")
    )


def _examples(rows: models.QuerySet, *, going: set) -> tuple[Example, ...]:
    """A few of `rows` by name, each linked to its own page or to the page of what it belongs to."""
    model = rows.model
    via = None
    if not hasattr(model, "get_absolute_url"):
        via = next(
            (
                fk
                for fk in model._meta.concrete_fields
                if fk.many_to_one
                and fk.related_model not in going
                and fk.related_model is not Organisation
                and hasattr(fk.related_model, "get_absolute_url")
            ),
            None,
        )
        if via is None:
            return ()
        rows = rows.select_related(via.name)
    examples = []
    for row in rows.order_by("-pk")[:EXAMPLES]:
        shown = getattr(row, via.name) if via else row
        if shown is None:
            continue
        example = Example(name=str(shown), url=shown.get_absolute_url())
        if example not in examples:
            examples.append(example)
    return tuple(examples)


def confirm_delete(
    request: HttpRequest,
    obj: models.Model,
    *,
    delete: Callable[[], object],
    success_url: str,
    success_message: str,
    cancel_url: str,
    template: str = "partnerhub/confirm_delete.html",
    context: dict | None = None,
    refusals: tuple[type[Exception], ...] = (),
) -> HttpResponse:
    """The confirm page of a delete view (GET) and the deletion itself (POST).

    The page lists what the deletion takes along and what refuses it. A refused deletion changes nothing
    and answers with the same page, which then says why and offers the way out the template gives.
    `delete` is the app's service, called without arguments; `refusals` are the exceptions by which
    it refuses for reasons of its own (they mean "nothing was deleted", like a ProtectedError).
    """
    plan = deletion_plan(obj)
    refused: tuple[type[Exception], ...] = (ProtectedError, RestrictedError, *refusals)
    if request.method == "POST":
        if not plan.blocked:
            try:
                delete()
            except refused as error:
                plan = deletion_plan(obj).refused_by(error)
            else:
                messages.success(request, success_message)
                return redirect(success_url)
        messages.error(request, refusal_message(obj))
    page = {"object": obj, "plan": plan, "cancel_url": cancel_url, **(context or {})}
    return render(request, template, page)


def refusal_message(obj: models.Model) -> str:
    """What the user reads when a deletion was refused because other records depend on `obj`."""
    return _("Nothing was deleted: other records depend on “%(name)s”.") % {"name": obj}
