"""Each feedback keeps its session's supervisor (sessions_app.models.Feedback.session_supervisor),
and a supervisor's feedback of the fortnight is read by it."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_supervisors(apps, schema_editor):
    Feedback = apps.get_model("sessions_app", "Feedback")
    Session = apps.get_model("sessions_app", "Session")
    Feedback.objects.using(schema_editor.connection.alias).update(
        session_supervisor=Subquery(
            Session.objects.filter(pk=OuterRef("session_id")).values("supervisor_id")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0017_feedback_session_date"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="feedback",
            name="session_supervisor",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RunPython(copy_supervisors, migrations.RunPython.noop, elidable=False),
        migrations.AlterField(
            model_name="feedback",
            name="session_supervisor",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.RemoveIndex(model_name="feedback", name="feedback_updated_at"),
        migrations.AddIndex(
            model_name="feedback",
            index=models.Index(
                fields=["session_supervisor", "updated_at"], name="feedback_supervisor_updated"
            ),
        ),
    ]
