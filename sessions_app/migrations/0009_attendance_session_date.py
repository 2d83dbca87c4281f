"""Each attendance keeps its session's date (sessions_app.models.Attendance.session_date)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_dates(apps, schema_editor):
    Attendance = apps.get_model("sessions_app", "Attendance")
    Session = apps.get_model("sessions_app", "Session")
    Attendance.objects.using(schema_editor.connection.alias).update(
        session_date=Subquery(Session.objects.filter(pk=OuterRef("session_id")).values("date")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0008_feedback_updated_at_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="session_date",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(copy_dates, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="attendance",
            name="session_date",
            field=models.DateField(editable=False),
        ),
        migrations.AddIndex(
            model_name="attendance",
            index=models.Index(fields=["person", "session_date"], name="attendance_person_date"),
        ),
    ]
