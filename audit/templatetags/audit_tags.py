"""Formatting and charts for the audit pages. Numbers are exact until here: rounded once."""

from itertools import repeat

from django import template
from django.template.defaulttags import querystring
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from core import links
from core.dates import date_text, day_text
from core.markup import format_html, format_html_join
from core.memo import kept
from core.names import display_name
from core.numbers import minutes_text, percent_text, points_text, ratio, score_text
from core.vocabulary import (
    FUNCTION_LABELS,
    FUNCTIONS,
    STAGE_LABELS,
    STAGES,
    STAKEHOLDER_LABELS,
    STAKEHOLDERS,
)

from .. import charts
from ..balance import (
    FUNCTION_NEGLECTED,
    MANAGEMENT_DOMINANT,
    REFLECTIVE_SHORT_CIRCUIT,
    STAKEHOLDER_ABSENT,
    SUPERVISEE_REPORTED_DOMINANCE,
    SUPERVISION_OVERDUE,
)

register = template.Library()

NO_DATA = "no data"


@register.filter
def pct(value):
    """A share (0-1) as a percentage, the one way (core.numbers): '69.89%'."""
    if value is None or value == "":
        return NO_DATA
    return percent_text(value)


@register.filter
def mins(value):
    """Minutes, the one way (core.numbers): 615, 33.33."""
    return minutes_text(value)


@register.filter
def score(value):
    """A mean score (usefulness 1-5), the one way (core.numbers): 3.67; "no data" for none."""
    if value is None or value == "":
        return NO_DATA
    return score_text(value)


@register.filter
def said(counts):
    """The functions with a count above 0, as (key, count) pairs in the model's order."""
    return [(key, n) for key, n in counts.items() if n]


@register.simple_tag
def function_counts(counts):
    """The functions with a count above 0 (as `said`), each with its count; "-" for none."""
    said_ = said(counts)
    if not said_:
        return "-"
    return format_html_join(
        "",
        '<span class="d-inline-block me-2">{} {}</span>',
        ((fn_label(key), n) for key, n in said_),
    )


@register.filter
def fn_labels(keys):
    """Function keys in words: "Support and mediation"."""
    labels = [FUNCTION_LABELS.get(key, key) for key in keys]
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


@register.filter
def fn_label(key):
    return FUNCTION_LABELS.get(key, key)


FLAG_LABELS = {
    MANAGEMENT_DOMINANT: "Management dominant",
    REFLECTIVE_SHORT_CIRCUIT: "Reflective cycle short-circuited",
    SUPERVISION_OVERDUE: "Supervision overdue",
}


@register.filter
def flag_label(flag):
    """A flag's name in words: 'Development neglected', 'Said management dominated'."""
    if flag.code == FUNCTION_NEGLECTED:
        return f"{FUNCTION_LABELS[flag.function]} neglected"
    if flag.code == SUPERVISEE_REPORTED_DOMINANCE:
        return f"Supervisee said {FUNCTION_LABELS[flag.function].lower()} dominated"
    if flag.code == STAKEHOLDER_ABSENT:
        return f"{STAKEHOLDER_LABELS[flag.stakeholder]} rarely discussed"
    return FLAG_LABELS.get(flag.code, flag.code)


# A stacked bar and a row's flags are drawn here rather than by included templates: a team's
# page draws them for every person and the organisation's for every flagged one, and the
# template engine spent more on setting up each inclusion than on the few elements inside it.

_BAR_RECT = (
    '<rect x="{}%" y="0" width="{}%" height="100%" fill="url(#ff-pattern-{})" stroke="#fff"'
    ' stroke-width="{}"/>'
)
_BAR_TEXT = '<text x="{}%" y="50%" dy=".35em" text-anchor="middle" class="ff-chart-label">{}</text>'
_BAR_FRAME = mark_safe(  # noqa: S308 (a constant)
    '<rect x="0" y="0" width="100%" height="100%" fill="none" stroke="#495057" stroke-width="2"/>'
)


