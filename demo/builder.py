"""The demo organisation: a council's adult and children's social care, six months of supervision.

Read top to bottom: who works where, who supervises whom, what supervision talks about, and then
one walk through the calendar that records every session through the services, the way a
supervisor would. A fixed random seed makes the demo the same for a given today.

Two people are there on purpose, so that a demo shows what the product is for:
Mark Jennings, whose supervision is dominated by management, and Kieran Walsh, whose supervision
is overdue. Everyone else is reasonably balanced and on time.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from fractions import Fraction

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from audit.models import AuditPolicy
from core import clock
from core.vocabulary import FUNCTIONS
from people.models import FocusAgreement, Frequency, Kind, Relationship, Team, User
from sessions_app.models import (
    Acknowledgement,
    Action,
    ActionReview,
    Attendance,
    Feedback,
    Format,
    GroupType,
    Item,
    Mode,
    Rating,
    RecordState,
    Response,
    ReviewOutcome,
    Session,
    Status,
)
from sessions_app.services import (
    ActionData,
    ItemData,
    SessionDetails,
    session_cancel,
    session_create,
    session_reschedule,
)

ORGANISATION = "Northbridge Council"
MAIL = "northbridge.example"
ADMIN_EMAIL = f"admin@{MAIL}"
DEMO_PASSWORD = "fourfold-demo"  # noqa: S105 - demo data only; the command says so when it runs.
SEED = 4444
HISTORY_DAYS = 182  # six months of supervision, ending today

MANAGEMENT_DOMINATED_EMAIL = f"mark.jennings@{MAIL}"
OVERDUE_EMAIL = f"kieran.walsh@{MAIL}"
# The people a demo should look at first: (name, email, why).
HIGHLIGHTS = [
    ("Mark Jennings", MANAGEMENT_DOMINATED_EMAIL, "management dominates his supervision"),
    ("Kieran Walsh", OVERDUE_EMAIL, "his one-to-one supervision is overdue"),
]


# --- The organisation -----------------------------------------------------------------------

ADULTS, CHILDREN = "adults", "children"


@dataclass(frozen=True)
class TeamRow:
    name: str
    area: str
    manager: str  # email of the team manager
    group_weekday: int  # the team's monthly group supervision: second <weekday> of the month


TEAMS = [
    TeamRow("Adult Social Care: North Locality", ADULTS, f"helen.okafor@{MAIL}", 1),
    TeamRow("Children's Assessment and Intervention", CHILDREN, f"david.marsh@{MAIL}", 2),
    TeamRow("Children in Care and Care Leavers", CHILDREN, f"priya.raman@{MAIL}", 3),
]


@dataclass(frozen=True)
class PersonRow:
    name: str
    email: str
    team: str | None  # team name
    in_post_days: int  # how long ago they started in post
    practitioner: bool = True
    login_role: str = ""  # shown in the printed demo logins when set


def _person(name, team, in_post_days, **kwargs):
    email = kwargs.pop("email", None) or f"{name.lower().replace(' ', '.')}@{MAIL}"
    return PersonRow(name, email, team, in_post_days, **kwargs)


AN, CA, CC = (team.name for team in TEAMS)

PEOPLE = [
    _person("Helen Okafor", AN, 3100, practitioner=False, login_role=f"manager, {AN}"),
    _person("David Marsh", CA, 2600, practitioner=False, login_role=f"manager, {CA}"),
    _person("Priya Raman", CC, 1900, practitioner=False, login_role=f"manager, {CC}"),
    _person(
        "Ruth Adeyemi",
        None,
        1200,
        email="ruth.adeyemi@reflect-supervision.example",
        practitioner=False,
        login_role="external practice supervisor",
    ),
    # Adult Social Care: North Locality
    _person(
        "Grace Whitfield",
        AN,
        2900,
        login_role="senior practitioner: supervisee and supervisor",
    ),
    _person("Tom Hughes", AN, 1400),
    _person("Aisha Khan", AN, 800, login_role="supervisee (balanced)"),
    _person("Megan Price", AN, 150, login_role="newly-qualified practitioner"),
    _person("Owen Davies", AN, 2200),
    _person("Lucy Brennan", AN, 600),
    _person("Samuel Osei", AN, 38, login_role="newly-qualified practitioner (weeks into post)"),
    # Children's Assessment and Intervention
    _person("Mark Jennings", CA, 1100, login_role="supervisee (management-dominated)"),
    _person("Chloe Adams", CA, 1700),
    _person("Jamal Ahmed", CA, 900),
    _person("Rebecca Taylor", CA, 2400),
    _person("Hannah Lewis", CA, 100),
    _person("Ben Carter", CA, 1300),
    _person("Zara Hussain", CA, 700),
    # Children in Care and Care Leavers
    _person("Kieran Walsh", CC, 1500, login_role="supervisee (overdue)"),
    _person("Emma Robinson", CC, 2000),
    _person("Natalie Green", CC, 1000),
    _person("Daniel Fraser", CC, 500),
    _person("Olivia Bennett", CC, 1800),
    _person("Ife Adebayo", CC, 650),
]

NEWLY_QUALIFIED_DAYS = 183  # in post for less than six months

# How supervision with each supervisee tends to go. "management" leaves little room for anything
# else; "overdue" stops being held five weeks before today; "reflective" is practice or external
# supervision, mostly development and support.
BALANCED, MANAGEMENT, OVERDUE, REFLECTIVE = "balanced", "management", "overdue", "reflective"

L, P, X = Kind.LINE, Kind.PRACTICE, Kind.EXTERNAL
W, F, M, S, NQ = (
    Frequency.WEEKLY,
    Frequency.FORTNIGHTLY,
    Frequency.MONTHLY,
    Frequency.SIX_WEEKLY,
    Frequency.NEWLY_QUALIFIED,
)

# (supervisor, supervisee, kind, frequency, pattern), by first name: every first name is unique.
RELATIONSHIPS = [
    ("Helen", "Grace", L, M, BALANCED),
    ("Helen", "Tom", L, M, BALANCED),
    ("Helen", "Aisha", L, M, BALANCED),
    ("Helen", "Megan", L, NQ, BALANCED),
    ("Grace", "Megan", P, M, REFLECTIVE),
    ("Grace", "Owen", L, M, BALANCED),
    ("Grace", "Lucy", L, M, BALANCED),
    ("Grace", "Samuel", L, NQ, BALANCED),
    ("David", "Mark", L, F, MANAGEMENT),
    ("David", "Chloe", L, M, BALANCED),
    ("David", "Jamal", L, M, BALANCED),
    ("David", "Rebecca", L, M, BALANCED),
    ("David", "Hannah", L, NQ, BALANCED),
    ("David", "Ben", L, M, BALANCED),
    ("David", "Zara", L, F, BALANCED),
    ("Priya", "Kieran", L, M, OVERDUE),
    ("Priya", "Emma", L, M, BALANCED),
    ("Priya", "Natalie", L, M, BALANCED),
    ("Priya", "Daniel", L, M, BALANCED),
    ("Priya", "Olivia", L, F, BALANCED),
    ("Priya", "Ife", L, M, BALANCED),
    ("Ruth", "Chloe", X, S, REFLECTIVE),
    ("Ruth", "Ben", X, S, REFLECTIVE),
    ("Ruth", "Emma", X, S, REFLECTIVE),
]

AGREEMENTS = {
    Kind.LINE: (
        "Line supervision between {supervisor} and {supervisee}, {frequency}, normally 90 "
        "minutes, in a private room or on video, protected from interruptions.\n\n"
        "We agree the agenda together at the start; either of us can add items. Over time we "
        "will give attention to all four functions: management (caseload and accountable "
        "practice), development (learning and CPD), support (the emotional impact of the work) "
        "and mediation (the link between practice and the organisation).\n\n"
        "{supervisor_first} writes the record within five working days and shares it; "
        "{supervisee_first} reads it and agrees or adds comments. Personal matters are recorded "
        "as confidential items. Cancelled sessions are rebooked within a week. We review this "
        "agreement every six months."
    ),
    Kind.PRACTICE: (
        "Practice supervision between {supervisor} (senior practitioner) and {supervisee}, "
        "{frequency}, alongside line supervision. The focus is reflective case discussion and "
        "professional development; caseload decisions stay with the line manager. "
        "{supervisor_first} keeps a short record, shared with {supervisee_first}."
    ),
    Kind.EXTERNAL: (
        "External supervision with {supervisor}, an independent practice supervisor "
        "commissioned by Northbridge Council, {frequency}. The space is for reflection on the "
        "emotional demands of the work and professional development. Records are brief and "
        "shared with {supervisee_first}; anything about risk to a person is passed to the line "
        "manager the same day."
    ),
}


# --- What supervision talks about -----------------------------------------------------------


@dataclass(frozen=True)
class Topic:
    """A discussion item as a supervisor might record it; `{case}` becomes a case reference."""

    title: str
    functions: tuple[str, ...]
    stages: tuple[str, ...]
    stakeholders: tuple[str, ...]
    notes: str
    area: str = ""  # ADULTS, CHILDREN, or "" for either
    risk: bool = False
    confidential: bool = False
    newly_qualified: bool = False
    action: str = ""
    action_owner: str = "supervisee"  # "supervisee", "supervisor" or another owner's name


EXP, REF, ANA, PLA = "experience", "reflection", "analysis", "plans_actions"
CYCLE = (EXP, REF, ANA, PLA)
QUICK_FIX = (EXP, PLA)
SUP, PPL, ORG, PAR = "supervisee", "people", "organisation", "partners"

MANAGEMENT_TOPICS = [
    Topic(
        "Caseload review",
        ("management",),
        QUICK_FIX,
        (ORG, PPL),
        "Went through the open cases one by one: priorities for the next month, two reviews "
        "overdue, one case ready to close.",
        action="Close or transfer the cases agreed today and update the allocation sheet",
    ),
    Topic(
        "Care Act assessment for {case}: timescales",
        ("management",),
        (EXP, ANA, PLA),
        (PPL, ORG),
        "Assessment started five weeks ago; still waiting for the occupational therapy report. "
        "Agreed what can be completed now and what to record as outstanding.",
        area=ADULTS,
        action="Complete the Care Act assessment for {case} and send it for authorisation",
    ),
    Topic(
        "Section 42 enquiry for {case}",
        ("management",),
        CYCLE,
        (PPL, PAR),
        "Concerns about financial abuse by a relative. Enquiry plan agreed; the care provider "
        "and the bank's vulnerable customer team have been contacted. Risk reviewed as medium, "
        "protection plan in place.",
        area=ADULTS,
        risk=True,
        action="Update the enquiry plan for {case} and arrange the outcome meeting",
    ),
    Topic(
        "Annual reviews backlog",
        ("management",),
        QUICK_FIX,
        (ORG, PPL),
        "Six annual reviews past their date. Ordered them by risk and change in need; two can "
        "be done by phone.",
        area=ADULTS,
        action="Book the three highest-priority overdue reviews",
    ),
    Topic(
        "Mental capacity assessment for {case}",
        ("management", "development"),
        CYCLE,
        (PPL, ORG),
        "Decision about a move into residential care. Looked at whether the assessment shows "
        "how the person weighed up the information, and how to record the best-interests "
        "decision.",
        area=ADULTS,
        action="Revise the capacity assessment for {case} with the points agreed",
    ),
    Topic(
        "Child protection plan for {case}: core group progress",
        ("management",),
        (EXP, ANA, PLA),
        (PPL, PAR),
        "Core group met last week. Two actions in the plan are behind (school attendance, GP "
        "registration). Agreed what to escalate and the date of the next visit.",
        area=CHILDREN,
        risk=True,
        action="Chase the outstanding core group actions for {case} before the review conference",
    ),
    Topic(
        "Single assessment timescales",
        ("management",),
        QUICK_FIX,
        (ORG, PPL),
        "Three assessments close to the 45-working-day limit. Agreed which can be finished this "
        "week and which need an extension recorded with reasons.",
        area=CHILDREN,
        action="Complete the two assessments due this week and record the extension for the third",
    ),
    Topic(
        "Section 47 enquiry for {case}",
        ("management",),
        CYCLE,
        (PPL, PAR),
        "Strategy discussion after nursery reported a bruise. Went through the evidence, the "
        "child's account and the parents' explanation; agreed the threshold for an initial "
        "child protection conference is met.",
        area=CHILDREN,
        risk=True,
        action="Write up the section 47 outcome for {case} and request the conference",
    ),
    Topic(
        "Statutory visits and recording",
        ("management",),
        QUICK_FIX,
        (ORG, PPL),
        "Two statutory visits fall due in the next fortnight; one was late last month. Checked "
        "the diary and the case-note backlog.",
        area=CHILDREN,
        action="Book the statutory visits due this fortnight and record last week's visit",
    ),
    Topic(
        "Court statement deadline for {case}",
        ("management",),
        QUICK_FIX,
        (ORG, PPL),
        "Final evidence is due in nine days. Went through the structure of the statement and "
        "what legal services need by Friday.",
        area=CHILDREN,
        action="Send the draft statement for {case} to legal services by Friday",
    ),
    Topic(
        "Pathway plan review for {case}",
        ("management", "mediation"),
        (EXP, ANA, PLA),
        (PPL, PAR),
        "Care leaver turns 18 in three months. Housing and education sections incomplete; "
        "handover date to the personal adviser agreed.",
        area=CHILDREN,
        action="Update the pathway plan for {case} with the housing options",
    ),
    Topic(
        "Recording audit feedback",
        ("management",),
        (EXP, REF, PLA),
        (ORG, SUP),
        "The quarterly audit graded two records 'requires improvement': case notes not written "
        "up within 48 hours and little analysis in one assessment. Talked through what got in "
        "the way.",
        action="Bring the case notes up to date on the two audited cases",
    ),
    Topic(
        "Workload and caseload numbers",
        ("management", "support"),
        (EXP, REF, PLA),
        (SUP, ORG),
        "Caseload is above the team average. Talked about what feels unmanageable and what can "
        "move; agreed no new allocations for two weeks.",
        action="Move one case to the duty team",
        action_owner="supervisor",
    ),
]

DEVELOPMENT_TOPICS = [
    Topic(
        "Reflecting on a home visit for {case}",
        ("development", "support"),
        (EXP, REF, ANA),
        (SUP, PPL),
        "The visit did not go as planned. Slowed down to look at what happened, what the "
        "practitioner felt at the time, and what the family's response might mean.",
    ),
    Topic(
        "Strengths-based practice with {case}",
        ("development",),
        (REF, ANA, PLA),
        (PPL, SUP),
        "Explored what the person wants from their life rather than which services are free; "
        "found community groups and family strengths to build the plan around.",
        area=ADULTS,
        action="Revisit the support plan for {case} with the person, starting from what matters "
        "to them",
    ),
    Topic(
        "Professional curiosity in {case}",
        ("development",),
        (REF, ANA),
        (PPL,),
        "Wondered together what else might explain the pattern of missed health appointments. "
        "The father's role is largely unknown.",
        area=CHILDREN,
        action="Arrange to meet the father in {case}",
    ),
    Topic(
        "Learning from a safeguarding adults review",
        ("development",),
        (REF, ANA, PLA),
        (SUP, ORG, PPL),
        "Read the local review on self-neglect together and talked about what its findings on "
        "professional curiosity and multi-agency working mean for current cases.",
        area=ADULTS,
        action="Bring a self-neglect case to the next team case discussion",
    ),
    Topic(
        "Learning from a child safeguarding practice review",
        ("development",),
        (REF, ANA, PLA),
        (SUP, ORG, PPL),
        "Read the local practice review on neglect together and talked about what its findings "
        "on drift and the voice of the child mean for current cases.",
        area=CHILDREN,
        action="Add the child's own words to the assessment summaries on open cases",
    ),
    Topic(
        "Direct observation of practice: feedback",
        ("development",),
        CYCLE,
        (SUP, PPL),
        "Feedback on the observed review meeting: warm, clear explanations; less room was given "
        "to the person's own view of the risks.",
        action="Write a reflective account of the observation for the CPD record",
    ),
    Topic(
        "CPD and training plan",
        ("development",),
        (REF, PLA),
        (SUP, ORG),
        "Reviewed this year's learning goals and how they fit the team's needs; interested in "
        "the systemic practice course.",
        action="Apply for the training place discussed",
    ),
    Topic(
        "ASYE portfolio progress",
        ("development", "management"),
        (REF, ANA, PLA),
        (SUP, ORG),
        "Reviewed the critical reflection log and the next assessment point against the "
        "Knowledge and Skills Statement.",
        newly_qualified=True,
        action="Complete the next reflective log for the ASYE portfolio",
    ),
    Topic(
        "Using a genogram in the assessment of {case}",
        ("development",),
        (EXP, REF, ANA),
        (PPL, SUP),
        "Drew the family network together; it showed a grandmother who has not been asked what "
        "support she could offer.",
        area=CHILDREN,
    ),
    Topic(
        "Applying the Mental Capacity Act in practice",
        ("development",),
        (REF, ANA),
        (SUP, PPL),
        "Talked through unwise decisions versus lack of capacity, using two current cases as "
        "examples.",
        area=ADULTS,
    ),
]

SUPPORT_TOPICS = [
    Topic(
        "Wellbeing check-in",
        ("support",),
        (EXP, REF),
        (SUP,),
        "How the last month has been. Sleeping better since the workload change; still finding "
        "it hard to switch off in the evenings.",
    ),
    Topic(
        "Impact of a distressing visit for {case}",
        ("support", "development"),
        (EXP, REF, ANA),
        (SUP,),
        "Found the visit upsetting. Time to talk it through and to notice how it connected with "
        "an earlier case. Agreed to check in again next week.",
    ),
    Topic(
        "Managing hostility in {case}",
        ("support", "management"),
        CYCLE,
        (SUP, PPL),
        "A family member has been verbally aggressive on two visits. Talked about personal "
        "safety, joint visiting and keeping the focus on the person at the centre.",
        risk=True,
        action="Arrange joint visits for {case} until the risk assessment is reviewed",
        action_owner="supervisor",
    ),
    Topic(
        "Feeling stuck with {case}",
        ("support", "development"),
        (EXP, REF, ANA),
        (SUP, PPL),
        "Nothing seems to shift and the practitioner feels they are failing. Separated what is "
        "in their control from what is not.",
    ),
    Topic(
        "Confidence after a difficult court hearing",
        ("support", "development"),
        (EXP, REF),
        (SUP,),
        "Cross-examination was hard. Talked about what went well, what was out of the "
        "practitioner's hands, and how to prepare next time.",
        area=CHILDREN,
    ),
    Topic(
        "Team relationships",
        ("support", "mediation"),
        (EXP, REF),
        (SUP, ORG),
        "Feeling isolated since the team moved to hybrid working. Talked about the duty rota "
        "and the team's office days.",
    ),
]

# Personal matters (SCIE): recorded as confidential, so only the two of them read the words.
CONFIDENTIAL_TOPIC = Topic(
    "Personal circumstances",
    ("support",),
    (EXP, REF, PLA),
    (SUP,),
    "A personal matter affecting work. Agreed flexible start times for the next month and an "
    "occupational health referral if it would help.",
    confidential=True,
)

MEDIATION_TOPICS = [
    Topic(
        "Delays in continuing healthcare decisions",
        ("mediation",),
        (EXP, ANA, PLA),
        (PAR, PPL, ORG),
        "Two people waiting more than eight weeks for a decision, one of them still in "
        "hospital. Agreed to escalate through the joint funding panel.",
        area=ADULTS,
        action="Raise the continuing healthcare delays at the joint funding panel",
        action_owner="supervisor",
    ),
    Topic(
        "No home care available for {case}",
        ("mediation", "management"),
        (EXP, ANA, PLA),
        (ORG, PAR, PPL),
        "Brokerage has not found a provider in three weeks; the family is covering the gaps. "
        "Talked about interim options and how to escalate.",
        area=ADULTS,
        action="Find an interim home care provider for {case}",
        action_owner="Brokerage team",
    ),
    Topic(
        "Threshold disagreement with the school about {case}",
        ("mediation",),
        CYCLE,
        (PAR, PPL),
        "The school feel a child protection enquiry is needed; the assessment so far does not "
        "support it. Talked about the escalation policy and keeping the relationship with the "
        "school.",
        area=CHILDREN,
        action="Meet the school's designated safeguarding lead about {case}",
    ),
    Topic(
        "Police information-sharing delays",
        ("mediation",),
        QUICK_FIX,
        (PAR, ORG),
        "Police checks are taking over a week, holding up strategy discussions.",
        area=CHILDREN,
        action="Raise the information-sharing delays at the partnership meeting",
        action_owner="supervisor",
    ),
    Topic(
        "New case recording system",
        ("mediation",),
        (EXP, REF, PLA),
        (ORG, SUP),
        "Frustration with the new forms: they add time and the analysis box is easy to skip. "
        "Agreed to pass specific examples to the implementation team.",
        action="Send examples of the form problems to the implementation team",
        action_owner="supervisor",
    ),
    Topic(
        "Explaining a panel decision for {case}",
        ("mediation", "support"),
        (EXP, REF, ANA),
        (PPL, ORG),
        "The funding panel turned down the proposed plan. Talked about the practitioner's "
        "disagreement with the decision and how to explain it honestly to the family.",
    ),
    Topic(
        "Service restructure: what changes for the team",
        ("mediation", "support"),
        (EXP, REF),
        (ORG, SUP),
        "What the proposed restructure means for caseloads and office bases; what is known and "
        "what is rumour.",
    ),
    Topic(
        "Housing options for {case}",
        ("mediation",),
        (EXP, ANA, PLA),
        (PAR, PPL),
        "Current housing is unsuitable. Went through the housing options pathway and who to "
        "contact.",
        action="Refer {case} to the housing options team",
    ),
]

GROUP_TOPICS = [
    Topic(
        "Case discussion: {case}, using the reflective group model",
        ("development", "support"),
        CYCLE,
        (SUP, PPL),
        "One practitioner presented; the group asked questions, offered hypotheses and the "
        "presenter chose what to take forward.",
    ),
    Topic(
        "Practice update: revised safeguarding procedures",
        ("management", "mediation"),
        QUICK_FIX,
        (ORG, PAR),
        "What changed in the multi-agency procedures this quarter and what it means for referrals.",
    ),
    Topic(
        "Team wellbeing and workload",
        ("support", "management"),
        (EXP, REF),
        (SUP, ORG),
        "A round of how everyone is doing; pressures from vacancies and what would help.",
    ),
    Topic(
        "Learning from audit themes",
        ("development", "management"),
        (REF, ANA, PLA),
        (ORG, PPL),
        "Themes from this quarter's case audits: analysis in assessments, the person's voice in "
        "records.",
    ),
    Topic(
        "Working with partners",
        ("mediation",),
        (EXP, REF, ANA),
        (PAR,),
        "What gets in the way with health, schools and housing, and what has worked.",
    ),
    Topic(
        "Reflecting on a complaint",
        ("development", "mediation"),
        (EXP, REF, ANA),
        (PPL, ORG),
        "A complaint about communication, anonymised. What the family experienced and what the "
        "team could do differently.",
    ),
]

CANCELLED_BY_SUPERVISOR_REASONS = [
    "Called to an urgent strategy meeting.",
    "Covering duty: two team members off sick.",
    "Attending court for care proceedings.",
    "Unwell.",
]
CANCELLED_BY_SUPERVISEE_REASONS = [
    "Emergency home visit following a safeguarding concern.",
    "Annual leave; the date was missed when booking.",
    "A hospital discharge meeting that could not be moved.",
    "Unwell.",
]
ACKNOWLEDGEMENT_COMMENTS = [
    "Agree. One correction: the joint visit is booked for Thursday, not Tuesday.",
    "Agree, but I'd like the record to say my caseload is still above the agreed level.",
    "Agree. Please add that I had already raised the delay with the hospital team.",
    "Agree. I found the case discussion really helpful.",
]
DISAGREEMENT = (
    "I disagree with the caseload item. The record says I agreed to take two new allocations; I "
    "said I could take one once the court statement is filed."
)
FEEDBACK_COMMENTS = [
    "",
    "Helpful to have time to think, not just plan.",
    "Good session; I'd like more time on my training plan next time.",
    "Felt listened to.",
]
MANAGEMENT_DOMINATED_COMMENT = (
    "Nearly all of it was caseload numbers and deadlines again. I wanted time to think through "
    "the court work and how it is affecting me."
)


# --- Loading ----------------------------------------------------------------------------------


class Outcome(StrEnum):
    LOADED = "loaded"
    ALREADY_LOADED = "already loaded"
    SKIPPED = "skipped"


@dataclass
class LoadResult:
    outcome: Outcome
    counts: dict[str, int] = field(default_factory=dict)


def demo_logins():
    """(email, role) of the people worth logging in as, administrator first."""
    return [(ADMIN_EMAIL, "administrator")] + [
        (person.email, person.login_role) for person in PEOPLE if person.login_role
    ]


def demo_is_loaded():
    """The administrator's email or a demo team's name marks the demo as already there."""
    return (
        User.objects.filter(email=ADMIN_EMAIL).exists()
        or Team.objects.filter(name__in=[row.name for row in TEAMS]).exists()
    )


@transaction.atomic
def demo_load(*, if_empty=False, today=None) -> LoadResult:
    """Load the demo organisation once; a second run, or a database in use, writes nothing."""
    if demo_is_loaded():
        return LoadResult(Outcome.ALREADY_LOADED)
    if if_empty and User.objects.exists():
        return LoadResult(Outcome.SKIPPED)
    builder = _Builder(today or clock.today())
    # A history row per save would more than double the load time: record without history,
    # then write each object's first history row in bulk, dated when it was written.
    with override_settings(SIMPLE_HISTORY_ENABLED=False):
        builder.build()
    builder.write_history()
    counts = {
        "teams": Team.objects.count(),
        "people": User.objects.count(),
        "relationships": Relationship.objects.count(),
        "sessions": Session.objects.count(),
    }
    return LoadResult(Outcome.LOADED, counts)


def weekday_on_or_after(day):
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def weekday_on_or_before(day):
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def second_weekday_of_month(year, month, weekday):
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7)


@dataclass
class Slot:
    """A session on the calendar, before it is recorded."""

    day: date
    status: str
    relationship: Relationship | None = None
    pattern: str = BALANCED
    team: Team | None = None
    reason: str = ""
    moved_to: date | None = None


class _Builder:
    def __init__(self, today):
        self.today = today
        self.first_day = today - timedelta(days=HISTORY_DAYS)
        self.rng = random.Random(SEED)
        self.people = {}  # first name -> User
        self.practitioner_ids = set()
        self.team_manager = {}  # Team id -> User
        self.teams = {}  # name -> Team
        self.area = {}  # Team id -> ADULTS or CHILDREN
        self.caseloads = {}  # User id -> case references
        self.open_actions = {}  # (supervisor id, supervisee id) -> [Action id]
        self.cancel_counter = 0
        self.disagreement_recorded = False
        self.session_ids = []

    def build(self):
        AuditPolicy.current()
        self.create_people()
        relationships = self.create_relationships()
        slots = []
        for relationship, pattern in relationships:
            slots += self.one_to_one_slots(relationship, pattern)
        for team in self.teams.values():
            slots += self.group_slots(team)
        # Walk the calendar in order, so each session reviews the actions of the one before it.
        for slot in sorted(slots, key=lambda s: (s.day, s.team is not None)):
            self.record(slot)
        self.agree_focus()

    # People, teams and relationships ---------------------------------------------------------

    def create_people(self):
        # Hashing is deliberately slow; hash the one demo password once and share the hash.
        password = make_password(DEMO_PASSWORD)
        User.objects.create(
            email=ADMIN_EMAIL,
            name="Alex Morgan",
            password=password,
            is_staff=True,
            is_superuser=True,
        )
        for row in TEAMS:
            team = Team.objects.create(name=row.name)
            self.teams[row.name] = team
            self.area[team.pk] = row.area
        for row in PEOPLE:
            person = User.objects.create(
                email=row.email,
                name=row.name,
                password=password,
                team=self.teams.get(row.team),
                start_date_in_post=self.today - timedelta(days=row.in_post_days),
            )
            if row.practitioner:
                self.practitioner_ids.add(person.pk)
            self.people[row.name.split()[0]] = person
            self.caseloads[person.pk] = [f"C-{self.rng.randint(10000, 99999)}" for _ in range(5)]
        for row in TEAMS:
            team = self.teams[row.name]
            manager = next(p for p in self.people.values() if p.email == row.manager)
            team.managers.add(manager)
            self.team_manager[team.pk] = manager

    def create_relationships(self):
        created = []
        for supervisor_name, supervisee_name, kind, frequency, pattern in RELATIONSHIPS:
            supervisor = self.people[supervisor_name]
            supervisee = self.people[supervisee_name]
            # Newly-qualified staff start with their post; others have had a while together.
            start = max(supervisee.start_date_in_post, self.today - timedelta(days=420))
            relationship = Relationship.objects.create(
                supervisor=supervisor,
                supervisee=supervisee,
                kind=kind,
                frequency=frequency,
                start_date=start,
                agreement=AGREEMENTS[kind].format(
                    supervisor=supervisor.name,
                    supervisee=supervisee.name,
                    supervisor_first=supervisor_name,
                    supervisee_first=supervisee_name,
                    frequency=Frequency(frequency).label.lower(),
                ),
            )
            created.append((relationship, pattern))
        return created

    # The calendar ------------------------------------------------------------------------------

    def cadence(self, relationship, day):
        """Days to the next session: the expected interval, in whole weeks so the weekday holds.

        Each session is booked no later than the interval after the last one, so nobody but the
        overdue supervisee is ever overdue.
        """
        return relationship.interval_on(day) // 7 * 7

    def one_to_one_slots(self, relationship, pattern):
        if pattern == OVERDUE:
            return self.overdue_slots(relationship)
        if relationship.start_date > self.first_day:
            day = weekday_on_or_after(relationship.start_date + timedelta(days=2))
        else:
            offset = self.rng.randrange(self.cadence(relationship, self.first_day))
            day = weekday_on_or_after(self.first_day + timedelta(days=offset))
        slots = []
        while day < self.today:
            step = self.cadence(relationship, day)
            if step >= 14 and day <= self.today - timedelta(days=21):
                self.cancel_counter += 1
                if self.cancel_counter % 9 == 0:
                    slots += self.cancelled_and_rebooked(relationship, pattern, day)
                    day += timedelta(days=step)
                    continue
            slots.append(Slot(day, Status.HELD, relationship, pattern))
            day += timedelta(days=step)
        slots.append(Slot(day, Status.PLANNED, relationship, pattern))
        return slots

    def cancelled_and_rebooked(self, relationship, pattern, day):
        by_supervisee = self.cancel_counter % 18 == 0
        if by_supervisee:
            status = Status.CANCELLED_BY_SUPERVISEE
            reason = self.rng.choice(CANCELLED_BY_SUPERVISEE_REASONS)
        else:
            status = Status.CANCELLED_BY_SUPERVISOR
            reason = self.rng.choice(CANCELLED_BY_SUPERVISOR_REASONS)
        rebooked = weekday_on_or_after(day + timedelta(days=self.rng.randint(3, 6)))
        return [
            Slot(day, status, relationship, pattern, reason=reason),
            Slot(rebooked, Status.HELD, relationship, pattern),
        ]

    def overdue_slots(self, relationship):
        """Monthly until about six weeks ago; then a cancellation and a session moved forward."""
        last_held = weekday_on_or_before(self.today - timedelta(days=45))
        slots = []
        day = last_held
        while day >= max(self.first_day, relationship.start_date):
            slots.append(Slot(day, Status.HELD, relationship, BALANCED))
            day -= timedelta(days=28)
        slots.append(
            Slot(
                last_held + timedelta(days=28),
                Status.CANCELLED_BY_SUPERVISOR,
                relationship,
                reason="Called to an urgent strategy meeting; rebooked for next week.",
            )
        )
        slots.append(
            Slot(
                last_held + timedelta(days=35),
                Status.RESCHEDULED,
                relationship,
                reason="Kieran in court all day for a final hearing.",
                moved_to=weekday_on_or_after(self.today + timedelta(days=4)),
            )
        )
        return slots

    def group_slots(self, team):
        weekday = next(row.group_weekday for row in TEAMS if row.name == team.name)
        year, month = self.first_day.year, self.first_day.month
        slots = []
        while True:
            day = second_weekday_of_month(year, month, weekday)
            if day >= self.first_day:
                if day >= self.today:
                    slots.append(Slot(day, Status.PLANNED, team=team))
                    return slots
                slots.append(Slot(day, Status.HELD, team=team))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    # Recording ---------------------------------------------------------------------------------

    def record(self, slot):
        rng = self.rng
        if slot.team is not None:
            supervisor = self.team_manager[slot.team.pk]
            members = [
                p
                for p in self.people.values()
                if p.team_id == slot.team.pk
                and p.pk in self.practitioner_ids
                and p.start_date_in_post <= slot.day
            ]
            attendance = {p.pk: rng.random() > 0.15 for p in members}
            details = SessionDetails(
                format=Format.GROUP,
                group_type=GroupType.TEAM,
                date=slot.day,
                duration_minutes=120,
                status=slot.status,
                start_time=time(13, 30),
            )
            supervisee = None
        else:
            supervisor = slot.relationship.supervisor
            supervisee = slot.relationship.supervisee
            attendance = {supervisee.pk: True}
            details = SessionDetails(
                format=Format.ONE_TO_ONE,
                date=slot.day,
                duration_minutes=self.duration(slot),
                status=Status.HELD if slot.status == Status.HELD else Status.PLANNED,
                start_time=rng.choice([time(9, 30), time(10, 0), time(13, 30), time(14, 0)]),
                mode=self.mode(slot),
            )

        if slot.status != Status.HELD:
            session = session_create(supervisor=supervisor, details=details, attendance=attendance)
            self.session_ids.append(session.pk)
            if slot.status in (Status.CANCELLED_BY_SUPERVISOR, Status.CANCELLED_BY_SUPERVISEE):
                session_cancel(
                    session=session,
                    by=supervisor,
                    by_supervisee=slot.status == Status.CANCELLED_BY_SUPERVISEE,
                    reason=slot.reason,
                )
            elif slot.status == Status.RESCHEDULED:
                moved = session_reschedule(
                    session=session,
                    by=supervisor,
                    new_date=slot.moved_to,
                    new_start_time=details.start_time,
                    reason=slot.reason,
                )
                self.session_ids.append(moved.pk)
            return

        if supervisee is None:
            cases = [c for pk in attendance for c in self.caseloads[pk]]
            discussed = self.group_items(details, cases, slot.team.pk)
            actions, reviews = [], {}
        else:
            discussed = self.one_to_one_items(slot, details)
            pair = (supervisor.pk, supervisee.pk)
            reviews, still_open = self.review_outcomes(self.open_actions.get(pair, []))
            actions = self.actions(discussed, supervisor, supervisee, slot.day)
        items = [item for _topic, item in discussed]
        session = session_create(
            supervisor=supervisor,
            details=details,
            attendance=attendance,
            items=items,
            actions=actions,
            reviews=reviews,
        )
        self.session_ids.append(session.pk)
        if supervisee is not None:
            new_actions = list(session.actions.values_list("pk", flat=True))
            self.open_actions[pair] = still_open + new_actions
        present = [pk for pk, here in attendance.items() if here]
        self.close_record(session, slot, items, present)

    def duration(self, slot):
        relationship = slot.relationship
        if relationship.interval_on(slot.day) == 7:
            return 60  # weekly sessions for a practitioner in their first weeks
        if slot.pattern == BALANCED and self.rng.random() < 0.12:
            return 60
        return 90

    def mode(self, slot):
        if slot.relationship.kind == Kind.EXTERNAL:
            return Mode.VIDEO if self.rng.random() < 0.7 else Mode.IN_PERSON
        return Mode.VIDEO if self.rng.random() < 0.25 else Mode.IN_PERSON

    def one_to_one_items(self, slot, details):
        supervisee = slot.relationship.supervisee
        team_pk = supervisee.team_id
        cases = self.caseloads[supervisee.pk]
        rng = self.rng
        if slot.pattern == MANAGEMENT:
            # Four management items crowd out the rest; support gets the last ten minutes.
            pool = [t for t in MANAGEMENT_TOPICS if t.functions == ("management",)]
            topics = self.pick(pool, 4, team_pk, supervisee)
            topics += self.pick(SUPPORT_TOPICS[:2], 1, team_pk, supervisee)
            minutes = self.fit([rng.choice([20, 25, 30]) for _ in range(4)] + [10], details)
            return self.item_data(topics, minutes, cases)
        if slot.pattern == REFLECTIVE:
            pools = [DEVELOPMENT_TOPICS, SUPPORT_TOPICS, MEDIATION_TOPICS]
            weights = [(30, 40), (20, 30), (10, 15)]
        else:
            pools = [MANAGEMENT_TOPICS, DEVELOPMENT_TOPICS, SUPPORT_TOPICS, MEDIATION_TOPICS]
            weights = [(20, 30), (15, 25), (15, 20), (10, 20)]
            if rng.random() < 0.3:
                pools, weights = pools[:3], weights[:3]  # no time for mediation this month
        topics, minutes = [], []
        for pool, (low, high) in zip(pools, weights, strict=True):
            if pool is SUPPORT_TOPICS and rng.random() < 0.04:
                topics.append(CONFIDENTIAL_TOPIC)
            else:
                topics += self.pick(pool, 1, team_pk, supervisee)
            minutes.append(rng.randrange(low, high + 1, 5))
        return self.item_data(topics, self.fit(minutes, details), cases)

    def group_items(self, details, cases, team_pk):
        topics = self.pick(GROUP_TOPICS, 3, team_pk, None)
        minutes = self.fit([self.rng.randrange(25, 41, 5) for _ in topics], details)
        return self.item_data(topics, minutes, cases)

    def pick(self, pool, count, team_pk, supervisee):
        area = self.area.get(team_pk, "")
        newly_qualified = supervisee is not None and (
            (self.today - supervisee.start_date_in_post).days < NEWLY_QUALIFIED_DAYS
        )
        fitting = [
            t for t in pool if t.area in ("", area) and (newly_qualified or not t.newly_qualified)
        ]
        return self.rng.sample(fitting, count)

    def fit(self, minutes, details):
        """Trim the longest items until they fit in the session, leaving time to open and close."""
        budget = details.duration_minutes - 5
        minutes = list(minutes)
        while sum(minutes) > budget:
            longest = minutes.index(max(minutes))
            minutes[longest] -= 5
        return minutes

    def item_data(self, topics, minutes, cases):
        """(topic, ItemData) pairs: the topic says which action, if any, the item leads to."""
        discussed = []
        for topic, item_minutes in zip(topics, minutes, strict=True):
            case = self.rng.choice(cases)
            has_case = "{case}" in topic.title or "{case}" in topic.action
            discussed.append(
                (
                    topic,
                    ItemData(
                        title=topic.title.format(case=case),
                        minutes=item_minutes,
                        functions=list(topic.functions),
                        stages=list(topic.stages),
                        stakeholders=list(topic.stakeholders),
                        notes=topic.notes,
                        case_ref=case if has_case else "",
                        risk=topic.risk,
                        confidential=topic.confidential,
                    ),
                )
            )
        return discussed

    def actions(self, discussed, supervisor, supervisee, day):
        actions = []
        for topic, item in discussed:
            if not topic.action or len(actions) == 3:
                continue
            owner = {"supervisee": supervisee, "supervisor": supervisor}.get(topic.action_owner)
            actions.append(
                ActionData(
                    description=topic.action.format(case=item.case_ref),
                    owner_id=owner.pk if owner else None,
                    owner_name="" if owner else topic.action_owner,
                    due_date=day + timedelta(days=self.rng.choice([14, 21, 28])),
                )
            )
        return actions

    def review_outcomes(self, open_action_ids):
        """Most open actions are done by next time; some are carried forward, a few dropped."""
        reviews, still_open = {}, []
        for action_id in open_action_ids:
            roll = self.rng.random()
            if roll < 0.65:
                reviews[action_id] = ReviewOutcome.DONE
            elif roll < 0.92:
                reviews[action_id] = ReviewOutcome.CARRIED_FORWARD
                still_open.append(action_id)
            else:
                reviews[action_id] = ReviewOutcome.DROPPED
        return reviews, still_open

    def close_record(self, session, slot, items, present):
        """Share and sign off older records, with the supervisees' answers and feedback."""
        rng = self.rng
        age = (self.today - slot.day).days
        if age < 6:
            return  # still a draft
        delay = rng.choice([1, 2, 2, 3, 4]) if rng.random() > 0.06 else rng.randint(9, 12)
        shared_on = min(slot.day + timedelta(days=delay), self.today - timedelta(days=1))
        session.record_state = RecordState.SHARED
        session.shared_at = self.moment(shared_on, time(16, 30))
        answers = age > 21 or rng.random() < 0.5
        if age > 21 and rng.random() > 0.05:
            session.record_state = RecordState.SIGNED_OFF
            signed_on = min(shared_on + timedelta(days=rng.randint(2, 7)), self.today)
            session.signed_off_at = self.moment(signed_on, time(11, 0))
        session.save(update_fields=["record_state", "shared_at", "signed_off_at"])

        answered_at = self.moment(shared_on + timedelta(days=1), time(9, 15))
        if answers:
            for person_id in present:
                self.acknowledge(session, slot, person_id, answered_at)
        if slot.team is None and (rng.random() < 0.3 or (slot.pattern == MANAGEMENT and age < 90)):
            self.give_feedback(session, slot, items, present[0], answered_at)

    def acknowledge(self, session, slot, person_id, answered_at):
        response, comments = Response.AGREE, ""
        if (
            slot.pattern == MANAGEMENT
            and session.record_state == RecordState.SIGNED_OFF
            and (self.today - slot.day).days < 90
            and not self.disagreement_recorded
        ):
            response, comments = Response.DISAGREE, DISAGREEMENT
            self.disagreement_recorded = True
        elif self.rng.random() < 0.15:
            response = Response.AGREE_WITH_COMMENTS
            comments = self.rng.choice(ACKNOWLEDGEMENT_COMMENTS)
        acknowledgement = Acknowledgement.objects.create(
            session=session, person_id=person_id, response=response, comments=comments
        )
        Acknowledgement.objects.filter(pk=acknowledgement.pk).update(created_at=answered_at)

    def give_feedback(self, session, slot, items, person_id, answered_at):
        shares = function_shares(items)
        ratings = {}
        for function in FUNCTIONS:
            share = shares[function]
            if share > Fraction(45, 100):
                ratings[function] = Rating.TOO_MUCH
            elif share < Fraction(10, 100):
                ratings[function] = Rating.TOO_LITTLE
            else:
                ratings[function] = Rating.ABOUT_RIGHT
        dominated = next((f for f in FUNCTIONS if shares[f] > Fraction(1, 2)), "")
        least = min(FUNCTIONS, key=lambda f: shares[f])
        if dominated == "management":
            usefulness, comments = self.rng.choice([2, 2, 3]), MANAGEMENT_DOMINATED_COMMENT
        else:
            usefulness = self.rng.choice([3, 4, 4, 5, 5])
            comments = self.rng.choice(FEEDBACK_COMMENTS)
        feedback = Feedback.objects.create(
            session=session,
            person_id=person_id,
            wants_more=least if self.rng.random() < 0.7 else "",
            dominated=dominated,
            usefulness=usefulness,
            comments=comments,
            **ratings,
        )
        Feedback.objects.filter(pk=feedback.pk).update(
            created_at=answered_at, updated_at=answered_at
        )

    def agree_focus(self):
        """Six weeks ago, after his feedback, Mark and David agreed to make room for the rest."""
        relationship = Relationship.objects.get(
            supervisee=self.people["Mark"], supervisor=self.people["David"], kind=Kind.LINE
        )
        FocusAgreement.objects.create(
            relationship=relationship,
            development=True,
            support=True,
            agreed_on=self.today - timedelta(days=42),
            notes="Mark said supervision has become a caseload check. Agreed to start each "
            "session with reflective case discussion and a wellbeing check-in, and to move "
            "caseload figures to a separate monthly meeting. Review in three months.",
            created_by=self.people["David"],
        )

    def write_history(self):
        """One "created" history row per demo object, by its author, when it was written."""
        sessions = Session.objects.filter(pk__in=self.session_ids).select_related("supervisor")
        written = {}
        for session in sessions:
            recorded_on = min(session.date, self.today - timedelta(days=1))
            written[session.pk] = (session.supervisor, self.moment(recorded_on, time(17, 0)))
            session._history_user = session.supervisor
            session._history_date = (
                session.signed_off_at or session.shared_at or written[session.pk][1]
            )
        Session.history.bulk_history_create(list(sessions))
        for model in (Attendance, Item, Action, ActionReview):
            objects = list(model.objects.filter(session_id__in=self.session_ids))
            for obj in objects:
                obj._history_user, obj._history_date = written[obj.session_id]
            model.history.bulk_history_create(objects)
        for model in (Acknowledgement, Feedback):
            objects = list(
                model.objects.filter(session_id__in=self.session_ids).select_related("person")
            )
            for obj in objects:
                obj._history_user, obj._history_date = obj.person, obj.created_at
            model.history.bulk_history_create(objects)

    def moment(self, day, at):
        return datetime.combine(day, at, tzinfo=timezone.get_current_timezone())


def function_shares(items):
    """Each function's share of the items' minutes; an item's minutes split evenly (DOMAIN.md)."""
    minutes = dict.fromkeys(FUNCTIONS, Fraction(0))
    for item in items:
        for function in item.functions:
            minutes[function] += Fraction(item.minutes, len(item.functions))
    total = sum(minutes.values())
    return {f: (minutes[f] / total if total else Fraction(0)) for f in FUNCTIONS}
