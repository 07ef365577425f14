"""Quota windows of any run of months: QuotaPlan.Period.MONTHS and QuotaPlan.months."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("workplan", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="quotaplan",
            name="period",
            field=models.CharField(choices=[("year", "年度"), ("quarter", "季度"), ("month", "月度"), ("months", "按月份段")],
                                   default="quarter", max_length=10, verbose_name="考核周期"),
        ),
        migrations.AddField(
            model_name="quotaplan",
            name="months",
            field=models.CharField(blank=True, help_text="考核周期为按月份段时，各段的月份，如“1-5,6-9,10-12”（按先后、互不重叠）。",
                                   max_length=100, verbose_name="月份段"),
        ),
    ]
