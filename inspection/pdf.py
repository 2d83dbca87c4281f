"""The inspection pack as a PDF: an HTML page rendered by WeasyPrint (it needs pango)."""

from pathlib import Path

from django.template.loader import render_to_string

from audit import charts

from .pack import Pack

# The page layout and type: a file, so that no template holds inline style (CSP, as for pages).
STYLESHEET = Path(__file__).resolve().parent / "pack.css"

# The bar chart of the four functions' shares, in SVG units.
BAR_WIDTH = 460
BAR_HEIGHT = 26
BAR_GAP = 10
LABEL_WIDTH = 110


def function_bars(pack: Pack) -> dict | None:
    """Geometry of one horizontal bar per function (its share of tagged minutes)."""
    shares = pack.totals.minutes.shares
    if shares is None:
        return None
    bars = []
    for index, segment in enumerate(charts.bar_segments(shares)):
        y = index * (BAR_HEIGHT + BAR_GAP)
        width = float(segment.share) * BAR_WIDTH
        bars.append(
            {
                "key": segment.key,
                "label": segment.label,
                "text": segment.text,
                "y": y,
                "text_y": y + BAR_HEIGHT / 2 + 5,
                "width": round(width, 2),
                "text_x": LABEL_WIDTH + round(width, 2) + 6,
            }
        )
    return {
        "bars": bars,
        "label_width": LABEL_WIDTH,
        "label_x": LABEL_WIDTH - 8,
        "bar_height": BAR_HEIGHT,
        "width": LABEL_WIDTH + BAR_WIDTH + 60,
        "height": 4 * (BAR_HEIGHT + BAR_GAP),
    }


def pack_html(pack: Pack) -> str:
    return render_to_string(
        "inspection/pack.html",
        {
            "pack": pack,
            "function_chart": function_bars(pack),
            "trend_chart": charts.trend_chart(pack.trend),
        },
    )


def pack_pdf(pack: Pack) -> bytes:
    # Imported here: WeasyPrint loads pango when imported, and only this needs it.
    from weasyprint import CSS, HTML

    return HTML(string=pack_html(pack)).write_pdf(stylesheets=[CSS(filename=str(STYLESHEET))])
