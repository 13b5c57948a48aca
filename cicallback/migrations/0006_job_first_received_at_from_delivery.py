import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cicallback", "0005_workflow_run_digest_and_whole_content_type"),
    ]

    # A default in Python only: the column is unchanged. On SQLite a real AlterField rebuilds the job
    # table, which would drop the triggers that keep the job counts.
    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="job",
                    name="first_received_at",
                    field=models.DateTimeField(default=django.utils.timezone.now),
                ),
            ],
        ),
    ]
