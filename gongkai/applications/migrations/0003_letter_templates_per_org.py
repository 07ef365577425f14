# Letter templates per organisation, inherited down the tree. Rows saved
# before were shared by the whole installation: they stay as its default
# (organisation NULL, the system administrator's to change).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0002_private_files'),
        ('core', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='lettertemplate',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organisation', verbose_name='机构（留空为默认文字）'),
        ),
        migrations.AlterField(
            model_name='lettertemplate',
            name='key',
            field=models.CharField(max_length=30, verbose_name='模板'),
        ),
        migrations.AddConstraint(
            model_name='lettertemplate',
            constraint=models.UniqueConstraint(fields=('organisation', 'key'), name='letter_template_org_key'),
        ),
        migrations.AddConstraint(
            model_name='lettertemplate',
            constraint=models.UniqueConstraint(condition=models.Q(('organisation__isnull', True)), fields=('key',), name='letter_template_default_key'),
        ),
    ]
