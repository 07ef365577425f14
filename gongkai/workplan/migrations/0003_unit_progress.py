"""Per-unit progress on tasks, and the assessment's rule for indicators without data.

Each TaskUnit now carries its own part of the task (state, percent, the day it
reported its part done, who confirmed it). Existing data is carried over so
that nothing that was complete becomes open:

- a task completed (已完成) or reported complete (待牵头单位确认) under the old
  rule (one unit's report completed the task for all its units): every unit
  of the task gets that state at the task's completion date (and, when
  confirmed, the task's confirmer). Unmatched units (groups such as 各区县政府)
  are marked too: under the new rule an unmatched unit's open part keeps the
  task open, and the task was complete;
- an open task: each matched unit's percent is the highest percent its own
  reports gave (at most 99, an open part is not complete), and the task's
  percent becomes the mean of its matched units' percents, as the services
  now compute it.

Assessment schemes default to excluding an indicator without data and
renormalising the other weights (NoData.EXCLUDE); indicators follow their
scheme.
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.db.models import Max


def carry_over(apps, schema_editor):
    Task = apps.get_model("workplan", "Task")
    TaskUnit = apps.get_model("workplan", "TaskUnit")
    ProgressReport = apps.get_model("workplan", "ProgressReport")
    for task in Task.objects.all().iterator():
        units = TaskUnit.objects.filter(task_id=task.pk)
        if task.state in ("done", "reported"):
            units.update(state=task.state, percent=100, completed_on=task.completed_on,
                         confirmed_by_id=task.confirmed_by_id if task.state == "done" else None)
            continue
        best = dict(ProgressReport.objects.filter(task_id=task.pk).values("organisation_id")
                    .annotate(top=Max("percent")).values_list("organisation_id", "top"))
        percents = []
        for unit in units.filter(organisation__isnull=False):
            unit.percent = min(99, best.get(unit.organisation_id) or 0)
            unit.save(update_fields=["percent"])
            percents.append(unit.percent)
        if percents:
            task.percent = min(99, sum(percents) // len(percents))
            task.save(update_fields=["percent"])


class Migration(migrations.Migration):

    dependencies = [
        ("workplan", "0002_quota_windows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="taskunit",
            name="state",
            field=models.CharField(choices=[("open", "推进中"), ("reported", "待牵头单位确认"), ("done", "已完成")],
                                   db_index=True, default="open", max_length=10, verbose_name="本单位进展"),
        ),
        migrations.AddField(
            model_name="taskunit",
            name="percent",
            field=models.PositiveSmallIntegerField(
                default=0, validators=[django.core.validators.MinValueValidator(0),
                                       django.core.validators.MaxValueValidator(100)],
                verbose_name="本单位进度（%）"),
        ),
        migrations.AddField(
            model_name="taskunit",
            name="completed_on",
            field=models.DateField(blank=True, null=True, verbose_name="本单位报送完成日期"),
        ),
        migrations.AddField(
            model_name="taskunit",
            name="confirmed_by",
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                    related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="确认人"),
        ),
        migrations.AlterField(
            model_name="task",
            name="completed_on",
            field=models.DateField(blank=True, help_text="最后一个单位报送完成的日期（各单位均报送完成后才有）。",
                                   null=True, verbose_name="完成日期"),
        ),
        migrations.AddField(
            model_name="scheme",
            name="no_data",
            field=models.CharField(choices=[("exclude", "不计入，按其余指标折算"), ("zero", "计0分")], default="exclude",
                                   help_text="某单位某项指标无数据时：不计入并按其余指标的分值折算总分，或计0分。",
                                   max_length=10, verbose_name="无数据的指标"),
        ),
        migrations.AddField(
            model_name="indicator",
            name="no_data",
            field=models.CharField(blank=True, choices=[("exclude", "不计入，按其余指标折算"), ("zero", "计0分")],
                                   default="", help_text="留空则按考核方案的规定。", max_length=10,
                                   verbose_name="无数据时"),
        ),
        migrations.RunPython(carry_over, migrations.RunPython.noop),
    ]
