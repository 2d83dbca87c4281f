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


def is_short_circuit(stages):
    """Plans & actions with neither reflection nor analysis: the quick fix (DOMAIN.md)."""
    stages = set(stages)
    return "plans_actions" in stages and not ({"reflection", "analysis"} & stages)
