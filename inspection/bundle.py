"""The inspection pack as a zip of CSV files, written by the audit table writers."""

import csv
import io
import zipfile

from audit import tables
from core.numbers import plain_text, round_half_away
from core.spreadsheet import safe_cell

from .pack import Pack


def csv_text(header, rows) -> str:
    """CSV that opens safely in a spreadsheet (core.spreadsheet), with Excel's UTF-8 mark."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def _about(pack: Pack):
    usefulness = (
        ""
        if pack.feedback.usefulness is None
        else plain_text(round_half_away(pack.feedback.usefulness, 2))
    )
    rows = [
        ["organisation", pack.organisation],
        ["scope", pack.scope],
        ["from", pack.start.isoformat()],
        ["to", pack.end.isoformat()],
        ["produced_on", pack.produced_on.isoformat()],
        ["produced_by", pack.produced_by],
        ["feedbacks", pack.feedback.feedbacks],
        ["mean_usefulness_1_to_5", usefulness],
        ["policy_dominance_threshold", pack.policy.dominance_threshold],
        ["policy_neglect_threshold", pack.policy.neglect_threshold],
        ["policy_short_circuit_threshold", pack.policy.short_circuit_threshold],
        ["policy_min_sessions", pack.policy.min_sessions],
    ]
    return ["field", "value"], rows


def _totals(pack: Pack):
    rows = [tables.totals_row(each.name, each.totals) for each in pack.team_totals]
    rows.append(tables.totals_row(pack.scope, pack.totals))
    return tables.TOTALS_HEADER, rows


def bundle_files(pack: Pack) -> dict[str, str]:
    """File name -> CSV text, in the order they are written to the zip."""
    return {
        "about.csv": csv_text(*_about(pack)),
        "compliance.csv": csv_text(*tables.compliance_table(pack.checks)),
        "totals.csv": csv_text(*_totals(pack)),
        "balances.csv": csv_text(*tables.balance_table(pack.balances)),
        "flags.csv": csv_text(*tables.flags_table(pack.balances)),
        "overdue.csv": csv_text(*tables.overdue_table(pack.overdue)),
        "trend.csv": csv_text(*tables.trend_table(pack.trend)),
        "cancellations.csv": csv_text(*tables.cancellations_table(pack.rates)),
        "feedback.csv": csv_text(*tables.feedback_table(pack.perceived)),
    }


def bundle_zip(pack: Pack) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in bundle_files(pack).items():
            archive.writestr(f"{pack.slug}/{name}", text.encode("utf-8"))
    return buffer.getvalue()
