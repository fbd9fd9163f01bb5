from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0008_calendar_adjustments'),
    ]

    operations = [
        migrations.AddField(
            model_name='notification',
            name='key',
            field=models.CharField(blank=True, max_length=200, null=True, unique=True, verbose_name='提醒键'),
        ),
    ]
