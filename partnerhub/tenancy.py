"""Tenancy: the one place that turns `/o/<org_slug>/…` into an organisation the user may see.

Every organisation view is wrapped in `@organisation_view`. It answers 404 to anyone who is not a member
(never 403: a stranger must not learn that an organisation or object exists), sends anonymous visitors to
log in, and refuses (403) any change by a viewer. Views then start every queryset from
`request.organisation`.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast, overload

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django_htmx.middleware import HtmxDetails

from partnerhub.models import Membership, Organisation, Role, User

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_KEY = "organisation_slug"


class OrganisationRequest(HttpRequest):
    """The request an `@organisation_view` view receives: a logged-in member, their membership and its
    organisation. For the type checker only: at run time it is the ordinary request, filled in by the
    decorator."""

    user: User
    membership: Membership
    organisation: Organisation
    htmx: HtmxDetails  # django-htmx's middleware sets it on every request


# An organisation view: (request, *url arguments) -> response.
View = Callable[..., HttpResponseBase]


def membership_for(user: User, org_slug: str) -> Membership | None:
    return (
        Membership.objects.select_related("organisation", "user")
        .filter(user=user, organisation__slug=org_slug)
        .first()
    )


@overload
def organisation_view(view: View, *, viewer_may_post: bool = ..., owner_only: bool = ...) -> View: ...


@overload
def organisation_view(
    view: None = None, *, viewer_may_post: bool = ..., owner_only: bool = ...
) -> Callable[[View], View]: ...


def organisation_view(
    view: View | None = None, *, viewer_may_post: bool = False, owner_only: bool = False
) -> View | Callable[[View], View]:
    """Resolve the organisation from the URL and check the member's role.

    viewer_may_post: a viewer may send changes to this view (only for acts on their own membership,
    such as leaving the organisation). owner_only: only owners may open the view at all.
    """

    def decorate(view_func: View) -> View:
        @wraps(view_func)
        def wrapper(request: HttpRequest, org_slug: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for(request.user, org_slug)
            if membership is None:
                raise Http404("No such organisation.")
            require_role(membership, owner_only=owner_only)
            if request.method not in SAFE_METHODS and not viewer_may_post:
                require_write(membership)
            scoped = cast(OrganisationRequest, request)
            scoped.membership = membership
            scoped.organisation = membership.organisation
            if request.session.get(SESSION_KEY) != org_slug:
                request.session[SESSION_KEY] = org_slug
            return view_func(scoped, *args, **kwargs)

        wrapper.__dict__["organisation_scoped"] = True  # marks the view as scoped to an organisation
        return wrapper

    if view is not None:
        return decorate(view)
    return decorate


def require_write(membership: Membership) -> None:
    """Viewers read; owners and managers change. The single place that rule lives."""
    if not membership.can_write:
        raise PermissionDenied("Your role in this organisation is read-only.")


def require_role(membership: Membership, *, owner_only: bool) -> None:
    if owner_only and membership.role != Role.OWNER:
        raise PermissionDenied("Only an owner of this organisation may do this.")
