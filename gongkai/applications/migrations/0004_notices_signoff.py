# Notices the procedure sends (补正告知书, 延期答复告知书, 征求意见书, 收费通知书,
# 答复告知书, 转送告知书), their sign-off (签发) with its per-organisation
# policy, their numbering per organisation, kind and year, and the messages
# to the applicant (e-mail, SMS). The 无法提供 and 不予处理 outcomes now have a
# letter template each (gongkai.core.statute): an office's rewording of the
# former shared templates carries over to each of them.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SPLIT = {
    "unable": ("needs_creation", "still_unclear"),
    "not_processed": ("petition", "repeat", "publication", "excessive", "confirm"),
}


def split_shared_templates(apps, schema_editor):
    LetterTemplate = apps.get_model("applications", "LetterTemplate")
    for old, new_keys in SPLIT.items():
        for row in LetterTemplate.objects.filter(key=old):
            for key in new_keys:
                if not LetterTemplate.objects.filter(organisation_id=row.organisation_id, key=key).exists():
                    LetterTemplate.objects.create(organisation_id=row.organisation_id, key=key, title=row.title,
                                                  body=row.body)
            row.delete()


def join_shared_templates(apps, schema_editor):
    LetterTemplate = apps.get_model("applications", "LetterTemplate")
    for old, new_keys in SPLIT.items():
        for row in LetterTemplate.objects.filter(key=new_keys[0]):
            if not LetterTemplate.objects.filter(organisation_id=row.organisation_id, key=old).exists():
                LetterTemplate.objects.create(organisation_id=row.organisation_id, key=old, title=row.title, body=row.body)
        LetterTemplate.objects.filter(key__in=new_keys).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0003_letter_templates_per_org'),
        ('core', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='applicationfile',
            name='role',
            field=models.CharField(choices=[('applicant', '申请人提交'), ('disclosed', '公开的信息'), ('letter', '告知书'), ('pending', '待随答复提供')], max_length=12, verbose_name='类别'),
        ),
        migrations.CreateModel(
            name='Notice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('correction', '补正告知书'), ('extension', '延期答复告知书'), ('third_party', '征求第三方意见书'), ('organ', '征求意见函'), ('fee', '收费通知书'), ('reply', '答复告知书'), ('transfer', '转送告知书')], max_length=20, verbose_name='类别')),
                ('state', models.CharField(choices=[('draft', '草稿'), ('pending', '待签发'), ('returned', '已退回修改'), ('signed', '已签发待发出'), ('sent', '已发出'), ('discarded', '已作废')], db_index=True, default='draft', max_length=12, verbose_name='状态')),
                ('version', models.PositiveIntegerField(default=1, verbose_name='版本')),
                ('payload', models.JSONField(blank=True, default=dict, verbose_name='内容')),
                ('title', models.CharField(blank=True, max_length=100, verbose_name='标题')),
                ('number', models.CharField(blank=True, max_length=80, verbose_name='文书编号')),
                ('year', models.PositiveIntegerField(blank=True, null=True, verbose_name='编号年度')),
                ('serial', models.PositiveIntegerField(blank=True, null=True, verbose_name='编号序号')),
                ('parts', models.JSONField(blank=True, default=dict, editable=False, verbose_name='发出的文书')),
                ('body', models.TextField(blank=True, editable=False, verbose_name='发出的文书正文')),
                ('sent_on', models.DateField(blank=True, null=True, verbose_name='发出日期')),
                ('channel', models.CharField(blank=True, choices=[('online', '网上查看（并以电子邮件通知）'), ('email', '电子邮件发送'), ('post', '邮寄'), ('in_person', '当面送达'), ('other', '其他方式（传真等）')], max_length=12, verbose_name='送达方式')),
                ('delivery_note', models.CharField(blank=True, max_length=200, verbose_name='送达记录（邮件单号、签收人等）')),
                ('delivered_on', models.DateField(blank=True, null=True, verbose_name='送达日期（送达回证签收日期）')),
                ('signed_at', models.DateTimeField(blank=True, null=True, verbose_name='签发时间')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='起草时间')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='更新时间')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='applications.application', verbose_name='申请')),
                ('drafted_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='起草人')),
                ('sent_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='发出人')),
                ('signed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='签发人')),
            ],
            options={
                'verbose_name': '告知书和通知',
                'verbose_name_plural': '告知书和通知',
                'ordering': ['id'],
            },
        ),
        migrations.AddField(
            model_name='applicationfile',
            name='notice',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='files', to='applications.notice', verbose_name='随附的告知书'),
        ),
        migrations.CreateModel(
            name='NoticeCounter',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=20)),
                ('year', models.PositiveIntegerField()),
                ('last_serial', models.PositiveIntegerField(default=0)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organisation')),
            ],
        ),
        migrations.CreateModel(
            name='NoticeStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('action', models.CharField(max_length=20, verbose_name='操作')),
                ('from_state', models.CharField(max_length=12, verbose_name='原状态')),
                ('to_state', models.CharField(max_length=12, verbose_name='新状态')),
                ('version', models.PositiveIntegerField(verbose_name='版本')),
                ('payload', models.JSONField(blank=True, default=dict, verbose_name='当时的内容')),
                ('comment', models.TextField(blank=True, verbose_name='意见')),
                ('at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                ('actor', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='操作人')),
                ('notice', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='steps', to='applications.notice', verbose_name='告知书')),
            ],
            options={
                'verbose_name': '告知书办理记录',
                'verbose_name_plural': '告知书办理记录',
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='Notification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('channel', models.CharField(choices=[('email', '电子邮件'), ('sms', '短信')], max_length=8, verbose_name='方式')),
                ('recipient', models.CharField(max_length=254, verbose_name='收件人')),
                ('subject', models.CharField(max_length=200, verbose_name='主题')),
                ('body', models.TextField(verbose_name='内容')),
                ('attach_notice', models.BooleanField(default=False, verbose_name='附告知书（Word 文档）')),
                ('state', models.CharField(choices=[('pending', '待发送'), ('sent', '已发送'), ('failed', '发送失败')], default='pending', max_length=8, verbose_name='状态')),
                ('attempts', models.PositiveSmallIntegerField(default=0, verbose_name='已尝试次数')),
                ('last_error', models.CharField(blank=True, max_length=300, verbose_name='最近一次失败原因')),
                ('next_attempt_at', models.DateTimeField(blank=True, null=True, verbose_name='下次重试时间')),
                ('sent_at', models.DateTimeField(blank=True, null=True, verbose_name='发送时间')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                ('application', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notifications', to='applications.application', verbose_name='申请')),
                ('notice', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='notifications', to='applications.notice', verbose_name='告知书')),
            ],
            options={
                'verbose_name': '申请人通知',
                'verbose_name_plural': '申请人通知',
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='SignOffPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('drafter_may_sign', models.BooleanField(default=False, verbose_name='允许签发人签发本人起草或修改的告知书')),
                ('reason', models.CharField(blank=True, max_length=300, verbose_name='理由')),
                ('changed_at', models.DateTimeField(auto_now=True, verbose_name='设置时间')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='设置人')),
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='signoff_policy', to='core.organisation', verbose_name='机构')),
                ('signers', models.ManyToManyField(blank=True, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='另行指定的签发人')),
            ],
            options={
                'verbose_name': '告知书签发规则',
                'verbose_name_plural': '告知书签发规则',
            },
        ),
        migrations.AddIndex(
            model_name='notice',
            index=models.Index(fields=['application', 'kind'], name='notice_app_kind'),
        ),
        migrations.AddConstraint(
            model_name='noticecounter',
            constraint=models.UniqueConstraint(fields=('organisation', 'kind', 'year'), name='notice_counter_unique'),
        ),
        migrations.AddIndex(
            model_name='notification',
            index=models.Index(fields=['state', 'next_attempt_at'], name='notification_state_next'),
        ),
        migrations.RunPython(split_shared_templates, join_shared_templates),
    ]
