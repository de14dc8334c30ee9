"""What the feature apps add to the core's pages: the partner page's sections and the dashboard's panels.

The core cannot import the feature apps, so each app registers its sections here in its AppConfig.ready().
A section is a template of the app's own, included by the core page in the order of `order` (lowest first),
with `section` set to what its `context` callable returns for (request, organisation, partner); the
template also sees the page's own context (`organisation`, `partner`, `can_write`, `request`). On the
dashboard `partner` is None.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from partnerhub.models import Organisation, Partner
    from partnerhub.tenancy import OrganisationRequest

SectionContext = Callable[..., dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str  # unique within its page: registering the same key again replaces the entry
    order: int
    template: str
    context: SectionContext | None = None  # (request, organisation, partner) -> dict; None: nothing extra


@dataclass(frozen=True)
class ShownSection:
    key: str
    template: str
    context: dict[str, Any]


PARTNER_SECTIONS: dict[str, Section] = {}
DASHBOARD_PANELS: dict[str, Section] = {}


def register_partner_section(
    key: str, *, order: int, template: str, context: SectionContext | None = None
) -> Section:
    """Show `template` on every partner page, among the other apps' sections by `order`."""
    section = Section(key=key, order=order, template=template, context=context)
    PARTNER_SECTIONS[key] = section
    return section


def register_dashboard_panel(
    key: str, *, order: int, template: str, context: SectionContext | None = None
) -> Section:
    """Show `template` on the dashboard, above the partner figures, among the other panels by `order`."""
    section = Section(key=key, order=order, template=template, context=context)
    DASHBOARD_PANELS[key] = section
    return section


def _shown(
    registry: dict[str, Section],
    request: HttpRequest,
    organisation: Organisation,
    partner: Partner | None,
) -> list[ShownSection]:
    return [
        ShownSection(
            key=section.key,
            template=section.template,
            context=section.context(request, organisation, partner) if section.context else {},
        )
        for section in sorted(registry.values(), key=lambda section: (section.order, section.key))
    ]


def partner_sections(request: OrganisationRequest, partner: Partner) -> list[ShownSection]:
    """The registered sections of `partner`'s page, in order, each with its context."""
    return _shown(PARTNER_SECTIONS, request, request.organisation, partner)


def dashboard_panels(request: HttpRequest, organisation: Organisation) -> list[ShownSection]:
    """The registered panels of `organisation`'s dashboard, in order, each with its context."""
    return _shown(DASHBOARD_PANELS, request, organisation, None)
