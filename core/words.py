"""The template filters for dates and times, built into every template (settings.TEMPLATES).

`{{ session.date|day }}` -> "3 Dec 2026"; `{{ shared_at|day_time }}` -> "3 Dec 2026 14:02";
`{{ start_time|time_of_day }}` -> "14:02"; `{{ month|dated:"M Y" }}` -> "Dec 2026" (Django's
`date` filter, its dates' text remembered: `core.dates.date_text`). The formats themselves are in
`core.dates`.
"""

from django import template

from .dates import date_text, day_text, day_time_text, time_text

register = template.Library()

register.filter("day", day_text)
register.filter("day_time", day_time_text)
register.filter("time_of_day", time_text)
register.filter("dated", date_text, expects_localtime=True)
