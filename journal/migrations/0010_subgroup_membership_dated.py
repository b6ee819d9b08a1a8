"""The subgroup's members become dated: the automatic many-to-many table is kept (same name, same rows,
each now open-ended) and gains ``date_from``/``date_to``; the pair's uniqueness goes, a student may
come back to a group they left."""

import django.db.models.deletion
from django.db import migrations, models


def drop_pair_unique(apps, schema_editor):
    model = apps.get_model("journal", "SubgroupMembership")
    names = schema_editor._constraint_names(model, ["subgroup_id", "student_id"], unique=True, primary_key=False)
    for name in names:
        schema_editor.execute(schema_editor._delete_unique_sql(model, name))


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0009_movement"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SubgroupMembership",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"),
                        ),
                        (
                            "subgroup",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="memberships",
                                to="journal.subgroup",
                            ),
                        ),
                        (
                            "student",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="subgroup_memberships",
                                to="journal.student",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "journal_subgroup_members",
                        "verbose_name": "subgroup membership",
                        "verbose_name_plural": "subgroup memberships",
                    },
                ),
                migrations.AlterField(
                    model_name="subgroup",
                    name="members",
                    field=models.ManyToManyField(
                        blank=True,
                        related_name="subgroups",
                        through="journal.SubgroupMembership",
                        to="journal.student",
                        verbose_name="members",
                    ),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(drop_pair_unique, migrations.RunPython.noop),
        migrations.AddField(
            model_name="subgroupmembership",
            name="date_from",
            field=models.DateField(blank=True, null=True, verbose_name="from"),
        ),
        migrations.AddField(
            model_name="subgroupmembership",
            name="date_to",
            field=models.DateField(blank=True, null=True, verbose_name="to"),
        ),
        migrations.AddIndex(
            model_name="subgroupmembership",
            index=models.Index(fields=["student", "subgroup"], name="subgroup_member_student"),
        ),
        migrations.AddConstraint(
            model_name="subgroupmembership",
            constraint=models.CheckConstraint(
                condition=models.Q(date_to__isnull=True)
                | models.Q(date_from__isnull=True)
                | models.Q(date_to__gte=models.F("date_from")),
                name="subgroup_membership_dates_ordered",
            ),
        ),
    ]
