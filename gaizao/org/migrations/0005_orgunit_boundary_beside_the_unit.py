"""Org units' boundaries move from a column of the unit (0004) to a table beside it: units are read
on every request and with every household, and a district's outline must not ride along. The
boundaries already drawn are carried over."""

import django.db.models.deletion
from django.db import migrations, models


def carry_over(apps, schema_editor):
    OrgUnit = apps.get_model("org", "OrgUnit")
    OrgUnitBoundary = apps.get_model("org", "OrgUnitBoundary")
    OrgUnitBoundary.objects.bulk_create([
        OrgUnitBoundary(unit_id=pk, geometry=geometry)
        for pk, geometry in OrgUnit.objects.filter(boundary__isnull=False).values_list("pk", "boundary")
    ])


def carry_back(apps, schema_editor):
    OrgUnit = apps.get_model("org", "OrgUnit")
    OrgUnitBoundary = apps.get_model("org", "OrgUnitBoundary")
    for row in OrgUnitBoundary.objects.all():
        OrgUnit.objects.filter(pk=row.unit_id).update(boundary=row.geometry)


class Migration(migrations.Migration):

    dependencies = [
        ('org', '0004_orgunit_boundary'),
    ]

    operations = [
        migrations.CreateModel(
            name='OrgUnitBoundary',
            fields=[
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('unit', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='outline', serialize=False, to='org.orgunit', verbose_name='组织机构')),
                ('geometry', models.JSONField(verbose_name='边界（GeoJSON）')),
            ],
            options={
                'verbose_name': '组织机构边界',
                'verbose_name_plural': '组织机构边界',
            },
        ),
        migrations.RunPython(carry_over, carry_back),
        migrations.RemoveField(
            model_name='orgunit',
            name='boundary',
        ),
    ]
