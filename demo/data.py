"""The demo organisation as data: Northbridge Council's teams, people and supervision.

Plain values only, read top to bottom: who works where, who supervises whom and how that tends
to go, what supervision talks about, and the words people write (reasons, comments, feedback).
`demo/builder.py` turns them into six months of sessions through the product's services.

Some people are there on purpose, so that a demo shows what the product is for:
Mark Jennings, whose supervision is dominated by management; Kieran Walsh, whose supervision
is overdue; Marcus Reid, a senior practitioner whose own supervision audit shows that management
takes most of the sessions he leads (though no one supervisee of his is flagged for it);
Zara Hussain, who moved team part-way; Olivia Bennett, who left; and the Reablement team,
supervised in groups only (the audit policy counts group sessions for regularity).
Everyone else is reasonably balanced and on time.
"""

from dataclasses import dataclass

from people.models import Frequency, Kind

ORGANISATION = "Northbridge Council"
MAIL = "northbridge.example"
ADMIN_EMAIL = f"admin@{MAIL}"
DEMO_PASSWORD = "fourfold-demo"  # noqa: S105 - demo data only; the command says so when it runs.
SEED = 4444
HISTORY_DAYS = 182  # six months of supervision, ending today

MANAGEMENT_DOMINATED_EMAIL = f"mark.jennings@{MAIL}"
OVERDUE_EMAIL = f"kieran.walsh@{MAIL}"
MANAGEMENT_HEAVY_SUPERVISOR_EMAIL = f"marcus.reid@{MAIL}"
MOVED_EMAIL = f"zara.hussain@{MAIL}"
LEAVER_EMAIL = f"olivia.bennett@{MAIL}"
GROUP_ONLY_TEAM = "Adult Social Care: Reablement"
# The people a demo should look at first: (name, email, why).
HIGHLIGHTS = [
    ("Mark Jennings", MANAGEMENT_DOMINATED_EMAIL, "management dominates his supervision"),
    ("Kieran Walsh", OVERDUE_EMAIL, "his supervision is overdue"),
    (
        "Marcus Reid",
        MANAGEMENT_HEAVY_SUPERVISOR_EMAIL,
        "his own supervision audit: management takes most of the sessions he leads",
    ),
    ("Zara Hussain", MOVED_EMAIL, "moved team and supervisor part-way"),
    ("Olivia Bennett", LEAVER_EMAIL, "left the council: not overdue since, her records kept"),
]


# --- The organisation -----------------------------------------------------------------------

ADULTS, CHILDREN = "adults", "children"


@dataclass(frozen=True)
class TeamRow:
    name: str
    area: str
    manager: str  # email of the team manager
    group_weekday: int  # the team's monthly group supervision: second <weekday> of the month
    # Supervised by group sessions only, every fortnight on <weekday>, with no one-to-ones
    # (the audit policy's group_counts_for_regularity makes them count).
    group_only: bool = False


TEAMS = [
    TeamRow("Adult Social Care: North Locality", ADULTS, f"helen.okafor@{MAIL}", 1),
    TeamRow("Children's Assessment and Intervention", CHILDREN, f"david.marsh@{MAIL}", 2),
    TeamRow("Children in Care and Care Leavers", CHILDREN, f"priya.raman@{MAIL}", 3),
    TeamRow(GROUP_ONLY_TEAM, ADULTS, f"sophie.clarke@{MAIL}", 1, group_only=True),
]
GROUP_ONLY_EVERY_DAYS = 14


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


AN, CA, CC, RE = (team.name for team in TEAMS)

PEOPLE = [
    _person("Helen Okafor", AN, 3100, practitioner=False, login_role=f"manager, {AN}"),
    _person("David Marsh", CA, 2600, practitioner=False, login_role=f"manager, {CA}"),
    _person("Priya Raman", CC, 1900, practitioner=False, login_role=f"manager, {CC}"),
    _person(
        "Sophie Clarke",
        RE,
        2300,
        practitioner=False,
        login_role=f"manager, {RE} (group supervision only)",
    ),
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
    _person(
        "Ben Carter",
        CA,
        1300,
        login_role="supervisee with an external supervisor (who sees his feedback)",
    ),
    # Children in Care and Care Leavers
    _person("Kieran Walsh", CC, 1500, login_role="supervisee (overdue)"),
    _person("Emma Robinson", CC, 2000),
    _person("Natalie Green", CC, 1000),
    _person("Daniel Fraser", CC, 500),
    _person("Olivia Bennett", CC, 1800),  # left (LEAVERS): her team is her last one
    _person("Ife Adebayo", CC, 650, login_role="supervisee with a request still open"),
    _person(
        "Marcus Reid",
        CC,
        2100,
        login_role="senior practitioner: his own supervision audit is management-heavy",
    ),
    # Moved from Children's Assessment and Intervention part-way (MOVES): her current team.
    _person("Zara Hussain", CC, 700, login_role="moved team and supervisor part-way"),
    # Reablement: supervised in groups only
    _person("Paul Mensah", RE, 1600, login_role="supervisee in a team supervised in groups only"),
    _person("Joy Okonkwo", RE, 900),
    _person("Liam Foster", RE, 1250),
    _person("Carla Duarte", RE, 700),
]

