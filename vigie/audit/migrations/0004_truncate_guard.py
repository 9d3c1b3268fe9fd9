"""On PostgreSQL, also refuse TRUNCATE of the audit tables and DELETE of chain heads.

Without it the whole log, heads included, could be emptied and ``verify`` would see
a new, intact installation. A connection that sets ``vigie.allow_truncate`` may
truncate: the test suite does, to reset its database between tests.
"""

from django.db import migrations

FORWARD = """
CREATE OR REPLACE FUNCTION vigie_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('vigie.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_audit_no_truncate();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_audit_no_truncate();
CREATE TRIGGER audit_chainhead_no_truncate BEFORE TRUNCATE ON audit_chainhead
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_audit_no_truncate();
CREATE OR REPLACE FUNCTION vigie_audit_refuse() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_chainhead_no_delete BEFORE DELETE ON audit_chainhead
    FOR EACH ROW EXECUTE FUNCTION vigie_audit_refuse();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_event;
DROP TRIGGER IF EXISTS audit_checkpoint_no_truncate ON audit_checkpoint;
DROP TRIGGER IF EXISTS audit_chainhead_no_truncate ON audit_chainhead;
DROP TRIGGER IF EXISTS audit_chainhead_no_delete ON audit_chainhead;
DROP FUNCTION IF EXISTS vigie_audit_no_truncate();
DROP FUNCTION IF EXISTS vigie_audit_refuse();
"""


def _run(schema_editor, sql):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


def forward(apps, schema_editor):
    _run(schema_editor, FORWARD)


def backward(apps, schema_editor):
    _run(schema_editor, BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_known_chain")]

    operations = [migrations.RunPython(forward, backward)]
