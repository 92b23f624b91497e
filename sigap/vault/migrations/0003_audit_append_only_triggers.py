"""Database triggers that refuse changes to audit entries.

PostgreSQL refuses UPDATE and DELETE of any row. SQLite refuses UPDATE; a DELETE
trigger is left out there because Django's test flush empties tables with DELETE
(PostgreSQL's flush uses TRUNCATE, which row triggers do not see). The ORM
refuses both everywhere, and ``verify_audit`` detects any row removed behind
its back. See docs/SECURITY.md.
"""

from django.db import migrations

PG_CREATE = [
    """
    CREATE OR REPLACE FUNCTION vault_audit_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION 'audit entries are append-only (% refused)', TG_OP
            USING ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER vault_auditentry_append_only
    BEFORE UPDATE OR DELETE ON vault_auditentry
    FOR EACH ROW EXECUTE FUNCTION vault_audit_append_only()
    """,
]
PG_DROP = [
    "DROP TRIGGER IF EXISTS vault_auditentry_append_only ON vault_auditentry",
    "DROP FUNCTION IF EXISTS vault_audit_append_only()",
]
SQLITE_CREATE = [
    """
    CREATE TRIGGER IF NOT EXISTS vault_auditentry_no_update
    BEFORE UPDATE ON vault_auditentry
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END
    """,
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS vault_auditentry_no_update"]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            # params=None: the statement holds a literal "%" (PL/pgSQL RAISE format).
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("vault", "0002_key_rotation_cursor")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_CREATE, "sqlite": SQLITE_CREATE}),
            _run({"postgresql": PG_DROP, "sqlite": SQLITE_DROP}),
        )
    ]
