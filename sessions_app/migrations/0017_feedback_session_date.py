"""Each feedback keeps its session's date (sessions_app.models.Feedback.session_date)."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_dates(apps, schema_editor):
    Feedback = apps.get_model("sessions_app", "Feedback")
    Session = apps.get_model("sessions_app", "Session")
    Feedback.objects.using(schema_editor.connection.alias).update(
        session_date=Subquery(Session.objects.filter(pk=OuterRef("session_id")).values("date")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0016_dispute_waiting_reply"),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="session_date",
            field=models.DateField(editable=False, null=True),
        ),
        migrations.RunPython(copy_dates, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="feedback",
            name="session_date",
            field=models.DateField(editable=False),
        ),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(fields=["session_date"], name="feedback_session_date"),
        ),
    ]
