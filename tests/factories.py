import factory
from factory.django import DjangoModelFactory

from matrix.models import MatrixRow, ValueMatrix
from partnerhub.models import Contact, Membership, Organisation, Partner, Role, User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.nl")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisatie {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Role.MANAGER


class PartnerFactory(DjangoModelFactory):
    class Meta:
        model = Partner

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Partner {n}")
    category = "supplier"
    status = "active"
    influence = 3
    importance = 4


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Faker("name", locale="nl_NL")
    email = factory.Sequence(lambda n: f"contact{n}@partner.nl")


class ValueMatrixFactory(DjangoModelFactory):
    class Meta:
        model = ValueMatrix

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Partnerwaarde-matrix {n}")
    purpose = "Voorbereiding partnerworkshop"


class MatrixRowFactory(DjangoModelFactory):
    class Meta:
        model = MatrixRow

    matrix = factory.SubFactory(ValueMatrixFactory)
    partner = factory.SubFactory(PartnerFactory, organisation=factory.SelfAttribute("..matrix.organisation"))
    position = factory.Sequence(lambda n: n)
    brings_resources = "Kennis van de markt\nComplementair product"
    gets_money = "Commissie op de verkoop"


def document_retried_while_rendering(organisation, requested_by):
    """A partner list PDF whose first render is thought stalled and retried while it runs: the retry (attempt
    2) finishes first, then the first render finishes late, having lost its claim. Needs
    BACKGROUND_JOB_STALLED_AFTER = 0 and tasks run in-process. Returns the document and the attempts seen."""
    from partnerhub import documents
    from partnerhub.models import Document

    seen = []

    def interrupted(document):
        seen.append(document.attempts)
        if document.attempts == 1:
            assert documents.document_retry(document=Document.objects.get(pk=document.pk))
        return documents.partner_list_pdf(document)

    documents.RENDERERS["interrupted_partner_list"] = interrupted
    try:
        document = documents.document_request(
            organisation=organisation,
            kind="interrupted_partner_list",
            title="Partners",
            params={},
            requested_by=requested_by,
        )
    finally:
        del documents.RENDERERS["interrupted_partner_list"]
    document.refresh_from_db()
    return document, seen
