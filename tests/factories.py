"""factory-boy factories for every model, in one place."""

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from django.utils import timezone

from challenges.enums import ChallengeStatus
from challenges.models import Challenge, Organisation, Tag
from collaborators.enums import ExperienceLevel
from collaborators.models import User

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    display_name = factory.Faker("name")
    country = "KE"
    experience_level = ExperienceLevel.INTERMEDIATE
    weekly_hours = 20
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Sign-in needs a verified email address (allauth's mandatory verification)."""
        if create and extracted is not False:
            self.save(update_fields=["password"])
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class StaffFactory(UserFactory):
    is_staff = True


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"tag {n}")
    slug = factory.LazyAttribute(lambda tag: tag.name.replace(" ", "-"))


class ChallengeFactory(factory.django.DjangoModelFactory):
    """A challenge in the state asked for; status is set directly, as fixtures do not need audit rows."""

    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Challenge number {n}")
    slug = factory.Sequence(lambda n: f"challenge-{n}")
    organisation = factory.SubFactory(OrganisationFactory)
    summary = "Build a model that helps people."
    status = ChallengeStatus.OPEN
    application_deadline = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=14))

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        if create and extracted:
            self.tags.add(*extracted)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application written straight to the table (no referral use, audit or email); use the service for those."""

    class Meta:
        model = "collaborators.Application"

    person = factory.SubFactory(UserFactory)
    challenge = factory.SubFactory(ChallengeFactory)
    motivation = "I want to help people with machine learning."
    relevant_experience = "Two years of Python and a course in deep learning."
    skills = "Python, pandas"
    experience_level = ExperienceLevel.INTERMEDIATE
    country = "KE"
    time_zone = "Africa/Nairobi"
    weekly_hours = 20
    commits_to_hours = True
    github_username = factory.Sequence(lambda n: f"applicant{n}")


class ReferralCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "referrals.ReferralCode"

    owner = factory.SubFactory(UserFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    """A seat written straight to the table; `application_accept` is the service that creates real ones."""

    class Meta:
        model = "collaborators.Membership"

    person = factory.SubFactory(UserFactory)
    challenge = factory.SubFactory(ChallengeFactory, status=ChallengeStatus.RUNNING)


class ReviewScoreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "collaborators.ReviewScore"

    application = factory.SubFactory(ApplicationFactory)
    reviewer = factory.SubFactory(StaffFactory)
    score = 4


class ChapterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "challenges.Chapter"

    name = factory.Sequence(lambda n: f"Chapter {n}")
    slug = factory.Sequence(lambda n: f"chapter-{n}")
    city = "Nairobi"
    country = "KE"
    slack_channel = factory.Sequence(lambda n: f"#chapter-{n}")


class ChapterMemberFactory(factory.django.DjangoModelFactory):
    """A chapter seat written straight to the table; `chapter_join` and `chapter_set_lead` are the services."""

    class Meta:
        model = "challenges.ChapterMember"

    chapter = factory.SubFactory(ChapterFactory)
    person = factory.SubFactory(UserFactory)  # role: the model's default (member); pass role= for a lead
