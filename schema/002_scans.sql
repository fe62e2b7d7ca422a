-- 002_scans.sql: assets (images), builds, digests, reports, scans, findings.
-- See RULES.md 1-2 and docs/ingest.md. Facts are kept with their times and
-- never overwritten, so a past month can be rebuilt.

-- An asset: registry/repository:version. Its UAI is assigned once.
CREATE TABLE images (
    id            bigserial PRIMARY KEY,
    uai           text NOT NULL UNIQUE,
    registry      text NOT NULL,
    repository    text NOT NULL,
    version       text NOT NULL,
    version_from_digest boolean NOT NULL DEFAULT false,
    first_seen    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (registry, repository, version)
);
CREATE INDEX images_repo ON images (registry, repository);

-- Former UAIs (an asset renamed once when a versionless build got a tag).
CREATE TABLE image_aliases (
    uai         text PRIMARY KEY,
    image_id    bigint NOT NULL REFERENCES images(id),
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One immutable image, known by one or more digests.
CREATE TABLE builds (
    id            bigserial PRIMARY KEY,
    first_seen    timestamptz NOT NULL DEFAULT now()
);

-- Every digest form (manifest, index, config) of a build.
CREATE TABLE digests (
    digest      text PRIMARY KEY CHECK (digest ~ '^sha(256|512):[0-9a-f]+$'),
    build_id    bigint NOT NULL REFERENCES builds(id)
);
CREATE INDEX digests_build ON digests (build_id);

-- Which assets a build was seen as (one build may carry several tags).
CREATE TABLE build_images (
    build_id    bigint NOT NULL REFERENCES builds(id),
    image_id    bigint NOT NULL REFERENCES images(id),
    first_seen  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (build_id, image_id)
);
CREATE INDEX build_images_image ON build_images (image_id);

-- A report exactly as received (gzip-compressed), the audit evidence.
CREATE TABLE reports (
    id              bigserial PRIMARY KEY,
    sha256          text NOT NULL UNIQUE,
    idempotency_key text UNIQUE,
    format          text NOT NULL,
    size            bigint NOT NULL,
    raw_gz          bytea NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    token_id        bigint REFERENCES tokens(id)
);

-- One image's scan within a report (a trivy k8s report holds many).
CREATE TABLE scans (
    id              bigserial PRIMARY KEY,
    report_id       bigint NOT NULL REFERENCES reports(id),
    seq             int NOT NULL,
    image_id        bigint NOT NULL REFERENCES images(id),
    build_id        bigint NOT NULL REFERENCES builds(id),
    digest          text NOT NULL,
    scanner_name    text NOT NULL,
    scanner_version text,
    db_version      text,
    scanned_at      timestamptz NOT NULL,
    received_at     timestamptz NOT NULL DEFAULT now(),
    os_family       text,
    os_version      text,
    architecture    text,
    findings_count  int NOT NULL,
    new_findings    int NOT NULL,
    UNIQUE (report_id, seq)
);
CREATE INDEX scans_build_time ON scans (build_id, scanned_at DESC, id DESC);
CREATE INDEX scans_image ON scans (image_id, id);

-- The findings of one scan; (vuln_id, pkg_name, installed_version,
-- pkg_path) is unique within a scan.
CREATE TABLE findings (
    scan_id           bigint NOT NULL REFERENCES scans(id),
    ord               int NOT NULL,
    vuln_id           text NOT NULL,
    weakness          text NOT NULL,
    aliases           text[] NOT NULL DEFAULT '{}',
    pkg_name          text NOT NULL,
    pkg_type          text,
    installed_version text,
    fixed_version     text,
    pkg_path          text,
    purl              text,
    severity          text NOT NULL,
    risk              text NOT NULL CHECK (risk IN ('High', 'Moderate', 'Low')),
    cvss3_score       numeric(3,1),
    cvss3_vector      text,
    cvss3_source      text,
    cvss2_score       numeric(3,1),
    cvss2_vector      text,
    cvss2_source      text,
    title             text,
    url               text,
    published         text,
    PRIMARY KEY (scan_id, ord)
);
CREATE INDEX findings_weakness ON findings (weakness);

-- Merge builds found to be one image (all their digests are aliases):
-- everything pointing at the others moves to keep_id. Later migrations
-- that add tables referencing builds replace this function to cover them.
CREATE FUNCTION muster_merge_builds(keep_id bigint, others bigint[]) RETURNS void
LANGUAGE sql AS $$
    UPDATE digests SET build_id = keep_id WHERE build_id = ANY(others);
    UPDATE scans SET build_id = keep_id WHERE build_id = ANY(others);
    INSERT INTO build_images (build_id, image_id, first_seen)
        SELECT keep_id, image_id, min(first_seen) FROM build_images
        WHERE build_id = ANY(others) GROUP BY image_id
        ON CONFLICT DO NOTHING;
    DELETE FROM build_images WHERE build_id = ANY(others);
    DELETE FROM builds WHERE id = ANY(others);
$$;
