"""Fill the database with demo data; safe to run again (nothing is duplicated)."""

import datetime as dt
import hashlib

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from challenges import services
from challenges.demo_chapters import seed_chapters
from challenges.demo_tasks import seed_tasks
from challenges.enums import ChallengeStatus
from challenges.models import Challenge, Organisation, Tag
from collaborators.demo import emails_kept_in_memory, seed_applications, seed_interviews_and_seats
from collaborators.demo_community import seed_community
from collaborators.demo_completion import seed_certificates
from collaborators.enums import ExperienceLevel
from collaborators.models import User

ORGANISATIONS = [
    (
        "Clean Water Initiative",
        "https://example.org/water",
        "Safe drinking water for rural communities in East Africa.",
    ),
    ("Wildlife Watch", "https://example.org/wildlife", "Protecting endangered species with community rangers."),
    ("Open Health Lab", "https://example.org/health", "Better maternal health care in low-resource clinics."),
    ("Green Cities Fund", "https://example.org/cities", "Cleaner air and cooler streets in fast-growing cities."),
]

# (title, organisation index, status, tags, days until deadline or since start)
CHALLENGES = [
    ("Predicting water pump failures in Kenya", 0, ChallengeStatus.OPEN, ["time series", "IoT"], 21),
    ("Detecting poachers from camera traps", 1, ChallengeStatus.OPEN, ["computer vision"], 10),
    ("Triage chatbot for maternal health", 2, ChallengeStatus.OPEN, ["NLP", "health"], 35),
    ("Mapping urban heat islands from satellite images", 3, ChallengeStatus.OPEN, ["computer vision", "climate"], 5),
    ("Flood risk early warning for Nairobi", 0, ChallengeStatus.RUNNING, ["climate", "time series"], 30),
    ("Air quality forecasting for Delhi", 3, ChallengeStatus.RUNNING, ["climate", "time series"], 10),
    ("Counting elephants from drone footage", 1, ChallengeStatus.COMPLETED, ["computer vision"], 120),
    ("Medical supply demand forecasting", 2, ChallengeStatus.COMPLETED, ["time series", "health"], 200),
    ("Crop disease detection for smallholders", 3, ChallengeStatus.DRAFT, ["computer vision", "agriculture"], 40),
    ("Misinformation detection in local languages", 2, ChallengeStatus.CANCELLED, ["NLP"], 60),
]

DEMO_USERS = [
    # email, display name, role note, staff, country, level
    ("staff@demo.omdena.test", "Sam Staff", "staff", True, "DE", ExperienceLevel.EXPERIENCED),
    ("client@demo.omdena.test", "Chris Client", "client of Clean Water Initiative", False, "KE", ""),
    ("leader@demo.omdena.test", "Lee Leader", "task leader", False, "IN", ExperienceLevel.EXPERIENCED),
    ("collaborator@demo.omdena.test", "Cam Collaborator", "collaborator", False, "BR", ExperienceLevel.INTERMEDIATE),
    ("applicant@demo.omdena.test", "Ada Applicant", "applicant", False, "NG", ExperienceLevel.BEGINNER),
]


