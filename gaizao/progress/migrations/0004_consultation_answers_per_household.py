"""Consultations (意愿征询) are recorded per household: a period (held_on … ends_on) and one answer per
household; the counts and the threshold typed on the consultation go (the threshold is the
project's ``consultation_threshold``). An existing consultation keeps its day as its period and its
typed counts in its note, so nothing that was recorded is lost."""

from django.db import migrations, models
import django.db.models.deletion


def keep_counts_in_note(apps, schema_editor):
    Consultation = apps.get_model("progress", "Consultation")
    for c in Consultation.objects.all():
        kept = f"（原登记：应征询 {c.eligible} 户，同意 {c.agreed} 户，通过比例 {c.threshold}%）"
        Consultation.objects.filter(pk=c.pk).update(ends_on=c.held_on, note=(c.note + kept).strip())


class Migration(migrations.Migration):

    dependencies = [
        ("ledger", "0011_project_consultation_threshold"),
        ("progress", "0003_clean_control_characters"),
    ]

    operations = [
        migrations.AddField(model_name="consultation", name="ends_on",
                            field=models.DateField(null=True, verbose_name="征询截止日期")),
        migrations.RunPython(keep_counts_in_note, migrations.RunPython.noop),
        migrations.AlterField(model_name="consultation", name="ends_on",
                              field=models.DateField(verbose_name="征询截止日期")),
        migrations.AlterField(model_name="consultation", name="held_on",
                              field=models.DateField(verbose_name="征询开始日期")),
        migrations.RemoveField(model_name="consultation", name="eligible"),
        migrations.RemoveField(model_name="consultation", name="agreed"),
        migrations.RemoveField(model_name="consultation", name="threshold"),
        migrations.AddConstraint(
            model_name="consultation",
            constraint=models.CheckConstraint(condition=models.Q(("ends_on__gte", models.F("held_on"))),
                                              name="consultation_ends_after_start"),
        ),
        migrations.CreateModel(
            name="ConsultationAnswer",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="创建时间")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="更新时间")),
                ("answer", models.CharField(choices=[("agree", "同意"), ("disagree", "不同意"), ("none", "未表态")],
                                            max_length=16, verbose_name="意见")),
                ("answered_on", models.DateField(verbose_name="表态日期")),
                ("consultation", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="answers",
                                                   to="progress.consultation", verbose_name="意愿征询")),
                ("household", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                                related_name="consultation_answers", to="ledger.household",
                                                verbose_name="住户")),
            ],
            options={"verbose_name": "住户意见", "verbose_name_plural": "住户意见"},
        ),
        migrations.AddConstraint(
            model_name="consultationanswer",
            constraint=models.UniqueConstraint(fields=("consultation", "household"), name="one_answer_per_household"),
        ),
    ]
