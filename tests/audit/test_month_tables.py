"""The month-by-month tables as a person reads them: the trend's two tables and the grid of the
reflective cycle, each month's row or cell written by one tag (`audit_tags`)."""

import re
from datetime import date
from fractions import Fraction

from django.template import Context, Template

from audit.selectors import WindowMinutes
from core.tally import Minutes


def _minutes(**stages):
    by_stage = dict.fromkeys(("experience", "reflection", "analysis", "plans_actions"), 0)
    by_stage.update({key: Fraction(value) for key, value in stages.items()})
    return by_stage


def render(source, **context):
    html = Template("{% load audit_tags %}" + source).render(Context(context))
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


MONTH = Minutes(
    by_function={
        "management": Fraction(45),
        "development": Fraction(30),
        "support": Fraction(20),
        "mediation": Fraction(5),
    },
    tagged=Fraction(100),
    short_circuit=Fraction(40),
    sessions_held=2,
    by_stage=_minutes(experience=60, plans_actions=Fraction(100, 3)),
    by_stakeholder={"people": Fraction(25), "colleagues": 0, "organisation": 0, "partners": 0},
    no_stage=Fraction(20, 3),
)


def test_a_month_in_the_cycle_grid_names_its_stages_and_its_short_circuit():
    cell = render("{% cycle_cell minutes %}", minutes=MONTH)
    assert '<span aria-hidden="true" class="font-monospace">E - - P</span>' in cell
    assert (
        '<span class="visually-hidden">covered experience, plans &amp; actions; '
        "not reflection, analysis</span>" in cell
    )
    assert '<span class="small">40 min short-circuit</span>' in cell
    assert '<span class="small">6.67 min no stage</span>' in cell


def test_a_month_without_tagged_minutes_says_why():
    held = Minutes(sessions_held=1)
    assert "nothing tagged" in render("{% cycle_cell minutes %}", minutes=held)
    assert "no session" in render("{% cycle_cell minutes %}", minutes=Minutes())
    # Nothing short-circuited, nothing without a stage: no line for either.
    whole = Minutes(
        by_function=MONTH.by_function,
        tagged=Fraction(100),
        sessions_held=1,
        by_stage=_minutes(experience=100, reflection=100, analysis=100, plans_actions=100),
    )
    cell = render("{% cycle_cell minutes %}", minutes=whole)
    assert "E R A P" in cell and "short-circuit" not in cell and "no stage" not in cell


def test_a_month_of_the_trend_has_its_dates_figures_and_shares():
    month = WindowMinutes(start=date(2026, 11, 3), end=date(2026, 11, 30), minutes=MONTH)
    row = render("{% trend_shares_row month %}", month=month)
    assert row == (
        '<tr><th scope="row">Nov 2026</th><td>3 Nov to 30 Nov 2026</td>'
        '<td class="text-end">2</td><td class="text-end">100</td>'
        '<td class="text-end">45%</td><td class="text-end">30%</td>'
        '<td class="text-end">20%</td><td class="text-end">5%</td></tr>'
    )
    cycle = render("{% trend_cycle_row month %}", month=month)
    cells = re.findall(r'<td class="text-end">([^<]*)</td>', cycle)
    # Experience, reflection, analysis, plans & actions, no stage, short circuit, people.
    assert cells == ["60", "0", "0", "33.33", "6.67", "40", "25"]
    assert '<th scope="row">Nov 2026</th>' in cycle and "E - - P" in cycle


def test_a_month_of_the_trend_with_nothing_tagged_says_so():
    month = WindowMinutes(start=date(2026, 10, 1), end=date(2026, 10, 31), minutes=Minutes())
    row = render("{% trend_shares_row month %}", month=month)
    assert '<td colspan="4">no data</td>' in row and "1 Oct to 31 Oct 2026" in row
    assert "<td>no data</td>" in render("{% trend_cycle_row month %}", month=month)


def test_the_trend_chart_draws_a_column_a_month_and_says_which_have_no_data():
    months = [
        WindowMinutes(start=date(2026, 10, 1), end=date(2026, 10, 31), minutes=Minutes()),
        WindowMinutes(start=date(2026, 11, 1), end=date(2026, 11, 30), minutes=MONTH),
    ]
    svg = render('{% trend_chart months "trend" title %}', months=months, title="Sam's & months")
    assert svg.startswith('<div class="ff-chart-scroll"><svg class="ff-chart" role="img"')
    assert 'aria-labelledby="trend-title trend-desc"' in svg
    assert '<title id="trend-title">Sam&#x27;s &amp; months</title>' in svg
    assert svg.count("<g>") == 2 and svg.count("</g>") == 2
    # October: nothing tagged, a dashed outline saying so.
    assert svg.count(">no data</text>") == 1 and 'stroke-dasharray="4 3"' in svg
    # November: a segment per function, named with its share; labels where there is room.
    for label, text in [("Management", "45%"), ("Development", "30%"), ("Support", "20%")]:
        assert f"<title>Nov 2026: {label} {text}</title>" in svg
        assert f'class="ff-chart-label">{text}</text>' in svg
    assert "<title>Nov 2026: Mediation 5%</title>" in svg
    assert 'class="ff-chart-label">5%</text>' not in svg  # 10 px: no room for its label
    # Management at the bottom: 45% of the 200 px plot, from 212 up to 122.
    assert 'y="122.0" width="40" height="90.0" fill="url(#ff-pattern-management)"' in svg
    assert svg.count('class="ff-chart-axis">0%</text>') == 1
    assert ">Oct</text>" in svg and ">2026</text>" in svg


