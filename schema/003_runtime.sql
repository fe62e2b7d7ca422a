-- 003_runtime.sql: what runs where (container instances from sensor
-- snapshots), which scopes are production, hardening baselines and asset
-- metadata, the policy, alerts and webhooks, and the CISA KEV catalog.
-- Settings that reports depend on keep their history (valid_from /
-- valid_to) so that a past month is rebuilt as it was.

-- Cluster (or cluster + namespace pattern) -> environment. The most
-- specific matching pattern wins; '*' matches every namespace.
CREATE TABLE environments (
    id                bigserial PRIMARY KEY,
    cluster           text NOT NULL CHECK (length(cluster) BETWEEN 1 AND 253),
    namespace_pattern text NOT NULL DEFAULT '*' CHECK (length(namespace_pattern) BETWEEN 1 AND 253),
    environment       text NOT NULL CHECK (environment ~ '^[a-z][a-z0-9_-]{0,31}$'),
    valid_from        timestamptz NOT NULL DEFAULT now(),
    valid_to          timestamptz
);
CREATE UNIQUE INDEX environments_current ON environments (cluster, namespace_pattern) WHERE valid_to IS NULL;

-- One sensor snapshot as received.
CREATE TABLE runtime_snapshots (
    id            bigserial PRIMARY KEY,
    cluster       text NOT NULL,
    namespace     text,
    observed_at   timestamptz NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    format        text NOT NULL,
    containers    int NOT NULL,
    unresolved    int NOT NULL,
    sha256        text NOT NULL,
    token_id      bigint REFERENCES tokens(id)
);
CREATE INDEX runtime_snapshots_scope ON runtime_snapshots (cluster, namespace, observed_at DESC);

-- A container instance: one container of one pod running one build.
CREATE TABLE container_instances (
    id          bigserial PRIMARY KEY,
    cluster     text NOT NULL,
    namespace   text NOT NULL,
    pod         text NOT NULL,
    container   text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('container', 'init', 'ephemeral')),
    image_ref   text,
    build_id    bigint NOT NULL REFERENCES builds(id),
    image_id    bigint NOT NULL REFERENCES images(id),
    node        text,
    started_at  timestamptz,
    first_seen  timestamptz NOT NULL,
    last_seen   timestamptz NOT NULL,
    ended_at    timestamptz
);
CREATE UNIQUE INDEX container_instances_running
    ON container_instances (cluster, namespace, pod, container, build_id) WHERE ended_at IS NULL;
CREATE INDEX container_instances_scope ON container_instances (cluster, namespace) WHERE ended_at IS NULL;
CREATE INDEX container_instances_build ON container_instances (build_id);
CREATE INDEX container_instances_image ON container_instances (image_id);
CREATE INDEX container_instances_period ON container_instances (first_seen, ended_at);

-- Hardening baseline of an asset (image_id set) or of a whole repository
-- (image_id NULL, registry + repository set).
CREATE TABLE hardening (
    id            bigserial PRIMARY KEY,
    image_id      bigint REFERENCES images(id),
    registry      text,
    repository    text,
    baseline      text NOT NULL CHECK (length(baseline) BETWEEN 1 AND 500),
    benchmark     text,
    validated_by  text NOT NULL CHECK (length(validated_by) BETWEEN 1 AND 200),
    validated_at  timestamptz NOT NULL,
    evidence      text,
    valid_from    timestamptz NOT NULL DEFAULT now(),
    valid_to      timestamptz,
    CHECK ((image_id IS NOT NULL) <> (repository IS NOT NULL))
);
CREATE UNIQUE INDEX hardening_image_current ON hardening (image_id) WHERE valid_to IS NULL AND image_id IS NOT NULL;
CREATE UNIQUE INDEX hardening_repo_current ON hardening (registry, repository) WHERE valid_to IS NULL AND repository IS NOT NULL;

