"""Factories for tests: plain, valid objects; tests say what is special about theirs."""

import datetime

import factory
from django.contrib.auth.hashers import make_password

from core import clock
from people.models import Frequency, Kind, Relationship, Team, User
from sessions_app import brought_forward, kept
from sessions_app.models import Action, Attendance, Feedback, Format, Item, Session, Status

PASSWORD = "correct-horse-battery"


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = factory.Sequence(lambda n: f"Person {n}")
    start_date_in_post = datetime.date(2020, 1, 6)
    # Hashed before the row is written: one INSERT, not an INSERT and an UPDATE.
    password = factory.LazyFunction(lambda: make_password(PASSWORD))


class NewTeamFactory(TeamFactory):
    """A team that does not exist yet: one INSERT, without get-or-create's look-up first (the
    cast builds its teams and people in an empty database, for every test)."""

    class Meta:
        django_get_or_create = ()


class NewUserFactory(UserFactory):
    """A person who does not exist yet (`NewTeamFactory`)."""

    class Meta:
        django_get_or_create = ()


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Relationship

    supervisor = factory.SubFactory(UserFactory)
    supervisee = factory.SubFactory(UserFactory)
    kind = Kind.LINE
    frequency = Frequency.MONTHLY
    start_date = datetime.date(2024, 1, 1)


class SessionFactory(factory.django.DjangoModelFactory):
    """A held one-to-one by default; pass `supervisee=` or `attendees=[(person, present)]`."""

    class Meta:
        model = Session
        skip_postgeneration_save = True

    supervisor = factory.SubFactory(UserFactory)
    format = Format.ONE_TO_ONE
    group_type = ""
    date = datetime.date(2026, 1, 15)
    duration_minutes = 90
    status = Status.HELD

    @factory.post_generation
    def supervisee(obj, create, extracted, **kwargs):
        if create and extracted is not None:
            Attendance.objects.create(
                session=obj, person=extracted, present=True, session_date=obj.date
            )

    @factory.post_generation
    def attendees(obj, create, extracted, **kwargs):
        if create and extracted:
            for person, present in extracted:
                Attendance.objects.create(
                    session=obj, person=person, present=present, session_date=obj.date
                )

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # As every write does (sessions_app.kept): the months the session counts in are kept.
        super()._after_postgeneration(instance, create, results)
        if create:
            kept.refresh(kept.keys_of_session(instance))
            kept.refresh_sessions(kept.session_key(instance))
            brought_forward.refresh(
                brought_forward.affected_by_session(brought_forward.SessionState(instance))
            )


class GroupSessionFactory(SessionFactory):
    format = Format.GROUP
    group_type = "team"


class ItemFactory(factory.django.DjangoModelFactory):
    """An item; pass `functions=[...]`, `stages=[...]`, `stakeholders=[...]` as key lists."""

    class Meta:
        model = Item
        exclude = ("functions", "stages", "stakeholders")

    session = factory.SubFactory(SessionFactory)
    title = factory.Sequence(lambda n: f"Item {n}")
    minutes = 30
    functions = ("management",)
    stages = ()
    stakeholders = ()

    function_management = factory.LazyAttribute(lambda o: "management" in o.functions)
    function_development = factory.LazyAttribute(lambda o: "development" in o.functions)
    function_support = factory.LazyAttribute(lambda o: "support" in o.functions)
    function_mediation = factory.LazyAttribute(lambda o: "mediation" in o.functions)
    stage_experience = factory.LazyAttribute(lambda o: "experience" in o.stages)
    stage_reflection = factory.LazyAttribute(lambda o: "reflection" in o.stages)
    stage_analysis = factory.LazyAttribute(lambda o: "analysis" in o.stages)
    stage_plans_actions = factory.LazyAttribute(lambda o: "plans_actions" in o.stages)
    stakeholder_supervisee = factory.LazyAttribute(lambda o: "supervisee" in o.stakeholders)
    stakeholder_people = factory.LazyAttribute(lambda o: "people" in o.stakeholders)
    stakeholder_organisation = factory.LazyAttribute(lambda o: "organisation" in o.stakeholders)
    stakeholder_partners = factory.LazyAttribute(lambda o: "partners" in o.stakeholders)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        super()._after_postgeneration(instance, create, results)
        if create:
            kept.refresh(kept.keys_of_session(instance.session))


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        # As the services do: the sessions it is brought forward to are worked out again.
        super()._after_postgeneration(instance, create, results)
        if create:
            brought_forward.refresh(brought_forward.reviewing([instance.session_id]))

    session = factory.SubFactory(SessionFactory)
    description = factory.Sequence(lambda n: f"Action {n}")
    owner = factory.LazyAttribute(lambda o: o.session.supervisor)
    due_date = datetime.date(2026, 2, 1)


class FeedbackFactory(factory.django.DjangoModelFactory):
    """A supervisee's feedback on a session: every function about right unless told."""

    class Meta:
        model = Feedback

    session = factory.SubFactory(SessionFactory)
    person = factory.LazyAttribute(lambda o: o.session.supervisee)
    management = "about_right"
    development = "about_right"
    support = "about_right"
    mediation = "about_right"
    usefulness = 4


def held_session(supervisor, supervisee, days_ago: int, **minutes):
    """A one-to-one held `days_ago` days before today, an item of each function given its
    minutes: `held_session(sue, sam, 10, management=60, support=20)`."""
    session = SessionFactory(
        supervisor=supervisor,
        supervisee=supervisee,
        date=clock.today() - datetime.timedelta(days=days_ago),
    )
    for function, n in minutes.items():
        ItemFactory(session=session, minutes=n, functions=[function])
    return session
