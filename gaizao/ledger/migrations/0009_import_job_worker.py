"""Import jobs record the process that runs them, so that a restart fails the jobs of a dead process."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0008_clean_control_characters"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="worker_host",
            field=models.CharField(blank=True, max_length=255, verbose_name="处理主机"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="worker_pid",
            field=models.PositiveIntegerField(blank=True, null=True, verbose_name="处理进程号"),
        ),
        migrations.AddField(
            model_name="importjob",
            name="worker_token",
            field=models.CharField(blank=True, max_length=64, verbose_name="处理进程标识"),
        ),
    ]
