"""Where a partner's personal data is copied beyond its contact persons, and how those copies are erased.

Feature apps keep copies of a contact person's name and e-mail address (a survey invitation, a signing
link, a customer's NPS request). The core cannot import them, so each app registers an eraser here in its
AppConfig.ready(); `partner_erase_personal_data` calls every eraser in its own transaction, after the
contact persons are anonymised and before the history of changes is masked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from partnerhub.models import Partner, User


class PersonalDataEraser(Protocol):
    def __call__(self, *, partner: Partner, values: set[str], actor: User | None) -> int:
        """Erase the partner's copies; add each erased value to `values` (so the history of changes masks
        it too) and return the number of rows changed: 0 when there was nothing (left) to erase."""
        ...


PERSONAL_DATA_ERASERS: list[PersonalDataEraser] = []


def register_personal_data_eraser(eraser: PersonalDataEraser) -> PersonalDataEraser:
    """Have `eraser` run whenever a partner's personal data is erased (once, however often registered)."""
    if eraser not in PERSONAL_DATA_ERASERS:
        PERSONAL_DATA_ERASERS.append(eraser)
    return eraser


def erased_person_name() -> str:
    """The neutral name a copy gets when it no longer belongs to one numbered contact person."""
    return _("Erased contact person")
