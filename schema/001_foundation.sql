-- 001_foundation.sql: tokens and the audit log.
-- Tokens are stored only as SHA-256 hashes of their secret.

CREATE TABLE tokens (
    id          bigserial PRIMARY KEY,
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
    role        text NOT NULL CHECK (role IN ('admin', 'scanner', 'sensor', 'viewer')),
    secret_sha256 text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

-- Every write made through the API (or the CLI), in the writer's transaction.
CREATE TABLE audit_log (
    id          bigserial PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    token_id    bigint REFERENCES tokens(id),
    actor       text NOT NULL,
    route       text NOT NULL,
    request_id  text,
    action      text NOT NULL,
    detail      jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
