from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0006_audit_keyed_chain'),
    ]

    operations = [
        migrations.CreateModel(
            name='PeriodicRun',
            fields=[
                ('name', models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name='名称')),
                ('last_run_at', models.DateTimeField(blank=True, null=True, verbose_name='上次运行时间')),
            ],
            options={
                'verbose_name': '定时任务记录',
                'verbose_name_plural': '定时任务记录',
            },
        ),
    ]
