-- 010_inventory_finals.sql: finalized inventory months. Finalizing a month
-- that has ended stores its workbook rows exactly as computed from history
-- at that moment; from then on the month's workbook and CSV are rendered
-- from those rows, so the deliverable that was submitted stays byte for
-- byte the same even when later writes reach into the past (a backfilled
-- scan, two builds found to be one). Finalizing again supersedes the
-- previous rows, which are kept (docs/inventory.md).
CREATE TABLE inventory_finals (
    id            bigserial PRIMARY KEY,
    label         text NOT NULL,                 -- "2026-10"
    period_start  timestamptz NOT NULL,
    period_end    timestamptz NOT NULL,          -- exclusive
    rows          bigint NOT NULL DEFAULT 0,
    finalized_at  timestamptz NOT NULL DEFAULT now(),
    finalized_by  text NOT NULL,
    superseded_at timestamptz,
    CHECK (period_end > period_start)
);
CREATE UNIQUE INDEX inventory_finals_current ON inventory_finals (period_start, period_end)
    WHERE superseded_at IS NULL;

-- One workbook row of a finalized month, in workbook order (ord).
CREATE TABLE inventory_final_rows (
    final_id          bigint NOT NULL REFERENCES inventory_finals(id),
    ord               integer NOT NULL,
    image_id          bigint NOT NULL,
    uai               text NOT NULL,
    digests           text,
    scanned           boolean NOT NULL,
    in_window         boolean NOT NULL,
    baseline          text,
    os                text,
    public            boolean,
    diagram_label     text,
    function          text,
    owner             text,
    application_owner text,
    vendor            text,
    software_name_version text,
    end_of_life       text,
    location          text,
    comments          text,
    n_containers      bigint NOT NULL,
    n_clusters        bigint NOT NULL,
    clusters          text,
    PRIMARY KEY (final_id, ord)
);
