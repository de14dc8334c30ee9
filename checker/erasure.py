"""The checker's copies of a partner's personal data: the name and e-mail address of each invitation made
out to one of its contact persons. Registered with partnerhub.erasure in CheckerConfig.ready()."""

from django.db.models import Q

from checker.models import Invitation
from partnerhub.erasure import erased_person_name
from partnerhub.models import Contact


def invitations_erase_personal_data(*, partner, values: set[str], actor) -> int:
    """Each invitation of the partner's contact persons takes its contact person's neutral name (or a general
    one when the contact person was deleted) and loses its e-mail address. Its grade and answers stay: without
    a name they say nothing about anyone. Returns the number of invitations changed."""
    names = dict(Contact.objects.filter(partner=partner).values_list("pk", "name"))
    invitations = Invitation.objects.select_for_update(of=("self",)).filter(
        Q(partner=partner) | Q(contact__partner=partner)
    )
    changed = []
    for invitation in invitations.order_by("pk"):
        name = names.get(invitation.contact_id) or erased_person_name()
        if (invitation.name, invitation.email) == (name, ""):
            continue
        values.update(value for value in (invitation.name, invitation.email) if value)
        invitation.name, invitation.email = name, ""
        changed.append(invitation)
    Invitation.objects.bulk_update(changed, ["name", "email"])
    return len(changed)