def test_a_segment_is_labelled_when_its_exact_share_leaves_room_for_it():
    from audit import charts

    def segments(mediation):
        rest = (1 - mediation) / 3
        minutes = Minutes(
            by_function={
                "management": rest * 600,
                "development": rest * 600,
                "support": rest * 600,
                "mediation": mediation * 600,
            },
            tagged=Fraction(600),
            sessions_held=1,
        )
        month = WindowMinutes(start=date(2026, 11, 1), end=date(2026, 11, 30), minutes=minutes)
        [column] = charts.trend_chart([month]).columns
        return {s.key: s for s in column.segments}

    # 15 px of a 200 px column is 7.5%: room for "7.5%", not for a hair less.
    assert segments(Fraction(3, 40))["mediation"].show_text
    assert not segments(Fraction(3, 40) - Fraction(1, 10**9))["mediation"].show_text
    # The columns' segments stack to the whole plot, whatever the thirds.
    drawn = segments(Fraction(3, 40))
    assert drawn["mediation"].y == charts.PLOT_TOP
    assert (
        drawn["management"].y + drawn["management"].height == charts.PLOT_TOP + charts.PLOT_HEIGHT
    )


def test_what_was_said_names_each_function_said_with_how_often():
    counts = {"management": 2, "development": 0, "support": 1, "mediation": 0}
    assert render("{% function_counts counts %}", counts=counts) == (
        '<span class="d-inline-block me-2">Management 2</span>'
        '<span class="d-inline-block me-2">Support 1</span>'
    )
    assert render("{% function_counts counts %}", counts=dict.fromkeys(counts, 0)) == "-"


def test_the_grid_reads_each_persons_months_as_the_trend_adds_them_up():
    """`months_of_each` (whole minutes, no Fractions) gives each person's months the figures
    `monthly_minutes` of that person alone gives them, and their cells read the same."""
    import random

    from audit.selectors import SUM_COLUMNS, monthly_minutes, months_of_each

    rng = random.Random(4)
    start, end = date(2026, 1, 15), date(2026, 5, 10)
    daily = {
        pk: {
            date(2026, month, day): tuple(rng.randrange(0, 90) for _ in SUM_COLUMNS)
            for month in range(1, 7)
            for day in rng.sample(range(1, 29), 3)
        }
        for pk in (1, 2)
    }
    daily[3] = {}  # nobody's months: none held
    grid = months_of_each(daily, [1, 2, 3], start, end)
    for pk in (1, 2, 3):
        expected = monthly_minutes(daily, [pk], start, end)
        assert [(m.start, m.end) for m in grid[pk]] == [(m.start, m.end) for m in expected]
        for month, exact in zip(grid[pk], expected, strict=True):
            for name in ("tagged", "short_circuit", "no_stage", "sessions_held", "by_stage"):
                assert getattr(month.minutes, name) == getattr(exact.minutes, name), name
            assert render("{% cycle_cell m %}", m=month.minutes) == render(
                "{% cycle_cell m %}", m=exact.minutes
            )


def test_cells_kept_once_written_are_each_their_own_months():
    """The cells are kept by what they show: two months that differ never share one."""
    covered = _minutes(experience=10, reflection=10, analysis=10, plans_actions=10)
    first = Minutes(tagged=Fraction(40), sessions_held=1, by_stage=covered)
    short = Minutes(
        tagged=Fraction(40), sessions_held=1, by_stage=covered, short_circuit=Fraction(5)
    )
    partly = Minutes(tagged=Fraction(40), sessions_held=1, by_stage=_minutes(experience=40))
    cells = [render("{% cycle_cell m %}", m=m) for m in (first, short, partly, first)]
    assert cells[0] == cells[3]
    assert len({cells[0], cells[1], cells[2]}) == 3
    assert "5 min short-circuit" in cells[1] and "E - - -" in cells[2]


def test_a_row_of_balances_names_links_and_flags_its_supervisee():
    """`balance_row`: the name linked to their balance with the filters (escaped), or marked
    as moved on; their team beneath; the bar, sessions, minutes and flags, each escaped."""
    from django.urls import reverse

    from audit.balance import compute_balance

    balance = compute_balance(
        supervisee="sam@example.org",
        name="Sam <Lee>",
        start=date(2026, 9, 1),
        end=date(2026, 11, 30),
        minutes=MONTH,
    )
    linked = render("{% balance_row row q %}", row={"balance": balance, "pk": 7}, q="a=1&b=2")
    assert f'<a href="{reverse("audit:person", args=[7])}?a=1&amp;b=2">Sam &lt;Lee&gt;</a>' in (
        linked
    )
    assert '<td class="text-end">2</td><td class="text-end">100</td>' in linked
    assert "Management 45%, Development 30%, Support 20%, Mediation 5%" in linked
    assert 'class="ff-flag"' in linked  # mediation's 5% is below the 10% a function needs
    moved = render(
        "{% balance_row row q %}", row={"balance": balance, "pk": None, "team": "East & West"}, q=""
    )
    assert "<a " not in moved
    assert "Sam &lt;Lee&gt;<br>" in moved and "has since moved on" in moved
    assert "East &amp; West</span>" in moved


def test_a_row_of_the_grid_is_a_cell_for_each_month_in_order():
    months = [
        WindowMinutes(start=date(2026, 1, 1), end=date(2026, 1, 31), minutes=MONTH),
        WindowMinutes(start=date(2026, 2, 1), end=date(2026, 2, 28), minutes=Minutes()),
        WindowMinutes(
            start=date(2026, 3, 1), end=date(2026, 3, 31), minutes=Minutes(sessions_held=1)
        ),
    ]
    row = render("{% cycle_cells months %}", months=months)
    cells = "".join(
        "<td>" + render("{% cycle_cell minutes %}", minutes=m.minutes) + "</td>" for m in months
    )
    assert row == cells
    assert row.count("<td>") == 3
    assert row.index("E - - P") < row.index("no session") < row.index("nothing tagged")
