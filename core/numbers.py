"""The one rounding rule and the one way each kind of figure is written (docs/domain.md).

Figures are exact (`Fraction`) until they are written, then rounded once, half away from
zero, in exact integer arithmetic: 0.03125 -> 0.0313, 1/3 -> 0.33, 6.25 -> 6.25, 0.125 -> 0.13.

- Minutes: 2 decimals, trailing zeros dropped: 240, 62.5, 33.33.
- Mean scores (usefulness 1-5): the same, 2 decimals at most: 4, 3.5, 3.67.
- Shares: on pages as percentages to 2 decimals, trailing zeros dropped (62.5%, 9.69%, 50%),
  which is the same number as the 4-decimal share of the CSV files and `balance_report`
  (0.0969 = 9.69%). A figure shown twice is the same string twice, because both come from here.
"""

from decimal import Decimal
from fractions import Fraction

MINUTE_PLACES = 2
SHARE_PLACES = 4
PERCENT_PLACES = SHARE_PLACES - 2


def round_half_away(value, places: int) -> Decimal:
    """`value` (int, Fraction or Decimal) rounded to `places` decimals, half away from zero.

    Done in exact integer arithmetic, so a third of a minute or 0.03125 can never be nudged by
    an intermediate decimal approximation: for n/d, floor(|n| * 10**places / d + 1/2) is
    (2 * |n| * 10**places + d) // (2 * d), with no Fraction made on the way (every figure on a
    page comes through here: a team's page rounds a few thousand).
    """
    negative, whole = _half_away(value, places)
    return Decimal(-whole if negative else whole).scaleb(-places)


def _half_away(value, places: int, times: int = 1) -> tuple[bool, int]:
    """(Whether `value * times` is negative, its size in units of 10**-places rounded half away
    from zero), the rounding step of `round_half_away` and `rounded_text`."""
    if not isinstance(value, int | Fraction):
        value = Fraction(value)
    numerator, denominator = value.numerator * times, value.denominator
    return numerator < 0, (2 * abs(numerator) * 10**places + denominator) // (2 * denominator)


def round_minutes(value) -> Decimal:
    return round_half_away(value, MINUTE_PLACES)


def round_share(value) -> Decimal | None:
    return None if value is None else round_half_away(value, SHARE_PLACES)


def number_text(value: Decimal) -> str:
    """A rounded number as JSON prints it: trailing zeros dropped, one decimal kept (175.0)."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0")
        if text.endswith("."):
            text += "0"
    else:
        text += ".0"
    return text


def plain_text(value: Decimal) -> str:
    """A rounded number without needless zeros: 240.00 -> '240', 62.50 -> '62.5'."""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def rounded_text(value, places: int, *, times: int = 1) -> str:
    """`plain_text(round_half_away(value * times, places))`, in integers alone: no Fraction
    made for the product, no Decimal for the text (a team's page writes a few thousand
    figures, and this was most of the time they took)."""
    negative, whole = _half_away(value, places, times)
    units, rest = divmod(whole, 10**places)
    sign = "-" if negative and whole else ""
    if not rest:
        return f"{sign}{units}"
    return f"{sign}{units}.{rest:0{places}d}".rstrip("0")


def minutes_text(value) -> str:
    """Minutes as every page writes them: 2 decimals at most (6.25, 33.33, 240)."""
    return rounded_text(value or 0, MINUTE_PLACES)


def score_text(value) -> str:
    """A mean score (usefulness, 1-5) as every page writes it: 2 decimals at most (3.67)."""
    return rounded_text(value, MINUTE_PLACES)


def percent_text(share) -> str:
    """A share (0-1) as every page writes it: 0.625 -> '62.5%', 0.0969 -> '9.69%'."""
    return f"{rounded_text(share, PERCENT_PLACES, times=100)}%"


def points_text(change) -> str:
    """A change of share in percentage points, without its sign: 0.125 -> '12.5'."""
    return rounded_text(abs(Fraction(change)), PERCENT_PLACES, times=100)


def ratio(part, whole) -> Fraction | None:
    """`part / whole` exactly; None when there is nothing to divide by."""
    if not whole:
        return None
    return Fraction(part) / Fraction(whole)