NEWLY_QUALIFIED_DAYS = 183  # in post for less than six months

# How supervision with each supervisee tends to go. "management" leaves little room for anything
# else; "management_heavy" gives management more than half of each one-to-one (their team's
# group sessions keep each supervisee's own balance under the threshold: only the supervisor's
# audit shows the pattern); "overdue" stops being held five weeks before today; "reflective"
# is practice or external supervision, mostly development and support; "group_only" has no
# one-to-ones at all (the team's fortnightly group sessions are its supervision).
BALANCED, MANAGEMENT, OVERDUE, REFLECTIVE = "balanced", "management", "overdue", "reflective"
MANAGEMENT_HEAVY, GROUP_ONLY = "management_heavy", "group_only"

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
    ("David", "Zara", L, F, BALANCED),  # ends when she moves (MOVES)
    ("Priya", "Kieran", L, M, OVERDUE),
    ("Priya", "Emma", L, M, BALANCED),
    ("Priya", "Natalie", L, M, BALANCED),
    ("Priya", "Marcus", L, M, BALANCED),
    ("Priya", "Olivia", L, F, BALANCED),  # ends when she leaves (LEAVERS)
    ("Marcus", "Daniel", L, M, MANAGEMENT_HEAVY),
    ("Marcus", "Ife", L, M, MANAGEMENT_HEAVY),
    ("Ruth", "Chloe", X, S, REFLECTIVE),
    ("Ruth", "Ben", X, S, REFLECTIVE),
    ("Ruth", "Emma", X, S, REFLECTIVE),
    ("Sophie", "Paul", L, M, GROUP_ONLY),
    ("Sophie", "Joy", L, M, GROUP_ONLY),
    ("Sophie", "Liam", L, M, GROUP_ONLY),
    ("Sophie", "Carla", L, M, GROUP_ONLY),
]


@dataclass(frozen=True)
class Move:
    """Someone who moved team `days_ago` days before today (the move's first day, a weekday).

    Their membership of `from_team` ends the day before and `to_team`'s starts that day (dated
    team membership); their line relationship ends the day before too, and a new one with
    `supervisor` is supervised from that day, as `import_people`'s supervised_from does it.
    """

    person: str  # first name, as in RELATIONSHIPS
    from_team: str
    to_team: str
    supervisor: str
    frequency: str
    days_ago: int


@dataclass(frozen=True)
class Leaver:
    """Someone who left the council: their last day was `days_ago` days before today (a
    weekday). Their relationships end that day (end_date), their membership too; their account
    is closed and their records are kept. Their last one-to-one is a week before they leave."""

    person: str
    days_ago: int


MOVES = [Move("Zara", CA, CC, "Priya", M, 63)]
LEAVERS = [Leaver("Olivia", 40)]

# One-to-ones held on the last three working days before today (newest first), whatever day
# today is: the demo always has records still in draft for a supervisor to finish and share.
RECENTLY_HELD = [("David", "Jamal"), ("Helen", "Aisha"), ("Priya", "Natalie")]
# Ben's last external session, this many working days before today: its record is shared and
# not yet signed off, so his feedback form is open and says who will see his answers.
AWAITING_SIGN_OFF = {("Ruth", "Ben"): 8}

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
# David's correction after Mark disagreed: a signed-off record is never edited, so it is added.
DISAGREEMENT_ADDENDUM = (
    "Correction following Mark's comments: Mark agreed to take one new allocation once the "
    "court statement is filed, not two. The second allocation has gone to the duty team."
)
# Now and then a supervisor adds something to a signed-off record.
ADDENDA = [
    "Addendum: the joint visit took place on the Thursday as planned; the risk assessment has "
    "been updated.",
    "Addendum: the training place discussed was confirmed after the session.",
    "Addendum: the case was transferred to the duty team the following week, as agreed.",
]

