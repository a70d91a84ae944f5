"""Demo applications for `seed_demo`: a queue worth reviewing, reached through the services.

Every state change goes through the same services the pages call, so each application has its
audit trail; afterwards the times are moved into the past (submissions over four months, reviews
over the last four weeks) so that queue places, the review pace and the estimates read as they would.
"""

import datetime as dt
import logging
import random
from collections import defaultdict
from contextlib import contextmanager

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from audit.models import AuditEntry
from audit.services import audit_record
from challenges.enums import ChallengeStatus
from challenges.models import Challenge
from referrals.models import ReferralCode
from referrals.services import referral_code_issue

from .enums import (
    ACTIVE_SEAT_STATES,
    ApplicationStatus,
    ExperienceLevel,
    MembershipRole,
    MembershipStatus,
    QueuePriority,
    RemovalReason,
)
from .models import Application, Membership, User
from .selectors import QUEUE_ORDER
from .services.applications import (
    application_accept,
    application_reject,
    application_shortlist,
    application_submit,
    application_waitlist,
    application_withdraw,
    review_score_set,
)
from .services.memberships import membership_complete, membership_remove, membership_warn

DEMO_DOMAIN = "demo.omdena.test"
PEOPLE = 240
OPEN_APPLICATIONS = 300
REFERRAL_SHARE = 0.15

# country, time zone, weight: roughly where applications come from.
COUNTRIES = [
    ("IN", "Asia/Kolkata", 14),
    ("NG", "Africa/Lagos", 10),
    ("KE", "Africa/Nairobi", 8),
    ("US", "America/New_York", 7),
    ("PK", "Asia/Karachi", 6),
    ("EG", "Africa/Cairo", 5),
    ("BR", "America/Sao_Paulo", 5),
    ("ID", "Asia/Jakarta", 4),
    ("DE", "Europe/Berlin", 4),
    ("GH", "Africa/Accra", 4),
    ("PH", "Asia/Manila", 3),
    ("MX", "America/Mexico_City", 3),
    ("TR", "Europe/Istanbul", 3),
    ("GB", "Europe/London", 3),
    ("BD", "Asia/Dhaka", 3),
    ("CO", "America/Bogota", 2),
    ("VN", "Asia/Ho_Chi_Minh", 2),
    ("ES", "Europe/Madrid", 2),
    ("CA", "America/Toronto", 2),
    ("UG", "Africa/Kampala", 2),
]
LEVELS = [(ExperienceLevel.BEGINNER, 45), (ExperienceLevel.INTERMEDIATE, 35), (ExperienceLevel.EXPERIENCED, 20)]
# fmt: off
FIRST_NAMES = [
    "Amara", "Ravi", "Chinedu", "Wanjiru", "Priya", "Diego", "Fatima", "Lukas", "Mei", "Tunde", "Aisha", "Kofi",
    "Sofia", "Arjun", "Nadia", "Emeka", "Lina", "Mateo", "Zainab", "Jonas", "Ayesha", "Kwame", "Elif", "Hana",
    "Omar", "Grace", "Tariq", "Ana", "Bilal", "Nia", "Sipho", "Ikenna", "Lucia", "Farid", "Esi",
]
FAMILY_NAMES = [
    "Okafor", "Sharma", "Mwangi", "Silva", "Khan", "Mensah", "Garcia", "Nguyen", "Adeyemi", "Patel", "Otieno",
    "Rahman", "Yilmaz", "Santos", "Mueller", "Hossain", "Reyes", "Boateng", "Kamau", "Ibrahim", "Costa", "Das",
    "Wright", "Suleiman", "Lopez",
]
# fmt: on
SKILLS = [
    "Python, pandas, scikit-learn",
    "Python, PyTorch, computer vision",
    "NLP, Hugging Face transformers",
    "SQL, data cleaning, dashboards",
    "time series, forecasting, statsmodels",
    "GIS, remote sensing, QGIS",
    "TensorFlow, Keras, model deployment",
    "data visualisation, Plotly, Streamlit",
    "R, statistics, survey data",
    "MLOps, Docker, FastAPI",
]
MOTIVATIONS = [
    "I want to use what I learned on a problem that matters to real people.",
    "This problem affects my own community and I would like to help solve it.",
    "I am switching careers into machine learning and want to work in a team on real data.",
    "I joined an earlier challenge as a beginner and want to contribute more this time.",
    "I care about the partner's mission and have time to commit for the full eight weeks.",
]
EXPERIENCE = [
    "Online courses in machine learning and two personal projects on Kaggle.",
    "Three years as a data analyst; I built forecasting dashboards for a retailer.",
    "MSc thesis on image segmentation; internship in a computer vision startup.",
    "Software engineer learning ML; I deployed a small NLP model at work.",
    "Research assistant working with satellite images and field survey data.",
]


