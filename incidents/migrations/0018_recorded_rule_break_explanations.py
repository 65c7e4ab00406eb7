"""The explanation given when a recorded fact broke a rule, on the detainer and on a logged 287(g) action.

docs/decisions/past-facts-and-gates.md: a past fact that broke a rule is saved as it happened, with the
recorder's explanation (``incidents.detainers.rule_breaks``). Both fields are audited (history).
"""

from django.db import migrations, models

DETAINER_HELP = "What happened and why, given when a recorded fact broke a rule (officer, agreement, hold)."
ACTION_HELP = "What happened and why, when the action broke a rule."
LABEL = "Explanation of a rule broken"


class Migration(migrations.Migration):
    dependencies = [("incidents", "0017_detainer_subject_name_keys_single_name")]

    operations = [
        migrations.AddField(
            model_name="detainer",
            name="explanation",
            field=models.TextField(blank=True, help_text=DETAINER_HELP, verbose_name=LABEL),
        ),
        migrations.AddField(
            model_name="historicaldetainer",
            name="explanation",
            field=models.TextField(blank=True, help_text=DETAINER_HELP, verbose_name=LABEL),
        ),
        migrations.AddField(
            model_name="detaineraction",
            name="explanation",
            field=models.TextField(blank=True, help_text=ACTION_HELP, verbose_name=LABEL),
        ),
        migrations.AddField(
            model_name="historicaldetaineraction",
            name="explanation",
            field=models.TextField(blank=True, help_text=ACTION_HELP, verbose_name=LABEL),
        ),
    ]
