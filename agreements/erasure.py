"""The agreements' copies of a partner's personal data: the e-mail address its question sheet was sent to,
and the signer's name and e-mail address on its signing links. Registered with partnerhub.erasure in
AgreementsConfig.ready()."""

from agreements.models import QuestionSheet, SignRequest
from partnerhub.erasure import erased_person_name
from partnerhub.models import AuditEntry, Partner, User
from partnerhub.services import audit_forget_values


def agreements_erase_personal_data(*, partner: Partner, values: set[str], actor: User | None) -> int:
    """The partner's question sheets and signing links lose their e-mail address, and a link that was never
    used its signer's name. A used link keeps the name it was signed for: with the signature (name, time,
    IP address) it is evidence of the contract. The answers to the questions stay. The log's records of the
    links, which are not tied to the partner, are masked here. Returns the number of sheets and links
    changed."""
    sheets = (
        QuestionSheet.objects.select_for_update(of=("self",)).filter(party__partner=partner).exclude(email="")
    )
    emails = dict(sheets.order_by("pk").values_list("pk", "email"))
    values.update(emails.values())
    changed = QuestionSheet.objects.filter(pk__in=emails).update(email="")

    links = list(
        SignRequest.objects.select_for_update(of=("self",)).filter(party__partner=partner).order_by("pk")
    )
    erased: list[SignRequest] = []
    for link in links:
        used = link.used_at is not None
        name = link.signer_name if used else erased_person_name()
        if (link.signer_name, link.email) == (name, ""):
            continue
        values.update(value for value in (link.email, "" if used else link.signer_name) if value)
        link.signer_name, link.email = name, ""
        erased.append(link)
    SignRequest.objects.bulk_update(erased, ["signer_name", "email"])
    audit_forget_values(
        entries=AuditEntry.objects.filter(
            organisation=partner.organisation_id,
            object_type=SignRequest._meta.label_lower,
            object_id__in=[link.pk for link in links],
        ),
        values=values,
    )
    return changed + len(erased)
