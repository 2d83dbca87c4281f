"""Sum the minutes already recorded into the new month minutes (`sessions_app.kept`)."""

from django.db import migrations


def keep(apps, schema_editor):
    from sessions_app import kept

    kept.rebuild_months(
        attendance=apps.get_model("sessions_app", "Attendance"),
        kept=apps.get_model("sessions_app", "MonthMinutes"),
    )


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0011_month_minutes")]

    operations = [migrations.RunPython(keep, migrations.RunPython.noop)]
