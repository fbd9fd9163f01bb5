"""API tokens expire (接口令牌有效期), and the login throttle's table (登录限速).

Existing tokens get their creation time + 90 days: the ones older than that are expired, which is
what they should have been.
"""

import datetime

from django.db import migrations, models
from django.db.models import ExpressionWrapper, F

import gaizao.org.models


def expire_existing(apps, schema_editor):
    ApiToken = apps.get_model("org", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=ExpressionWrapper(
        F("created_at") + datetime.timedelta(days=90), output_field=models.DateTimeField()))


class Migration(migrations.Migration):

    dependencies = [
        ("org", "0001_org_units_users_memberships"),
    ]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="到期时间"),
        ),
        migrations.RunPython(expire_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(default=gaizao.org.models.default_token_expiry, verbose_name="到期时间"),
        ),
        migrations.CreateModel(
            name="LoginThrottle",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("username", models.CharField(max_length=150, unique=True, verbose_name="用户名")),
                ("started_at", models.DateTimeField(verbose_name="开始时间")),
                ("next_attempt_at", models.DateTimeField(verbose_name="下次可尝试")),
                ("refused", models.PositiveIntegerField(default=0, verbose_name="已拒绝次数")),
            ],
            options={
                "verbose_name": "登录限速",
                "verbose_name_plural": "登录限速",
            },
        ),
    ]
