"""Each kept row of what a session inherited keeps the session's date beside it, indexed."""

import datetime

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def dates(apps, schema_editor):
    kept = apps.get_model("sessions_app", "BroughtForward")
    session = apps.get_model("sessions_app", "Session")
    kept.objects.update(date=Subquery(session.objects.filter(pk=OuterRef("session")).values("date")))


class Migration(migrations.Migration):
    dependencies = [("sessions_app", "0014_keep_brought_forward")]

    operations = [
        migrations.AddField(
            model_name="broughtforward",
            name="date",
            field=models.DateField(default=datetime.date(2000, 1, 1)),
            preserve_default=False,
        ),
        migrations.RunPython(dates, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="broughtforward",
            name="date",
            field=models.DateField(db_index=True),
        ),
    ]
