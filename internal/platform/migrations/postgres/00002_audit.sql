-- Append-only audit trail, each entry chained to the previous one by a hash.
CREATE TABLE audit_log (
    seq             BIGINT PRIMARY KEY,
    at              TIMESTAMPTZ NOT NULL,
    user_id         TEXT NOT NULL,
    organisation_id TEXT NOT NULL DEFAULT '',
    action          TEXT NOT NULL,
    object_type     TEXT NOT NULL,
    object_id       TEXT NOT NULL DEFAULT '',
    person_id       TEXT NOT NULL DEFAULT '',
    ip              TEXT NOT NULL DEFAULT '',
    detail          TEXT NOT NULL DEFAULT '',
    prev_hash       TEXT NOT NULL,
    hash            TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_person ON audit_log (person_id, seq) WHERE person_id <> '';
CREATE INDEX audit_log_user ON audit_log (user_id, seq);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);

-- The last purged entry: verification of the remaining chain starts from it.
CREATE TABLE audit_anchor (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    seq       BIGINT NOT NULL,
    hash      TEXT NOT NULL,
    purged_at TIMESTAMPTZ NOT NULL
);
INSERT INTO audit_anchor (id, seq, hash, purged_at) VALUES (1, 0, '', now());

CREATE FUNCTION audit_log_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit_log is append-only';
    END IF;
    IF OLD.seq > (SELECT seq FROM audit_anchor WHERE id = 1) THEN
        RAISE EXCEPTION 'audit_log entries are deleted only by the purge';
    END IF;
    RETURN OLD;
END;
$$;
CREATE TRIGGER audit_log_guard BEFORE UPDATE OR DELETE ON audit_log
FOR EACH ROW EXECUTE FUNCTION audit_log_guard();