class Command(BaseCommand):
    help = "Create demo organisations, challenges in every state and one demo user per role."

    @transaction.atomic
    def handle(self, *args, **options):
        users = self._users()
        staff = users["staff"]
        organisations = self._organisations(client=users["client"])
        created = 0
        for title, org_index, status, tag_names, days in CHALLENGES:
            if self._challenge(title, organisations[org_index], status, tag_names, days, staff):
                created += 1
        seed_applications(stdout=self.stdout)
        seed_interviews_and_seats(stdout=self.stdout)
        seed_tasks(stdout=self.stdout)
        seed_certificates(stdout=self.stdout)
        # The demo logins first, so that the task leader leads the Delhi chapter and the collaborator joins one.
        demo_people = sorted(
            User.objects.filter(email__endswith="@demo.omdena.test"),
            key=lambda person: (person.email.startswith("applicant-"), person.email),
        )
        chapters = seed_chapters(people=demo_people, staff=staff)
        self.stdout.write(f"Demo chapters ready ({len(chapters)} chapters).")
        with emails_kept_in_memory():  # the tier promotions' emails are not printed to the console
            community = seed_community(people=demo_people, by=staff)
        self.stdout.write(
            f"Demo tiers and public profiles ready ({community.granted} tiers granted now; public profiles: "
            + ", ".join(f"/people/{handle}/" for handle in community.public_handles)
            + ")."
        )
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} new challenges)."))
        self.stdout.write(f"Demo logins (password for all: {settings.DEMO_PASSWORD}):")
        for email, _name, role, *_rest in DEMO_USERS:
            self.stdout.write(f"  {role:<36} {email}")

    def _users(self) -> dict[str, User]:
        users = {}
        for email, name, role, is_staff, country, level in DEMO_USERS:
            user, created = User.objects.get_or_create(
                email=email,
                defaults={
                    "display_name": name,
                    "is_staff": is_staff,
                    "is_superuser": is_staff,
                    "country": country,
                    "experience_level": level,
                    "weekly_hours": 20,
                    "time_zone": "Europe/Berlin" if is_staff else "UTC",
                    "github_username": slugify(name).replace("-", ""),
                },
            )
            if created:
                user.set_password(settings.DEMO_PASSWORD)
                user.save(update_fields=["password"])
            EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
            users[role.split()[0]] = user
        return users

    def _organisations(self, *, client: User) -> list[Organisation]:
        organisations = []
        for name, website, description in ORGANISATIONS:
            organisation, _ = Organisation.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "website": website, "description": description}
            )
            organisations.append(organisation)
        organisations[0].users.add(client)
        return organisations

    def _challenge(self, title, organisation, status, tag_names, days, staff) -> bool:
        slug = slugify(title)
        if Challenge.objects.filter(slug=slug).exists():
            return False
        now = timezone.now()
        today = now.date()
        challenge = Challenge.objects.create(
            title=title,
            slug=slug,
            organisation=organisation,
            summary=f"{organisation.name} asks: {title.lower()}.",
            problem_statement=(
                f"{organisation.description}\n\nThe team will collect and clean data, build and evaluate "
                "models, and hand over a working prototype with documentation."
            ),
            goals="Understand the data.\nBuild a baseline model.\nDeliver a prototype the partner can run.",
            application_deadline=now + dt.timedelta(days=days) if status == ChallengeStatus.OPEN else None,
            start_date=today + dt.timedelta(days=days + 14) if status == ChallengeStatus.OPEN else None,
            # Stable ids across runs (hash() is salted per process).
            slack_channel_ids=[f"C{int(hashlib.sha256(slug.encode()).hexdigest(), 16) % 10**9:09d}"],
            github_repositories=[f"OmdenaAI/{slug[:60]}"],
            github_organisation="OmdenaAI",
            slack_invite_url="https://join.slack.com/t/omdena-demo/shared_invite/demo-invite",
        )
        for name in tag_names:
            tag, _ = Tag.objects.get_or_create(slug=slugify(name), defaults={"name": name})
            challenge.tags.add(tag)
        note = "demo data"
        if status == ChallengeStatus.CANCELLED:
            services.challenge_cancel(challenge=challenge, by=staff, note=note)
            return True
        if status == ChallengeStatus.DRAFT:
            return True
        challenge = services.challenge_open(challenge=challenge, by=staff, note=note)
        if status in (ChallengeStatus.RUNNING, ChallengeStatus.COMPLETED):
            challenge = services.challenge_start(
                challenge=challenge, by=staff, start_date=today - dt.timedelta(days=days), note=note
            )
        if status == ChallengeStatus.COMPLETED:
            services.challenge_complete(challenge=challenge, by=staff, note=note)
        return True
