"""The bottom layer: what every app shares and nothing app-specific.

The 4x4x4 vocabulary, the tally and the one rounding rule, the clock, date parsing and the
spreadsheet-safe CSV response. Nothing here imports an app (`make lint` holds that).
"""
