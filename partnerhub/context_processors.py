def organisation(request):
    """The current organisation and membership (set by `organisation_view`) for the base layout."""
    membership = getattr(request, "membership", None)
    return {
        "organisation": getattr(request, "organisation", None),
        "membership": membership,
        "can_write": bool(membership and membership.can_write),
    }