@register.simple_tag
def share_bar(shares, size="sm"):
    """A stacked bar of the four shares (SVG, patterns from audit/_svg_defs.html); `size` "lg"
    (named by its shares, with a legend) or "sm" (in a row, its shares as text beside it)."""
    if size != "lg":
        return _small_bar(shares)
    segments = charts.bar_segments(shares)
    name = charts.shares_text(shares, segments)
    if not segments:
        return format_html('<span class="small text-body-secondary">{}</span>', name)
    drawn = [s for s in segments if s.share]
    return format_html(
        '<svg class="ff-bar ff-bar-lg" role="img" aria-label="{}" width="100%" height="32">'
        "\n  {}\n  {}\n  {}\n</svg>\n"
        '<ul class="ff-legend list-inline small mt-2 mb-0">{}\n</ul>',
        name,
        format_html_join("", _BAR_RECT, ((s.start, s.width, s.key, 2) for s in drawn)),
        format_html_join("", _BAR_TEXT, ((s.centre, s.text) for s in drawn if s.show_text)),
        _BAR_FRAME,
        format_html_join(
            "",
            '\n  <li class="list-inline-item"><span class="ff-swatch ff-fn-{}"'
            ' aria-hidden="true"></span>{} {}</li>',
            ((s.key, s.label, s.text) for s in segments),
        ),
    )


def _small_bar(shares):
    """A row's bar (`charts.small_bar`), its shares as text beside it."""
    drawn, name = charts.small_bar(shares)
    if not drawn:
        return format_html('<span class="small text-body-secondary">{}</span>', name)
    # Positions are digits and a point, keys are the functions' own: nothing to escape.
    rects = "".join(_BAR_RECT.format(start, width, key, 1) for start, width, key in drawn)
    return format_html(
        '<svg class="ff-bar ff-bar-sm" aria-hidden="true" focusable="false">\n  {}\n  {}\n</svg>'
        '\n<span class="small">{}</span>',
        mark_safe(rects),  # noqa: S308 (numbers and constant keys, above)
        _BAR_FRAME,
        name,
    )


@register.simple_tag
def row_flags(balance):
    """A person's flags in a table's row, each opening to its reason; "None" without any."""
    if not balance.flags:
        return format_html('<span class="text-body-secondary">{}</span>', "None")
    return format_html(
        '<ul class="list-unstyled mb-0">{}\n</ul>',
        format_html_join(
            "",
            '\n  <li><details><summary class="ff-flag">{}</summary>'
            '<p class="small mb-1">{}.</p></details></li>',
            ((flag_label(flag), capfirst(reason)) for flag, reason in balance.reasons()),
        ),
    )


_BALANCE_ROW = (
    '<tr>\n    <th scope="row">{}</th>\n    <td class="ff-shares-cell">{}</td>'
    '\n    <td class="text-end">{}</td>\n    <td class="text-end">{}</td>\n    <td>{}</td>\n  </tr>'
)
_AFTER_NAME = '{}<br><span class="small fw-normal text-body-secondary">{}</span>'


@register.simple_tag
def balance_rows(rows, query):
    """Every row of a table of balances, in one call: the template's loop paid for looking up
    and calling the tag once per person, a third of a team of 60's table."""
    return mark_safe("".join(map(balance_row, rows, repeat(query))))  # noqa: S308 (each row is)


@register.simple_tag
def balance_row(row, query):
    """One supervisee's row in a table of balances (`audit/_balances_table.html`; `row` has
    their `balance`, the `pk` whose page the reader may open or None, and perhaps their
    `team`): written in one call, as the trend's rows are (a team of 60's table was 17 ms of
    template lookups and filters)."""
    balance = row["balance"]
    name = display_name(balance.name, balance.supervisee)
    if row.get("pk"):
        href = links.address("audit:person", [row["pk"]], {}, None)
        who = format_html('<a href="{}?{}">{}</a>', href, query, name)
    else:
        who = format_html(_AFTER_NAME, name, "has since moved on")
    if row.get("team"):
        who = format_html(_AFTER_NAME, who, row["team"])
    minutes = balance.minutes
    return format_html(
        _BALANCE_ROW,
        who,
        share_bar(minutes.shares),
        minutes.sessions_held,
        mins(minutes.tagged),
        row_flags(balance),
    )


