"""factory-boy factories for the core tables."""

from __future__ import annotations

import factory

from infuse.core.models import Membership, Organisation, Person


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@council.example")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.PostGenerationMethodCall(
        "set_password", "correct-horse-battery"
    )  # tests.conftest.PASSWORD

    @factory.post_generation
    def save_password(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = Organisation.Kind.SUPPLIER
    name = factory.Sequence(lambda n: f"Supplier {n} Ltd")
    name_en = factory.SelfAttribute("name")
    slug = factory.Sequence(lambda n: f"supplier-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    person = factory.SubFactory(PersonFactory)
    organisation = factory.LazyFunction(lambda: Organisation.objects.get(slug="cardiff"))
    role = "officer"
