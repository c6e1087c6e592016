-- sasldb4j PostgreSQL store, schema version 1 (docs/postgresql.md documents every object).
-- Created by the tools in one transaction; statements are separated by lines holding only ';;'
-- (function bodies contain ';').

CREATE SCHEMA IF NOT EXISTS sasldb4j
;;
-- The Cyrus keyspace: authid \0 realm \0 property -> value. Key columns are text in the "C"
-- collation so that primary-key order is the bytewise order of the Cyrus key (LMDB's order);
-- values are bytes (a legacy secret need not be UTF-8).
CREATE TABLE sasldb4j.records (
    authid   text  COLLATE "C" NOT NULL,
    realm    text  COLLATE "C" NOT NULL,
    property text  COLLATE "C" NOT NULL,
    value    bytea NOT NULL,
    PRIMARY KEY (authid, realm, property)
)
;;
-- One row: the schema version the tools check and upgrade.
CREATE TABLE sasldb4j.schema_version (
    version integer NOT NULL,
    one_row boolean PRIMARY KEY DEFAULT true CHECK (one_row)
)
;;
INSERT INTO sasldb4j.schema_version (version) VALUES (1)
;;
-- The change log replicas follow: one row per changed user per statement, written by the trigger
-- below in the same transaction as the change. seq is assigned under a transaction-scoped
-- advisory lock that every writing transaction holds until it commits, so seq order is commit
-- order and a replica that has applied every seq <= N has seen every change committed before N.
CREATE TABLE sasldb4j.changes (
    seq        bigint PRIMARY KEY,
    authid     text COLLATE "C" NOT NULL,
    realm      text COLLATE "C" NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
)
;;
CREATE SEQUENCE sasldb4j.changes_seq OWNED BY sasldb4j.changes.seq
;;
CREATE FUNCTION sasldb4j.log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Serialises writers from the first change to commit (any client: the tools, psql, Cyrus).
    PERFORM pg_advisory_xact_lock(7310500521);
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO sasldb4j.changes (seq, authid, realm)
            SELECT nextval('sasldb4j.changes_seq'), n.authid, n.realm
            FROM (SELECT DISTINCT authid, realm FROM new_rows) n;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO sasldb4j.changes (seq, authid, realm)
            SELECT nextval('sasldb4j.changes_seq'), o.authid, o.realm
            FROM (SELECT DISTINCT authid, realm FROM old_rows) o;
    END IF;
    PERFORM pg_notify('sasldb4j_changes', '');
    RETURN NULL;
END
$$
;;
CREATE TRIGGER records_logged_insert AFTER INSERT ON sasldb4j.records
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sasldb4j.log_change()
;;
CREATE TRIGGER records_logged_update AFTER UPDATE ON sasldb4j.records
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION sasldb4j.log_change()
;;
CREATE TRIGGER records_logged_delete AFTER DELETE ON sasldb4j.records
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION sasldb4j.log_change()
;;
-- TRUNCATE bypasses row triggers: it is logged as a change of every user (replicas re-copy).
CREATE FUNCTION sasldb4j.log_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7310500521);
    INSERT INTO sasldb4j.changes (seq, authid, realm) VALUES (nextval('sasldb4j.changes_seq'), '*', '*');
    PERFORM pg_notify('sasldb4j_changes', '');
    RETURN NULL;
END
$$
;;
CREATE TRIGGER records_logged_truncate AFTER TRUNCATE ON sasldb4j.records
    FOR EACH STATEMENT EXECUTE FUNCTION sasldb4j.log_truncate()
;;
-- Dovecot's passdb sql reads one password per user: {PLAIN} of the plaintext userPassword when
-- there is one (every mechanism then works), else the Argon2id hash, else the SCRAM-SHA-256 keys;
-- the values of sasldb4j.* properties are already Dovecot {SCHEME} strings. Disabled users are
-- absent. user is authid@realm, or authid alone for the empty realm. Query it by authid and realm
-- (Dovecot's %n and %d): those conditions reach the primary key; one on "user" scans every row.
CREATE VIEW sasldb4j.dovecot_passdb AS
    SELECT r.authid, r.realm,
           CASE WHEN r.realm = '' THEN r.authid ELSE r.authid || '@' || r.realm END AS "user",
           (SELECT CASE p.property
                       WHEN 'userPassword' THEN '{PLAIN}' || convert_from(p.value, 'UTF8')
                       ELSE convert_from(p.value, 'UTF8') END
              FROM sasldb4j.records p
             WHERE p.authid = r.authid AND p.realm = r.realm
               AND p.property IN ('userPassword', 'sasldb4j.argon2id', 'sasldb4j.scram-sha-256')
             ORDER BY CASE p.property WHEN 'userPassword' THEN 1 WHEN 'sasldb4j.argon2id' THEN 2 ELSE 3 END
             LIMIT 1) AS password
      FROM (SELECT DISTINCT authid, realm FROM sasldb4j.records) r
     WHERE NOT EXISTS (SELECT 1 FROM sasldb4j.records d
                        WHERE d.authid = r.authid AND d.realm = r.realm AND d.property = 'sasldb4j.disabled')