_GRIDLINE = (
    '\n  <line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#adb5bd" stroke-width="1"/>'
    '\n  <text x="{}" y="{}" dy="4" text-anchor="end" class="ff-chart-axis">{}</text>'
)
_EMPTY_COLUMN = (
    '\n    <rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#6c757d"'
    ' stroke-dasharray="4 3"/>'
    '\n    <text x="{}" y="{}" text-anchor="middle" class="ff-chart-axis"'
    ' transform="rotate(-90 {} {})">no data</text>'
)
_SEGMENT = (
    '\n    <rect x="{}" y="{}" width="{}" height="{}" fill="url(#ff-pattern-{})" stroke="#fff"'
    ' stroke-width="1"><title>{} {}: {} {}</title></rect>'
)
_SEGMENT_TEXT = '\n    <text x="{}" y="{}" text-anchor="middle" class="ff-chart-label">{}</text>'
_COLUMN_FOOT = (
    '\n    <text x="{}" y="{}" text-anchor="middle" class="ff-chart-axis">{}</text>'
    '\n    <text x="{}" y="{}" text-anchor="middle" class="ff-chart-axis">{}</text>\n  </g>'
)


def _column(chart, column):
    if column.empty:
        drawn = format_html(
            _EMPTY_COLUMN,
            column.x,
            chart.plot_top,
            chart.column_width,
            chart.plot_height,
            column.centre,
            chart.empty_y,
            column.centre,
            chart.empty_y,
        )
    else:
        drawn = format_html_join(
            "",
            "{}{}",
            (
                (
                    format_html(
                        _SEGMENT,
                        column.x,
                        s.y,
                        chart.column_width,
                        s.height,
                        s.key,
                        column.month,
                        column.year,
                        s.label,
                        s.text,
                    ),
                    format_html(_SEGMENT_TEXT, column.centre, s.text_y, s.text)
                    if s.show_text
                    else "",
                )
                for s in column.segments
                if s.height
            ),
        )
    return format_html(
        "\n  <g>{}" + _COLUMN_FOOT,
        drawn,
        column.centre,
        chart.month_y,
        column.month,
        column.centre,
        chart.year_y,
        column.year,
    )


@register.simple_tag
def trend_chart(months, chart_id, title):
    """The monthly trend as a chart: a 100% stacked column a month (`charts.trend_chart`), named
    by its title and described for screen readers; the table beside it has the figures. Drawn
    here, as the bars are, rather than by a template: a year's chart was 13 columns of four
    segments, each a dozen lookups."""
    chart = charts.trend_chart(months)
    return format_html(
        '<div class="ff-chart-scroll">\n<svg class="ff-chart" role="img"'
        ' aria-labelledby="{}-title {}-desc" width="{}" height="{}" viewBox="0 0 {} {}">'
        '\n  <title id="{}-title">{}</title>'
        '\n  <desc id="{}-desc">Each column is a month: the shares of tagged minutes, with'
        " management at the bottom, then development, support and mediation at the top. The"
        " table below gives the same figures.</desc>{}{}\n</svg>\n</div>",
        chart_id,
        chart_id,
        chart.width,
        chart.height,
        chart.width,
        chart.height,
        chart_id,
        title,
        chart_id,
        format_html_join(
            "",
            _GRIDLINE,
            (
                (chart.plot_left, chart.plot_right, y, y, chart.axis_label_x, y, label)
                for y, label in chart.gridlines
            ),
        ),
        mark_safe("".join(_column(chart, column) for column in chart.columns)),  # noqa: S308
    )


@register.filter
def points(change):
    """A change of share in percentage points, without its sign: 0.125 -> '12.5 points'."""
    value = points_text(change)
    return f"{value} percentage point" if value == "1" else f"{value} percentage points"


@register.filter
def flag_count(totals, code):
    """How many people of `totals` have a flag with this code; None when not counted (a large
    organisation's page: `audit.views._organisation_by_page`)."""
    if totals.flag_counts is None:
        return None
    return totals.flag_counts.get(code, 0)


_NOT_COUNTED = mark_safe(  # noqa: S308 - a constant
    '<span aria-hidden="true">-</span>'
    '<span class="visually-hidden">not counted here: see the download</span>'
)
_DRILL = (
    '<a href="{}?{}&amp;count={}{}">{}<span class="visually-hidden"> {}{}: show them</span></a>'
)
_TOTALS_CELLS = (
    '<td class="text-end">{}</td>\n      <td class="text-end">{}</td>\n      '
    '<td class="text-end">{}</td>\n      {}\n      {}'
)