# Kieran's supervision slips: cancelled once, then moved for court, and not held since.
OVERDUE_CANCELLATION = "Called to an urgent strategy meeting; rebooked for next week."
OVERDUE_RESCHEDULE = "Kieran in court all day for a final hearing."


@dataclass(frozen=True)
class Focus:
    """A focus agreed by a supervisor and supervisee, `days_ago` days before today."""

    supervisor: str  # first names, as in RELATIONSHIPS
    supervisee: str
    functions: tuple[str, ...]
    days_ago: int
    notes: str


# Six weeks ago, after his feedback, Mark and David agreed to make room for the rest.
FOCUS_AGREEMENTS = [
    Focus(
        "David",
        "Mark",
        ("development", "support"),
        42,
        "Mark said supervision has become a caseload check. Agreed to start each session with "
        "reflective case discussion and a wellbeing check-in, and to move caseload figures to a "
        "separate monthly meeting. Review in three months.",
    ),
]


@dataclass(frozen=True)
class Request:
    """A supervisee raises something with their supervisor `days_ago` days before today (the
    supervisee's voice, at any time); the supervisor answers `answered_days_ago` days before
    today, or has not answered yet (None)."""

    supervisor: str
    supervisee: str
    kind: str  # people.models.RequestKind
    function: str
    proposed: tuple[str, ...]
    message: str
    days_ago: int
    answer: str = ""  # people.models.RequestAnswer
    answer_text: str = ""
    answered_days_ago: int | None = None


DOMINATING, WANT_MORE = "dominating", "want_more"
ACCEPTED, DISCUSS = "accepted", "discuss"

FOCUS_REQUESTS = [
    Request(
        "Marcus",
        "Daniel",
        DOMINATING,
        "management",
        ("development", "support"),
        "Our last few sessions have been nearly all caseload numbers and deadlines. I'd like "
        "time to think about the families, not only the timescales.",
        54,
        answer=DISCUSS,
        answer_text="Fair point. Bring the case you most want to think through next time and "
        "we'll start with it.",
        answered_days_ago=53,
    ),
    Request(
        "Grace",
        "Lucy",
        WANT_MORE,
        "support",
        ("support",),
        "It's been a hard few months with the hospital discharges. Could we keep some time each "
        "session for how I'm doing?",
        30,
        answer=ACCEPTED,
        answer_text="Agreed: we'll start each session with ten minutes on how you are.",
        answered_days_ago=29,
    ),
    # Still open: on Marcus's attention list today.
    Request(
        "Marcus",
        "Ife",
        WANT_MORE,
        "development",
        ("development",),
        "My training plan keeps being left to the last five minutes. Could we give it proper "
        "time, and do a reflective case discussion now and then?",
        3,
    ),
]


@dataclass(frozen=True)
class Reflection:
    """A supervisor's self-assessment, written `days_ago` days before today (audit.models)."""

    supervisor: str
    days_ago: int
    focus_most: str
    more_attention: str
    tensions: str
    support_needed: str


# Marcus thought he gave most time to development; his audit showed management. He wrote again.
SELF_ASSESSMENTS = [
    Reflection(
        "Marcus",
        96,
        "development",
        "support",
        "Not really: I see supervision as mainly about my supervisees' learning.",
        "",
    ),
    Reflection(
        "Marcus",
        12,
        "management",
        "development",
        "Since the two vacancies, the caseload and the court timescales have taken over; "
        "Daniel said as much. Casework decisions crowd out the reflective discussion I "
        "meant to have.\n\nI'll put the case discussion first and keep caseload figures to "
        "the last twenty minutes.",
        "Practice supervision for me with the principal social worker, and a review with "
        "Priya of how caseload checks could be done outside supervision.",
    ),
]

# Ben Carter's external supervision: he always says how it went. His line manager sees his
# answers only as counts on his balance page, never these words (the feedback-visibility
# setting: every feedback form says so).
ALWAYS_FEEDBACK = [("Ruth", "Ben")]
EXTERNAL_FEEDBACK_COMMENTS = [
    "Really useful to talk through the court case with someone outside the team.",
    "I'd like more time on my own wellbeing next time; we ran out.",
    "Helped me see the pattern in how I respond to hostile parents.",
]
# How many days after sign-off feedback may still come (the policy's window is 14 days).
LATE_FEEDBACK_DAYS = (1, 10)


def demo_logins():
    """(email, role) of the people worth logging in as, administrator first."""
    return [(ADMIN_EMAIL, "administrator")] + [
        (person.email, person.login_role) for person in PEOPLE if person.login_role
    ]
