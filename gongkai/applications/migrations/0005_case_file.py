# The case file of a closed application (归档, Art. 45) with the retention the
# office sets per organisation, and 依申请转主动 (Art. 44): the proposal that
# links an application to the catalog draft made of its disclosed information.

import django.db.models.deletion
import gongkai.applications.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0004_notices_signoff'),
        ('catalog', '0008_attachment_text'),
        ('core', '0009_scheduled_job'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CaseFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('file', models.FileField(blank=True, max_length=300, storage=gongkai.applications.models.private_storage, upload_to=gongkai.applications.models.case_file_path, verbose_name='案卷文件')),
                ('sha256', models.CharField(blank=True, max_length=64, verbose_name='SHA-256')),
                ('size', models.PositiveBigIntegerField(default=0, verbose_name='大小（字节）')),
                ('items', models.PositiveIntegerField(default=0, verbose_name='条目数')),
                ('missing', models.PositiveIntegerField(default=0, verbose_name='缺失的文件数')),
                ('built_at', models.DateTimeField(blank=True, null=True, verbose_name='归档时间')),
                ('retention_years', models.PositiveSmallIntegerField(verbose_name='保管期限（年，0为永久）')),
                ('retain_until', models.DateField(blank=True, help_text='空为永久保管', null=True, verbose_name='保管至')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='case_file', to='applications.application', verbose_name='申请')),
            ],
            options={
                'verbose_name': '案卷',
                'verbose_name_plural': '案卷',
            },
        ),
        migrations.CreateModel(
            name='CaseFileRetention',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('years', models.PositiveSmallIntegerField(verbose_name='保管期限（年，0为永久）')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organisation', verbose_name='机构')),
            ],
            options={
                'verbose_name': '案卷保管期限',
                'verbose_name_plural': '案卷保管期限',
            },
        ),
        migrations.CreateModel(
            name='ProactiveProposal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('proposed_at', models.DateTimeField(auto_now_add=True, verbose_name='提出时间')),
                ('application', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='proactive_proposal', to='applications.application', verbose_name='申请')),
                ('document', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='catalog.document', verbose_name='政府信息草稿')),
                ('proposed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='提出人')),
            ],
            options={
                'verbose_name': '依申请转主动公开',
                'verbose_name_plural': '依申请转主动公开',
            },
        ),
    ]