def seed_applications(*, stdout=None) -> int:
    """Create the demo queue once (about 300 applications); returns how many were created, 0 if already there."""
    if Application.objects.filter(person__email__endswith=f"@{DEMO_DOMAIN}").exists():
        _say(stdout, "Demo applications already there.")
        return 0
    users = {u.email.split("@")[0]: u for u in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")}
    open_challenges = [c for c in Challenge.objects.filter(status=ChallengeStatus.OPEN) if c.accepts_applications]
    if "staff" not in users or not open_challenges:
        _say(stdout, "No demo applications: run seed_demo first (it needs the demo users and open challenges).")
        return 0
    with transaction.atomic(), emails_kept_in_memory():
        seeder = _Seeder(users=users, open_challenges=open_challenges)
        seeder.run()
    _say(stdout, seeder.summary())
    return seeder.created


@contextmanager
def emails_kept_in_memory():
    # Emails go after commit, which for seed_demo is the end of its own transaction: bracket those
    # callbacks (they run in order) with the locmem backend, so `make demo` prints no 400 emails.
    override = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
    task_log = logging.getLogger("celery.app.trace")  # eager tasks log a line each
    level = task_log.level

    def quiet() -> None:
        override.enable()
        task_log.setLevel(logging.WARNING)

    def restore() -> None:
        task_log.setLevel(level)
        override.disable()

    transaction.on_commit(quiet)
    try:
        yield
    finally:
        transaction.on_commit(restore)


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


class _Seeder:
    def __init__(self, *, users: dict[str, User], open_challenges: list[Challenge]):
        self.rng = random.Random(2026)  # noqa: S311 -- demo data, repeatable on purpose
        self.now = timezone.now()
        self.staff = users["staff"]
        self.collaborator = users.get("collaborator")
        self.leader = users.get("leader")
        self.applicant = users.get("applicant")
        self.open_challenges = open_challenges
        self.running = list(Challenge.objects.filter(status=ChallengeStatus.RUNNING).order_by("start_date"))
        self.completed = list(Challenge.objects.filter(status=ChallengeStatus.COMPLETED).order_by("start_date"))
        self.created = 0
        # When each audit row of an application happened, in the order the services wrote them.
        self.timeline: dict[int, list[dt.datetime]] = defaultdict(list)
        self.times: dict[int, dict[str, dt.datetime]] = {}
        self.codes: list[ReferralCode] = []

    def run(self) -> None:
        people = self._people()
        alumni, newcomers = people[:24], people[24:]
        self._past_cohorts(alumni)
        if self.applicant is not None:
            self._demo_applicant()
        self._open_queue(people)
        self._scores(newcomers)
        self._backdate()

    def summary(self) -> str:
        applications = Application.objects.filter(person__email__endswith=f"@{DEMO_DOMAIN}")
        referrals = applications.filter(priority=QueuePriority.REFERRAL).count()
        return f"Demo applications ready ({self.created} applications, {referrals} with a referral code)."

    # --- people --------------------------------------------------------------------------------

    def _people(self) -> list[User]:
        password = make_password(None)  # demo applicants do not sign in; the demo logins are seed_demo's
        people = []
        for index in range(PEOPLE):
            first, family = self.rng.choice(FIRST_NAMES), self.rng.choice(FAMILY_NAMES)
            country, time_zone = self._country()
            people.append(
                User(
                    email=f"applicant-{index:03d}@{DEMO_DOMAIN}",
                    password=password,
                    display_name=f"{first} {family}",
                    country=country,
                    time_zone=time_zone,
                    experience_level=self._level(),
                    weekly_hours=self.rng.choice([15, 15, 20, 20, 25, 30]),
                    skills=self.rng.choice(SKILLS),
                    github_username=f"{first}{family}{index}".lower(),
                    date_joined=self.now - dt.timedelta(days=self.rng.randint(130, 700)),
                )
            )
        return User.objects.bulk_create(people)

    def _country(self) -> tuple[str, str]:
        country, time_zone, _weight = self.rng.choices(COUNTRIES, weights=[w for *_, w in COUNTRIES])[0]
        return country, time_zone

    def _level(self) -> str:
        return self.rng.choices([level for level, _ in LEVELS], weights=[w for _, w in LEVELS])[0]

    def _data(self, person: User) -> dict:
        return {
            "motivation": self.rng.choice(MOTIVATIONS),
            "relevant_experience": self.rng.choice(EXPERIENCE),
            "skills": person.skills or self.rng.choice(SKILLS),
            "experience_level": person.experience_level or ExperienceLevel.BEGINNER,
            "country": person.country or "KE",
            "time_zone": person.time_zone,
            "weekly_hours": max(person.weekly_hours or 15, 15),
            "commits_to_hours": True,
            "github_username": person.github_username or f"demo{person.pk}",
        }

    # --- finished and running challenges: accepted members, codes, one removal ----------------

    def _past_cohorts(self, alumni: list[User]) -> None:
        regulars = [u for u in (self.collaborator, self.leader) if u is not None]
        for index, challenge in enumerate(self.completed):
            members = regulars + alumni[index * 8 : index * 8 + 8]
            for person in members:
                self._seat(person, challenge, status=MembershipStatus.COMPLETED)
            # Completing a challenge gives its collaborators a code to invite friends.
            for person in members[: len(regulars) + 5]:
                self.codes.append(referral_code_issue(owner=person, by=self.staff, challenge=challenge))
            ReferralCode.objects.filter(challenge=challenge).update(
                created_at=self._at(challenge.end_date or self.now.date())
            )
        for index, challenge in enumerate(self.running):
            members = alumni[16 + index * 4 : 16 + index * 4 + 4]
            if index == 0:
                # The demo collaborator and leader are in the first running challenge, with an alumnus
                # of a finished one who will be removed for inactivity.
                members += [alumni[0], *regulars]
            for person in members:
                role = MembershipRole.TASK_LEADER if person == self.leader else MembershipRole.COLLABORATOR
                self._seat(person, challenge, status=MembershipStatus.ACTIVE, role=role)
        if self.running:
            self._remove_for_inactivity(alumni[0], self.running[0])

    def _seat(self, person: User, challenge: Challenge, *, status: str, role: str = MembershipRole.COLLABORATOR):
        """An accepted application on a challenge that no longer takes applications, and its membership."""
        start = challenge.start_date or self.now.date()
        submitted = self._at(start) - dt.timedelta(days=self.rng.randint(20, 60))
        application = Application.objects.create(
            person=person, challenge=challenge, submitted_at=submitted, **self._data(person)
        )
        audit_record(actor=person, verb="application.submit", subject=application, to_state=application.status)
        application_shortlist(application=application, by=self.staff, note="demo data")
        application_accept(application=application, by=self.staff, note="demo data")
        reviewed = submitted + dt.timedelta(days=self.rng.randint(3, 10))
        decided = reviewed + dt.timedelta(days=self.rng.randint(2, 7))
        self._record(application, submitted, [reviewed, decided], reviewed_at=reviewed, decided_at=decided)
        membership = Membership.objects.get(application=application)
        left = None
        if status == MembershipStatus.COMPLETED:
            membership_complete(membership=membership, by=self.staff, note="demo data")
            left = self._at(challenge.end_date) if challenge.end_date else self.now
        Membership.objects.filter(pk=membership.pk).update(role=role, joined_at=decided, left_at=left)
        if left is not None:
            self._date_membership_audit(membership, [left])
        self.created += 1

    def _remove_for_inactivity(self, person: User, challenge: Challenge) -> None:
        """An alumnus of a finished challenge went quiet in a running one: removed, and their codes stop working."""
        membership = Membership.objects.get(person=person, challenge=challenge)
        warned_at, left_at = self.now - dt.timedelta(days=13), self.now - dt.timedelta(days=6)
        membership_warn(membership=membership, by=None, note="demo data: no activity in week 3")
        # Removal for inactivity also stops the person's referral codes.
        membership_remove(
            membership=membership, by=self.staff, reason=RemovalReason.INACTIVITY, note="demo data: still inactive"
        )
        Membership.objects.filter(pk=membership.pk).update(left_at=left_at)
        self._date_membership_audit(membership, [warned_at, left_at])
        for code in self.codes:
            if code.owner_id == person.pk:
                code.is_active = False

    def _date_membership_audit(self, membership: Membership, moments: list[dt.datetime]) -> None:
        entries = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Membership), object_id=str(membership.pk)
        ).order_by("id")
        for entry, moment in zip(entries, moments, strict=False):
            AuditEntry.objects.filter(pk=entry.pk).update(created_at=moment)

    # --- the open queue ------------------------------------------------------------------------

    def _open_queue(self, people: list[User]) -> None:
        pairs = set()
        while len(pairs) < OPEN_APPLICATIONS:
            pairs.add((self.rng.randrange(len(people)), self.rng.randrange(len(self.open_challenges))))
        submitted = []
        for person_index, challenge_index in sorted(pairs):
            person, challenge = people[person_index], self.open_challenges[challenge_index]
            code = self._code_for(person) if self.rng.random() < REFERRAL_SHARE else None
            application = application_submit(
                person=person, challenge=challenge, data=self._data(person), referral_code=code.code if code else ""
            )
            submitted.append(application)
        for application in submitted:
            self._review(application, submitted_at=self.now - dt.timedelta(minutes=self.rng.randint(60, 120 * 24 * 60)))
        self.created += len(submitted)

    def _code_for(self, person: User, *, owner: User | None = None) -> ReferralCode | None:
        """A code with a use left that is not the person's own (from `owner` when given)."""
        usable = [
            c
            for c in self.codes
            if c.is_active and c.uses < c.max_uses and c.owner_id != person.pk and (owner is None or c.owner == owner)
        ]
        if not usable:
            return None
        code = self.rng.choice(usable)
        code.uses += 1  # mirrors the service's conditional UPDATE, so only codes with uses left are picked
        return code

    def _review(self, application: Application, *, submitted_at: dt.datetime) -> None:
        """Staff review the front of the queue: referrals after two weeks, the rest after about eleven."""
        waited = self.now - submitted_at
        front = dt.timedelta(days=14 if application.priority == QueuePriority.REFERRAL else 80)
        if waited < front or self.rng.random() < 0.15:
            self._record(application, submitted_at, [])
            return
        reviewed = self.now - dt.timedelta(minutes=self.rng.randint(60, 27 * 24 * 60))
        decided = min(reviewed + dt.timedelta(days=self.rng.randint(1, 6)), self.now - dt.timedelta(minutes=30))
        outcome = self.rng.choices(
            ["shortlist", "reject", "waitlist", "accept", "withdraw"], weights=[40, 25, 18, 12, 5]
        )[0]
        by, note = self.staff, self.rng.choice(["", "", "strong motivation", "profile incomplete", "balanced mix"])
        if outcome == "withdraw":
            application_withdraw(application=application, by=application.person, note="found a job")
            moves = [reviewed]
        elif outcome == "accept":
            application_shortlist(application=application, by=by, note=note)
            application_accept(application=application, by=by, note=note)
            moves = [reviewed, decided]
        else:
            service = {"shortlist": application_shortlist, "reject": application_reject}.get(
                outcome, application_waitlist
            )
            service(application=application, by=by, note=note)
            moves = [reviewed]
        decided_at = decided if outcome == "accept" else reviewed if outcome in ("reject", "waitlist") else None
        self._record(application, submitted_at, moves, reviewed_at=reviewed, decided_at=decided_at)
        if outcome == "accept":
            Membership.objects.filter(application=application).update(joined_at=decided)

    def _demo_applicant(self) -> None:
        """Ada has one application waiting with a referral ("#N in the queue") and one shortlisted."""
        first, second = self.open_challenges[0], self.open_challenges[1 % len(self.open_challenges)]
        code = self._code_for(self.applicant, owner=self.collaborator) or self._code_for(self.applicant)
        waiting = application_submit(
            person=self.applicant,
            challenge=first,
            data=self._data(self.applicant),
            referral_code=code.code if code else "",
        )
        self._record(waiting, self.now - dt.timedelta(days=6, hours=3), [])
        if second == first:
            self.created += 1
            return
        shortlisted = application_submit(person=self.applicant, challenge=second, data=self._data(self.applicant))
        application_shortlist(application=shortlisted, by=self.staff, note="good motivation; invite to interview")
        submitted = self.now - dt.timedelta(days=95)
        reviewed = self.now - dt.timedelta(days=2)
        self._record(shortlisted, submitted, [reviewed], reviewed_at=reviewed)
        self.created += 2

    def _scores(self, people: list[User]) -> None:
        """The staff reviewer scored some reviewed applications and a few still in the queue."""
        demo = Application.objects.filter(person__in=people).order_by(*QUEUE_ORDER)
        reviewed = [a for a in demo if a.status != ApplicationStatus.SUBMITTED]
        waiting = [a for a in demo if a.status == ApplicationStatus.SUBMITTED][:30]
        for application in self.rng.sample(reviewed, k=min(60, len(reviewed))) + waiting:
            score = self.rng.choices([2, 3, 4, 5], weights=[1, 3, 4, 2])[0]
            note = self.rng.choice(["", "clear motivation", "good GitHub profile", "little time in week 3"])
            review_score_set(application=application, reviewer=self.staff, score=score, note=note)
            times = self.times.get(application.pk, {})
            self.timeline[application.pk].append(times.get("reviewed_at") or self.now - dt.timedelta(hours=5))

    # --- times ---------------------------------------------------------------------------------

    def _at(self, day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(10, 0), tzinfo=dt.UTC)

    def _record(self, application, submitted_at, moves, **stamps) -> None:
        self.times[application.pk] = {"submitted_at": submitted_at, **stamps}
        self.timeline[application.pk] = [submitted_at, *moves]

    def _backdate(self) -> None:
        """Move the services' "now" into the demo's past: application times and their audit rows."""
        applications = list(Application.objects.filter(pk__in=self.times))
        for application in applications:
            for name, value in self.times[application.pk].items():
                setattr(application, name, value)
        Application.objects.bulk_update(applications, ["submitted_at", "reviewed_at", "decided_at"], batch_size=500)
        entries = AuditEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(Application), object_id__in=[str(pk) for pk in self.times]
        ).order_by("id")
        by_application = defaultdict(list)
        for entry in entries:
            by_application[int(entry.object_id)].append(entry)
        changed = []
        for pk, rows in by_application.items():
            for entry, moment in zip(rows, self.timeline[pk], strict=False):
                entry.created_at = moment
                changed.append(entry)
        AuditEntry.objects.bulk_update(changed, ["created_at"], batch_size=500)


