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
