# The wording dictionary per organisation, inherited down the tree. Rows saved
# before were shared by the whole installation: they stay as its default
# dictionary (organisation NULL, the system administrator's to change).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('publishing', '0004_review_policy'),
    ]

    operations = [
        migrations.AddField(
            model_name='wordingrule',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.organisation', verbose_name='机构（留空为默认词库）'),
        ),
        migrations.AlterField(
            model_name='wordingrule',
            name='phrase',
            field=models.CharField(max_length=100, verbose_name='词语'),
        ),
        migrations.AddConstraint(
            model_name='wordingrule',
            constraint=models.UniqueConstraint(fields=('organisation', 'phrase'), name='wording_rule_org_phrase'),
        ),
        migrations.AddConstraint(
            model_name='wordingrule',
            constraint=models.UniqueConstraint(condition=models.Q(('organisation__isnull', True)), fields=('phrase',), name='wording_rule_default_phrase'),
        ),
    ]
