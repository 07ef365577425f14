"""Attachment text read once by the background worker, with its status."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("catalog", "0007_facet_cells"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="text",
            field=models.TextField(blank=True, editable=False, verbose_name="附件文字"),
        ),
        migrations.AddField(
            model_name="attachment",
            name="text_status",
            field=models.CharField(
                choices=[
                    ("pending", "正在读取附件内容"),
                    ("read", "已读取"),
                    ("too_large", "附件过大，未能自动读取全部内容"),
                    ("unreadable", "附件无法读取"),
                    ("no_text", "该格式没有可读取的文字"),
                ],
                default="pending",
                editable=False,
                max_length=12,
                verbose_name="文字读取状态",
            ),
        ),
        migrations.AddField(
            model_name="attachment",
            name="text_attempts",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="读取次数"),
        ),
        migrations.AddIndex(
            model_name="attachment",
            index=models.Index(condition=models.Q(("text_status", "pending")), fields=["id"],
                               name="attachment_text_pending"),
        ),
    ]
