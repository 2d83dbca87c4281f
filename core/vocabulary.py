"""The 4x4x4 model's keys, as DOMAIN.md spells them. Plain values: no database needed."""

FUNCTIONS = ("management", "development", "support", "mediation")
STAGES = ("experience", "reflection", "analysis", "plans_actions")
STAKEHOLDERS = ("supervisee", "people", "organisation", "partners")

FUNCTION_LABELS = {
    "management": "Management",
    "development": "Development",
    "support": "Support",
    "mediation": "Mediation",
}
STAGE_LABELS = {
    "experience": "Experience",
    "reflection": "Reflection",
    "analysis": "Analysis",
    "plans_actions": "Plans & actions",
}
STAKEHOLDER_LABELS = {
    "supervisee": "Supervisee",
    "people": "People who draw on care and support",
    "organisation": "The organisation",
    "partners": "Partners in the wider system",
}

FUNCTION_CHOICES = [(key, FUNCTION_LABELS[key]) for key in FUNCTIONS]
STAGE_CHOICES = [(key, STAGE_LABELS[key]) for key in STAGES]
STAKEHOLDER_CHOICES = [(key, STAKEHOLDER_LABELS[key]) for key in STAKEHOLDERS]


def function_field(key):
    return f"function_{key}"


def stage_field(key):
    return f"stage_{key}"


def stakeholder_field(key):
    return f"stakeholder_{key}"


# An item's tag columns: its functions, stages and stakeholders, in that order.
TAG_FIELDS = (
    *map(function_field, FUNCTIONS),
    *map(stage_field, STAGES),
    *map(stakeholder_field, STAKEHOLDERS),
)


def is_short_circuit(stages):
    """Plans & actions with neither reflection nor analysis: the quick fix (DOMAIN.md)."""
    stages = set(stages)
    return "plans_actions" in stages and not ({"reflection", "analysis"} & stages)


# What each element means, in a line, from the seed (seed/what-is-the-purpose-of-supervision.txt
# and DOMAIN.md): shown where people tag, and on the page that explains the model.
FUNCTION_DEFINITIONS = {
    "management": "Competent, accountable practice and performance: caseload, deadlines, "
    "procedures, quality.",
    "development": "Continuing professional development: learning and growing in the work.",
    "support": "A secure, trusting relationship: the emotional demands of the work, wellbeing.",
    "mediation": "A bridge between practice and the organisation: resources, policy, other "
    "agencies.",
}
STAGE_DEFINITIONS = {
    "experience": "What happened: the account of the work and what it was like.",
    "reflection": "Thinking about it: feelings, reactions, what it meant to the people involved.",
    "analysis": "Making sense of it: knowledge, research, risk and other explanations.",
    "plans_actions": "What to do next, decided together. Going straight from experience to "
    "plans, with no reflection or analysis, is the short-circuit (the quick fix).",
}
STAKEHOLDER_DEFINITIONS = {
    "supervisee": "The practitioner: their practice, learning and wellbeing.",
    "people": "The people who draw on care and support, and their families.",
    "organisation": "The organisation: its duties, priorities, policies and resources.",
    "partners": "Partners in the wider system: other agencies and professionals.",
}


def model_layers():
    """The three layers of the model, each with its elements: the key, the label, what it
    means and the id of its definition on a page (`def-function-management`)."""
    layers = [
        (
            "function",
            "The four functions: what supervision is for",
            FUNCTIONS,
            FUNCTION_LABELS,
            FUNCTION_DEFINITIONS,
        ),
        (
            "stage",
            "The reflective cycle: how a discussion works",
            STAGES,
            STAGE_LABELS,
            STAGE_DEFINITIONS,
        ),
        (
            "stakeholder",
            "The stakeholders: whose needs it meets",
            STAKEHOLDERS,
            STAKEHOLDER_LABELS,
            STAKEHOLDER_DEFINITIONS,
        ),
    ]
    return [
        {
            "kind": kind,
            "title": title,
            "elements": [
                {
                    "key": key,
                    "label": labels[key],
                    "definition": definitions[key],
                    "id": definition_id(kind, key),
                }
                for key in keys
            ],
        }
        for kind, title, keys, labels, definitions in layers
    ]


def definition_id(kind, key):
    """The id of an element's definition on a page: `def-stage-plans_actions`."""
    return f"def-{kind}-{key}"


def functions_in_words():
    """The four functions and what each means, in one paragraph: help beside a choice of them."""
    return " ".join(f"{FUNCTION_LABELS[key]}: {FUNCTION_DEFINITIONS[key]}" for key in FUNCTIONS)