@register.simple_tag(takes_context=True)
def totals_cells(context, totals, drill=False, drill_team=None):
    """A team's (or the organisation's) cells in the organisation's table: people, sessions,
    tagged minutes, the four shares, and how many people have each flag, each count a link
    to them (`drill`; `drill_team`: of that team). Written in one call (the table has a row
    for each of fifty teams); `drill_url` and `query` come from the context, worked out once."""
    minutes = totals.minutes
    shares = minutes.shares
    if shares:
        share_cells = "".join(
            f'<td class="text-end">{percent_text(shares[key])}</td>' for key in FUNCTIONS
        )
    else:
        share_cells = f'<td colspan="4">{NO_DATA}</td>'
    team = format_html("&amp;team={}", drill_team) if drill_team else ""
    in_team = " in this team" if drill_team else ""
    flag_cells = []
    for code, label in context["flag_columns"]:
        n = flag_count(totals, code)
        if n is None:
            cell = _NOT_COUNTED
        elif n and drill:
            cell = format_html(
                _DRILL,
                context["drill_url"],
                context["query"],
                code,
                team,
                n,
                label.lower(),
                in_team,
            )
        else:
            cell = n
        flag_cells.append(format_html('<td class="text-end">{}</td>', cell))
    return format_html(
        _TOTALS_CELLS,
        totals.people,
        minutes.sessions_held,
        minutes_text(minutes.tagged),
        mark_safe(share_cells),  # noqa: S308 - percentages and a constant, nothing typed
        mark_safe("".join(flag_cells)),  # noqa: S308 - each cell escaped by format_html
    )


_RATE_ROW = (
    '<tr>\n    <th scope="row">{}</th>\n    <td class="text-end">{}</td>'
    '\n    <td class="text-end">{}</td>\n    <td class="text-end">{}</td>'
    '\n    <td class="text-end">{}</td>\n    <td class="text-end">{}</td>'
    '\n    <td class="text-end">{}</td>\n    <td class="text-end">{}</td>'
    '\n    <td class="text-end">{}</td>\n  </tr>'
)


@register.simple_tag
def rate_row(rate, audit_links, query):
    """One supervisor's row of cancellations (`audit/_cancellations.html`), their name a link to
    their audit when the reader may open it (`audit_links`, ids; a supervisor's own page has
    none): written in one call (an organisation's page has fifty)."""
    name = rate.name or rate.supervisor
    if audit_links and rate.supervisor_id in audit_links:
        href = links.address("audit:supervisor", [rate.supervisor_id], {}, None)
        name = format_html('<a href="{}?{}">{}</a>', href, query, name)
    return format_html(
        _RATE_ROW,
        name,
        rate.scheduled,
        rate.cancelled_by_supervisor,
        pct(rate.rate),
        rate.cancelled_by_supervisee,
        rate.rescheduled,
        rate.moved_by_supervisor,
        rate.moved_by_others,
        rate.moved_unrecorded,
    )


def coverage_rows(minutes):
    """The reflective cycle and the stakeholders of some `Minutes`: each key's minutes (an item
    in full for each one it is tagged with) and the share of tagged minutes that covered it."""
    tagged = minutes.tagged
    stages = [
        {"key": key, "label": STAGE_LABELS[key], "minutes": minutes.by_stage[key]} for key in STAGES
    ]
    stages.append({"key": "no_stage", "label": "No stage recorded", "minutes": minutes.no_stage})
    stakeholders = [
        {"key": key, "label": STAKEHOLDER_LABELS[key], "minutes": minutes.by_stakeholder[key]}
        for key in STAKEHOLDERS
    ]
    for row in (*stages, *stakeholders):
        row["share"] = ratio(row["minutes"], tagged)
    return stages, stakeholders


@register.inclusion_tag("audit/_coverage.html", takes_context=True)
def coverage(context, minutes, whose="", download=""):
    """Two tables: minutes per stage of the reflective cycle (with "no stage recorded") and
    per stakeholder, beside the four functions. `download` names the page's CSV table."""
    stages, stakeholders = coverage_rows(minutes)
    return {
        "minutes": minutes,
        "stages": stages,
        "stakeholders": stakeholders,
        "whose": whose,
        "download": download,
        "filters": context.get("filters"),
    }


@register.filter
def stage_letters(minutes):
    """The stages a month's discussions covered, as the cycle's initials (E R A P, "-" for a
    stage not covered); the page puts the words beside them for screen readers."""
    return " ".join(STAGE_LABELS[key][0] if minutes.by_stage[key] else "-" for key in STAGES)


