"""The periodic jobs' rows: gongkai.core.scheduler locks one to enqueue its
job once, whatever the number of workers."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0008_audit_anchor"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScheduledJob",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=200, unique=True, verbose_name="任务")),
                ("next_due", models.DateTimeField(blank=True, null=True, verbose_name="下次执行")),
                ("last_run", models.DateTimeField(blank=True, null=True, verbose_name="上次执行")),
                ("last_error", models.TextField(blank=True, verbose_name="上次错误")),
                ("last_error_at", models.DateTimeField(blank=True, null=True, verbose_name="出错时间")),
            ],
            options={
                "verbose_name": "定时任务",
                "verbose_name_plural": "定时任务",
            },
        ),
    ]