def seed_interviews_and_seats(*, stdout=None) -> int:
    """Interviews in several states, one full and one nearly full open challenge; once (0 if already there)."""
    from .models import Interview
    from .services.interviews import (
        interview_mark_no_show,
        interview_offer_slots,
        interview_record_scorecard,
        interview_schedule,
    )

    if Interview.objects.exists():
        _say(stdout, "Demo interviews already there.")
        return 0
    staff = User.objects.filter(email=f"staff@{DEMO_DOMAIN}").first()
    open_challenges = [
        c for c in Challenge.objects.filter(status=ChallengeStatus.OPEN).order_by("id") if c.accepts_applications
    ]
    if staff is None or len(open_challenges) < 2:
        return 0
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    video = "https://meet.example.org/omdena-demo"
    with transaction.atomic(), emails_kept_in_memory():
        shortlisted = list(
            Application.objects.filter(challenge=open_challenges[0], status=ApplicationStatus.SHORTLISTED)
            .exclude(person__email__startswith="applicant@")
            .order_by("id")[:4]
        )
        if len(shortlisted) >= 4:
            interview_offer_slots(
                application=shortlisted[0],
                slots=[now + dt.timedelta(days=d, hours=h) for d, h in ((2, 9), (2, 15), (3, 11))],
                interviewer=staff,
                video_link=video,
                by=staff,
            )
            interview_schedule(
                application=shortlisted[1],
                scheduled_at=now + dt.timedelta(hours=20),
                interviewer=staff,
                video_link=video,
                by=staff,
            )
            done = interview_schedule(
                application=shortlisted[2],
                scheduled_at=now + dt.timedelta(days=1),
                interviewer=staff,
                video_link=video,
                by=staff,
            )
            interview_record_scorecard(
                interview=done,
                technical=4,
                communication=5,
                collaboration=4,
                commitment=5,
                recommendation="accept",
                notes="Clear thinking, has shipped a model before.",
                by=staff,
            )
            missed = interview_schedule(
                application=shortlisted[3],
                scheduled_at=now + dt.timedelta(days=1),
                interviewer=staff,
                video_link=video,
                by=staff,
            )
            # Services only schedule future times; move these two interviews into the past, as they would be.
            Interview.objects.filter(pk__in=[done.pk, missed.pk]).update(scheduled_at=now - dt.timedelta(days=2))
            missed.refresh_from_db()
            interview_mark_no_show(interview=missed, by=staff)
        # The first open challenge ends up full, the second one seat short of full.
        for challenge, free_seats in ((open_challenges[0], 0), (open_challenges[1], 1)):
            waiting = list(
                Application.objects.filter(challenge=challenge, status=ApplicationStatus.SUBMITTED)
                .exclude(person__email__startswith="applicant@")
                .order_by(*QUEUE_ORDER)[:3]
            )
            for application in waiting:
                application_shortlist(application=application, by=staff)
                application_accept(application=application, by=staff, note="demo")
            taken = Membership.objects.filter(challenge=challenge, status__in=ACTIVE_SEAT_STATES).count()
            Challenge.objects.filter(pk=challenge.pk).update(capacity=max(taken + free_seats, 1))
    _say(stdout, "Demo interviews (offered, scheduled, scored, no-show) and a full and a nearly full challenge.")
    return 1