@register.filter
def stage_words(minutes):
    covered = [STAGE_LABELS[key].lower() for key in STAGES if minutes.by_stage[key]]
    missing = [STAGE_LABELS[key].lower() for key in STAGES if not minutes.by_stage[key]]
    words = f"covered {', '.join(covered)}" if covered else "no stage covered"
    if covered and missing:
        words += f"; not {', '.join(missing)}"
    return words


# The month-by-month tables (`audit/_trend.html`, `audit/_cycle_grid.html`): a row or cell per
# month, a person's year being 13 months and a team's grid a few hundred cells, each written
# here in one call rather than by a dozen template lookups and filters (a third of the
# supervisee's page and of my supervisees' went on them).


def _stages_covered(minutes):
    return format_html(
        '<span aria-hidden="true" class="font-monospace">{}</span>'
        '<span class="visually-hidden">{}</span>',
        stage_letters(minutes),
        stage_words(minutes),
    )


# A grid's cells repeat (every stage covered, nothing short-circuited): each different one is
# written once and kept, up to this many.
_CYCLE_CELLS_AT_MOST = 4096
_cycle_cells: dict[tuple, str] = {}


@register.simple_tag
def cycle_cell(minutes):
    """One person's month in the grid of the reflective cycle (a `Minutes`, or the grid's
    `StageCoverage`): the stages covered, with the minutes short-circuited and with no stage;
    or why there is nothing to show."""
    key = (
        bool(minutes.tagged),
        tuple(bool(minutes.by_stage[stage]) for stage in STAGES),
        minutes.short_circuit,
        minutes.no_stage,
        bool(minutes.sessions_held),
    )
    return kept(_cycle_cells, key, lambda: _cycle_cell(minutes), at_most=_CYCLE_CELLS_AT_MOST)


@register.simple_tag
def cycle_cells(months):
    """A person's row of the grid: a cell (`cycle_cell`) for each of their months (each with
    its `minutes`), written in one call: a team's year is a few hundred cells."""
    return format_html_join("", "<td>{}</td>", ((cycle_cell(month.minutes),) for month in months))


def _cycle_cell(minutes):
    if minutes.tagged:
        return format_html(
            "{}{}{}",
            _stages_covered(minutes),
            format_html(
                '<br><span class="small">{} min short-circuit</span>', mins(minutes.short_circuit)
            )
            if minutes.short_circuit
            else "",
            format_html('<br><span class="small">{} min no stage</span>', mins(minutes.no_stage))
            if minutes.no_stage
            else "",
        )
    if minutes.sessions_held:
        return format_html('<span class="small text-body-secondary">{}</span>', "nothing tagged")
    return format_html('<span class="small text-body-secondary">{}</span>', "no session")


_CELL = '<td class="text-end">{}</td>'


@register.simple_tag
def trend_shares_row(month):
    """A month of the trend: its dates, sessions held, tagged minutes and the four shares."""
    minutes = month.minutes
    shares = minutes.shares
    return format_html(
        '<tr>\n    <th scope="row">{}</th>\n    <td>{} to {}</td>{}{}\n    {}\n  </tr>',
        date_text(month.start, "M Y"),
        date_text(month.start, "j M"),
        day_text(month.end),
        format_html(_CELL, minutes.sessions_held),
        format_html(_CELL, mins(minutes.tagged)),
        format_html_join("", _CELL, ((pct(shares[key]),) for key in FUNCTIONS))
        if shares
        else format_html('<td colspan="4">{}</td>', NO_DATA),
    )


@register.simple_tag
def trend_cycle_row(month):
    """A month of the trend: the stages covered, the minutes of each stage, of none, of the
    short circuit and about people who draw on care."""
    minutes = month.minutes
    figures = [
        *(minutes.by_stage[key] for key in STAGES),
        minutes.no_stage,
        minutes.short_circuit,
        minutes.by_stakeholder["people"],
    ]
    return format_html(
        '<tr>\n    <th scope="row">{}</th>\n    <td>{}</td>{}\n  </tr>',
        date_text(month.start, "M Y"),
        _stages_covered(minutes) if minutes.tagged else NO_DATA,
        format_html_join("", _CELL, ((mins(value),) for value in figures)),
    )


@register.simple_tag(takes_context=True)
def page_query(context, param, number):
    """This page's query string with `param` (one list's pager) set to `number`: turning one
    list's page keeps the window, the filters and where the other lists are. Django's own
    `{% querystring %}`, for a parameter whose name is a variable (`_pager.html`)."""
    return querystring(context, **{param: number})
