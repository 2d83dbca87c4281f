"""Hypothesis settings and strategies for hostile input: what a careless or malicious user sends.

The settings keep the property tests fast and the same on every run (CI included): a moderate
number of examples, no deadline (the shared CI machine is slow at times), a fixed seed, and no
example database written to disk.
"""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

HOSTILE_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    # The database fixtures are function-scoped on purpose: each example undoes its own
    # writes (see `rolled_back`), so sharing them between examples is safe.
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)

# Cells a spreadsheet may carry that a person never meant as data.
FORMULAS = [
    "=1+1",
    "+SUM(A1:A9)",
    "-2+3",
    "@SUM(A1)",
    '=HYPERLINK("http://example.invalid","x")',
    "=cmd|' /C calc'!A0",
    "\t=1",
]
HUGE = ["x" * 5000, "9" * 400, "a@example.org;" * 500, "é" * 3000]
ODD = ["", " ", "\x00", "\ufeff", "\u202e", "NULL", "None", "0", "-1", "1e3", "٣", "\r\n", '"', ","]


def texts(max_size=40):
    """Any text a form or a file can carry (no lone surrogates: no decoder produces them)."""
    return st.text(st.characters(exclude_categories=["Cs"]), max_size=max_size)


def hostile_values(max_size=40):
    return st.one_of(
        texts(max_size), st.sampled_from(FORMULAS), st.sampled_from(HUGE), st.sampled_from(ODD)
    )


class RolledBack(Exception):
    """Raised at the end of an example to undo everything it wrote."""