-- Inventory metadata of an asset or repository (same scoping as hardening).
CREATE TABLE asset_metadata (
    id                   bigserial PRIMARY KEY,
    image_id             bigint REFERENCES images(id),
    registry             text,
    repository           text,
    doc                  jsonb NOT NULL,
    valid_from           timestamptz NOT NULL DEFAULT now(),
    valid_to             timestamptz,
    CHECK ((image_id IS NOT NULL) <> (repository IS NOT NULL))
);
CREATE UNIQUE INDEX asset_metadata_image_current ON asset_metadata (image_id) WHERE valid_to IS NULL AND image_id IS NOT NULL;
CREATE UNIQUE INDEX asset_metadata_repo_current ON asset_metadata (registry, repository) WHERE valid_to IS NULL AND repository IS NOT NULL;

-- The policy document; each PUT adds a version.
CREATE TABLE policy_versions (
    id          bigserial PRIMARY KEY,
    doc         jsonb NOT NULL,
    valid_from  timestamptz NOT NULL DEFAULT now()
);
INSERT INTO policy_versions (doc, valid_from) VALUES (
    '{"scan_window_days": 30, "allowed_registries": [], "require_hardening": true,
      "admission_mode": "enforce", "moving_tags": ["latest"]}', '1970-01-01');

-- The CISA KEV catalog (latest import wins; each import is kept).
CREATE TABLE kev_imports (
    id           bigserial PRIMARY KEY,
    version      text,
    released     text,
    entries      int NOT NULL,
    imported_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE kev_entries (
    cve          text PRIMARY KEY,
    vendor       text,
    product      text,
    name         text,
    date_added   date,
    due_date     date,
    ransomware   text,
    import_id    bigint REFERENCES kev_imports(id)
);

-- Alerts: one open alert per (asset, rule) while the rule fails.
CREATE TABLE alerts (
    id           bigserial PRIMARY KEY,
    image_id     bigint NOT NULL REFERENCES images(id),
    rule         text NOT NULL CHECK (rule IN ('scan_window', 'hardening', 'registry', 'kev')),
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    opened_at    timestamptz NOT NULL,
    resolved_at  timestamptz,
    detail       jsonb
);
CREATE UNIQUE INDEX alerts_open ON alerts (image_id, rule) WHERE status = 'open';
CREATE INDEX alerts_status ON alerts (status, id);

CREATE TABLE webhooks (
    id          bigserial PRIMARY KEY,
    url         text NOT NULL CHECK (url ~ '^https?://'),
    secret      text,
    created_at  timestamptz NOT NULL DEFAULT now(),
    deleted_at  timestamptz
);

-- Outbox of webhook deliveries, written in the alert's transaction.
CREATE TABLE webhook_deliveries (
    id              bigserial PRIMARY KEY,
    webhook_id      bigint NOT NULL REFERENCES webhooks(id),
    alert_id        bigint NOT NULL REFERENCES alerts(id),
    event           text NOT NULL,
    payload         jsonb NOT NULL,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    last_error      text,
    delivered_at    timestamptz,
    UNIQUE (webhook_id, alert_id, event)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';

-- Builds merged later move their container instances too.
CREATE OR REPLACE FUNCTION muster_merge_builds(keep_id bigint, others bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE digests SET build_id = keep_id WHERE build_id = ANY(others);
    UPDATE scans SET build_id = keep_id WHERE build_id = ANY(others);
    UPDATE container_instances SET build_id = keep_id WHERE build_id = ANY(others);
    INSERT INTO build_images (build_id, image_id, first_seen)
        SELECT keep_id, image_id, min(first_seen) FROM build_images
        WHERE build_id = ANY(others) GROUP BY image_id
        ON CONFLICT DO NOTHING;
    DELETE FROM build_images WHERE build_id = ANY(others);
    DELETE FROM builds WHERE id = ANY(others);
$$;

-- Is (cluster, namespace) production at time t? The most specific matching
-- pattern in force at t decides ('*' is the least specific).
CREATE FUNCTION muster_environment(p_cluster text, p_namespace text, t timestamptz) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT e.environment FROM environments e
    WHERE e.cluster = p_cluster
      AND e.valid_from <= t AND (e.valid_to IS NULL OR e.valid_to > t)
      AND p_namespace LIKE replace(replace(replace(replace(e.namespace_pattern, '\', '\\'), '%', '\%'), '_', '\_'), '*', '%')
    ORDER BY (e.namespace_pattern = '*'), length(e.namespace_pattern) DESC
    LIMIT 1
$$;
