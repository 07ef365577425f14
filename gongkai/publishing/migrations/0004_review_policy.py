import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('publishing', '0003_workflow'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReviewPolicy',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('one_step_per_person', models.BooleanField(default=True, verbose_name='同一人只能办理同一文件的一个审核环节')),
                ('drafter_may_not_review', models.BooleanField(default=True, verbose_name='起草人、提交人不得审核本人的文件')),
                ('reason', models.CharField(blank=True, max_length=300, verbose_name='理由')),
                ('changed_at', models.DateTimeField(auto_now=True, verbose_name='设置时间')),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='设置人')),
                ('organisation', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='review_policy', to='core.organisation', verbose_name='机构')),
            ],
            options={
                'verbose_name': '审核职责分离规则',
                'verbose_name_plural': '审核职责分离规则',
            },
        ),
    ]
