"""The audit log's keyed hashes: each entry names its hash scheme (the
entries written before this migration stay plain SHA-256) and records the
public content hash of the object it changed."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0007_content_generation"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="scheme",
            field=models.CharField(default="sha256", editable=False, max_length=40, verbose_name="指纹算法"),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="content_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True, verbose_name="公开内容指纹"),
        ),
    ]
