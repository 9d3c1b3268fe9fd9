"""On PostgreSQL: the anchor only moves forward, and the purge needs no DELETE grant.

In the key store, a trigger refuses an anchor that steps back, a deleted anchor and a
TRUNCATE (unless ``vigie.allow_truncate`` is on, as in the test suite). In the main
database, ``vigie_audit_purge_read`` deletes a prefix of the read chain with its
owner's rights (SECURITY DEFINER): the application's role needs no DELETE on
``audit_event`` (docs/deployment.md), and the append-only trigger still lets only
read events past retention go.
"""

from django.db import migrations

ANCHOR_FORWARD = """
CREATE OR REPLACE FUNCTION vigie_audit_anchor_forward() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('vigie.allow_truncate', true) = 'on' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.chain = OLD.chain AND NEW.seq >= OLD.seq THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit anchor only moves forward: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER audit_anchor_forward BEFORE UPDATE OR DELETE ON audit_anchor
    FOR EACH ROW EXECUTE FUNCTION vigie_audit_anchor_forward();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor
    FOR EACH STATEMENT EXECUTE FUNCTION vigie_audit_anchor_forward();
"""

ANCHOR_BACKWARD = """
DROP TRIGGER IF EXISTS audit_anchor_forward ON audit_anchor;
DROP TRIGGER IF EXISTS audit_anchor_no_truncate ON audit_anchor;
DROP FUNCTION IF EXISTS vigie_audit_anchor_forward();
"""

PURGE_FORWARD = """
CREATE OR REPLACE FUNCTION vigie_audit_purge_read(up_to bigint) RETURNS bigint
    LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $$
DECLARE
    deleted bigint;
BEGIN
    PERFORM set_config('vigie.audit_purge', 'on', true);
    DELETE FROM audit_event WHERE chain = 'read' AND seq <= up_to;
    GET DIAGNOSTICS deleted = ROW_COUNT;
    PERFORM set_config('vigie.audit_purge', 'off', true);
    RETURN deleted;
END;
$$;
REVOKE ALL ON FUNCTION vigie_audit_purge_read(bigint) FROM PUBLIC;
"""

PURGE_BACKWARD = "DROP FUNCTION IF EXISTS vigie_audit_purge_read(bigint);"


def _run(schema_editor, sql):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_anchor")]

    operations = [
        # The hint routes it like the model: it runs on the key store only.
        migrations.RunPython(
            lambda apps, editor: _run(editor, ANCHOR_FORWARD),
            lambda apps, editor: _run(editor, ANCHOR_BACKWARD),
            hints={"model_name": "anchor"},
        ),
        migrations.RunPython(
            lambda apps, editor: _run(editor, PURGE_FORWARD),
            lambda apps, editor: _run(editor, PURGE_BACKWARD),
        ),
    ]
