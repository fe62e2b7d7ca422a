-- 006_poam.sql: the POA&M of RULES.md section 5 - items, their event log,
-- deviation requests, vendor check-ins - and the set-based lifecycle that
-- opens, extends and closes items after each scan and runtime snapshot.
-- See docs/poam.md.
--
-- Model. An item is one weakness in one registry/repository during one
-- episode (from the first time the weakness shows on a production build of
-- the repository until none does any more). Every change to an item is an
-- event in poam_events whose `delta` holds the fields it set; the state of
-- an item at any moment is the fold (jsonb ||, in event order) of its
-- deltas up to that moment (muster_jsonb_fold). poam_items.state is that
-- fold over all events: a cache, written in the same statement as each
-- event, and the other state columns of poam_items are extracted from it
-- for indexing and for the lifecycle's comparisons.
--
-- Concurrency. Every writer of the items of a repository first takes the
-- transaction advisory lock of that repository (muster_poam_lock); locks
-- are taken in (registry, repository) order. The partial unique index
-- poam_items_open backs this up: one open item per (repository, weakness).
--
-- IDs. V-<n> where n comes from poam_item_seq and is never reused; a
-- transaction that rolls back after drawing numbers leaves a gap.

CREATE SEQUENCE poam_item_seq;

-- One item's row of the POA&M workbook (the 31 columns of the v2.1
-- template, in order) from its state, as one text with the values
-- separated by U+001F (never part of a value: control characters are
-- refused or replaced at the sources); NULL values are empty. Kept as a
-- stored column of poam_items (row_text) so that a report of now reads one
-- column per item; a past report applies it to the folded state. The
-- order is the one of poam_row_fields in store/poam_report.c.
CREATE FUNCTION muster_poam_row(s jsonb) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT array_to_string(ARRAY[
        s->>'poam_id', s->>'controls', s->>'weakness_name', s->>'weakness_description',
        s->>'detector', s->>'source_id', s->>'assets_text', s->>'point_of_contact',
        s->>'resources_required', s->>'remediation_plan', s->>'detected', s->>'scheduled',
        s->>'planned_milestones', s->>'milestone_changes', s->>'status_date',
        CASE WHEN (s->>'vendor_dependency')::boolean THEN 'Yes' ELSE 'No' END,
        s->>'last_checkin', s->>'vendor_product', s->>'original_risk',
        coalesce(s->>'adjusted_risk', 'N/A'), s->>'risk_adjustment', s->>'false_positive',
        s->>'operational_requirement', s->>'deviation_rationale', s->>'supporting_documents',
        nullif(concat_ws(E'\n', s->>'auto_comments', s->>'comments',
            CASE s->>'close_reason'
                WHEN 'remediated' THEN 'Closed ' || left(s->>'closed_at', 10)
                    || ': no longer found in the latest scan of its production builds.'
                WHEN 'not_running' THEN 'Closed ' || left(s->>'closed_at', 10)
                    || ': no production container runs the affected builds any more.'
                WHEN 'false_positive' THEN 'Closed ' || left(s->>'closed_at', 10)
                    || ': false positive approved.' END), ''),
        s->>'auto_approve', CASE WHEN (s->>'kev')::boolean THEN 'Yes' ELSE 'No' END,
        s->>'kev_due', s->>'cves_text', s->>'service_name'], E'\x1f', '')
$$;

-- Is the item of state s late at t (grace: days a vendor check-in counts)?
-- The SQL twin of poam_rules_is_late.
CREATE FUNCTION muster_poam_late(s jsonb, t timestamptz, grace int) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT s->>'status' = 'open' AND (s->>'scheduled')::date < (t AT TIME ZONE 'UTC')::date
       AND NOT (coalesce((s->>'vendor_dependency')::boolean, false) AND s->>'last_checkin' IS NOT NULL
                AND (s->>'last_checkin')::date >= (t AT TIME ZONE 'UTC')::date - grace)
$$;

CREATE TABLE poam_items (
    id                bigint PRIMARY KEY,
    weakness          text NOT NULL,
    registry          text NOT NULL,
    repository        text NOT NULL,
    reopens           bigint REFERENCES poam_items(id),   -- the closed item this one follows
    opened_at         timestamptz NOT NULL,               -- time of its 'opened' event
    detected_at       timestamptz NOT NULL,               -- Original Detection Date
    original_risk     text NOT NULL CHECK (original_risk IN ('High', 'Moderate', 'Low')),
    aliases           text[] NOT NULL DEFAULT '{}',       -- other IDs of the weakness (KEV match)
    state             jsonb NOT NULL,                     -- fold of every event (cache)
    row_text          text GENERATED ALWAYS AS (muster_poam_row(state)) STORED,
    status            text NOT NULL CHECK (status IN ('open', 'closed')),
    close_reason      text CHECK (close_reason IN ('remediated', 'not_running', 'false_positive')),
    closed_at         timestamptz,
    scheduled         date NOT NULL,
    vendor_dependency boolean NOT NULL,
    asset_ids         bigint[] NOT NULL,                  -- images (assets) currently listed
    kev_due           date,                               -- CISA due date when in the KEV catalog
    adjusted_risk     text CHECK (adjusted_risk IN ('High', 'Moderate', 'Low')),
    last_checkin      timestamptz,
    last_event_at     timestamptz NOT NULL
);
ALTER SEQUENCE poam_item_seq OWNED BY poam_items.id;
CREATE UNIQUE INDEX poam_items_open ON poam_items (registry, repository, weakness) WHERE status = 'open';
CREATE INDEX poam_items_key ON poam_items (registry, repository, weakness, id);
CREATE INDEX poam_items_assets ON poam_items USING gin (asset_ids);

-- The event log: the history of every item, never updated or deleted.
CREATE TABLE poam_events (
    id        bigserial PRIMARY KEY,
    item_id   bigint NOT NULL REFERENCES poam_items(id),
    at        timestamptz NOT NULL,
    kind      text NOT NULL CHECK (kind IN ('opened', 'assets', 'fix_available', 'kev', 'closed',
                                            'deviation_requested', 'deviation_decided', 'updated',
                                            'checkin')),
    actor     text NOT NULL,
    delta     jsonb NOT NULL,
    detail    jsonb
);
CREATE INDEX poam_events_item ON poam_events (item_id, at, id);

-- State of an item = fold of its deltas in (at, id) order.
CREATE AGGREGATE muster_jsonb_fold(jsonb) (SFUNC = jsonb_concat, STYPE = jsonb, INITCOND = '{}');

-- Deviation requests (RULES.md 5), numbered 1.. per item.
CREATE TABLE poam_deviations (
    item_id       bigint NOT NULL REFERENCES poam_items(id),
    n             int NOT NULL,
    type          text NOT NULL CHECK (type IN ('risk_adjustment', 'false_positive', 'operational_requirement')),
    adjusted_risk text CHECK (adjusted_risk IN ('High', 'Moderate', 'Low')),
    rationale     text NOT NULL CHECK (length(rationale) BETWEEN 1 AND 10000),
    supporting_documents text[] NOT NULL DEFAULT '{}',
    status        text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    requested_at  timestamptz NOT NULL,
    requested_by  text NOT NULL,
    decided_at    timestamptz,
    official      text,
    decided_by    text,
    PRIMARY KEY (item_id, n),
    CHECK ((type = 'risk_adjustment') = (adjusted_risk IS NOT NULL))
);

-- Vendor check-ins of vendor-dependent items.
CREATE TABLE poam_checkins (
    id           bigserial PRIMARY KEY,
    item_id      bigint NOT NULL REFERENCES poam_items(id),
    at           timestamptz NOT NULL,
    note         text,
    recorded_by  text NOT NULL
);
CREATE INDEX poam_checkins_item ON poam_checkins (item_id, at);

-- A snapshot's scope: the containers that ended at its time.
CREATE INDEX poam_container_instances_ended ON container_instances (ended_at) WHERE ended_at IS NOT NULL;

-- Dates and times as every POA&M field writes them (UTC).
CREATE FUNCTION muster_poam_day(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD') $$;
CREATE FUNCTION muster_poam_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$ SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') $$;

-- Text from a scanner as a POA&M value: C0 control characters other than
-- tab and line feed become spaces.
CREATE FUNCTION muster_poam_clean(v text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT translate(v, E'\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f',
                     '                             ')
$$;

-- Remediation window of a risk rating; windows = {High, Moderate, Low}
-- days, passed in by the caller from policy/poam_rules.c.
CREATE FUNCTION muster_poam_window(risk text, windows int[]) RETURNS int
LANGUAGE sql IMMUTABLE AS $$
    SELECT windows[CASE risk WHEN 'High' THEN 1 WHEN 'Moderate' THEN 2 ELSE 3 END]
$$;

-- Take the advisory locks of a set of repositories, in order.
CREATE FUNCTION muster_poam_lock(p_registry text[], p_repository text[]) RETURNS void
LANGUAGE sql VOLATILE AS $$
    SELECT count(pg_advisory_xact_lock(hashtextextended('poam:' || r || '/' || p, 7246)))
    FROM (SELECT DISTINCT r, p FROM unnest(p_registry, p_repository) AS x(r, p) ORDER BY 1, 2) y
$$;

-- Record one event of one item and apply its delta to the cache (the
-- single-item writers: deviations, edits, check-ins). The caller holds
-- the item's repository lock. at is never before the item's last event.
CREATE FUNCTION muster_poam_event(p_item bigint, p_at timestamptz, p_kind text, p_actor text,
                                  p_delta jsonb, p_detail jsonb) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    t timestamptz;
    d jsonb;
BEGIN
    SELECT greatest(p_at, last_event_at) INTO t FROM poam_items WHERE id = p_item;
    d := p_delta || jsonb_build_object('status_date', muster_poam_day(t));
    IF d->>'status' = 'closed' THEN
        d := d || jsonb_build_object('closed_at', muster_poam_ts(t));
    END IF;
    INSERT INTO poam_events (item_id, at, kind, actor, delta, detail)
    VALUES (p_item, t, p_kind, p_actor, d, p_detail);
    UPDATE poam_items SET
        state = state || d,
        last_event_at = t,
        status = coalesce(d->>'status', status),
        close_reason = CASE WHEN d ? 'close_reason' THEN d->>'close_reason' ELSE close_reason END,
        closed_at = CASE WHEN d->>'status' = 'closed' THEN t ELSE closed_at END,
        scheduled = CASE WHEN d ? 'scheduled' THEN (d->>'scheduled')::date ELSE scheduled END,
        adjusted_risk = CASE WHEN d ? 'adjusted_risk' THEN d->>'adjusted_risk' ELSE adjusted_risk END,
        last_checkin = CASE WHEN d ? 'last_checkin' THEN t ELSE last_checkin END
    WHERE id = p_item;
    RETURN t;
END
$$;

-- The lifecycle of one repository at time t (RULES.md 5), in one
-- statement; the caller holds the repository's lock:
--   present   = for each weakness: the assets (images) of the repository
--               with a running production container whose build's latest
--               scan has a finding of the weakness;
--   open      an item for each present weakness without an open item (unless
--               an earlier item of it was closed as an approved false
--               positive); detection = the first time the weakness showed on
--               one of those production builds (the later of the build's
--               first scan showing it and its containers' first_seen), or t
--               when it comes back after an earlier item closed;
--               scheduled = detection + window, or the KEV due date when
--               earlier;
--   extend    an open item whose asset set changed records the new set;
--             when a fix appears for a vendor-dependent item, the window
--             restarts at t (the reason goes to Comments and Milestone
--             Changes);
--   close     an open item whose weakness is no longer present.
-- Events of an existing item are dated greatest(t, its last event).
-- One repository at a time keeps every join of the statement as small as
-- one repository's weaknesses, whatever the size of the system and of the
-- caller's scope.
CREATE FUNCTION muster_poam_reconcile_repo(t timestamptz, r_registry text, r_repository text,
                                           windows int[], p_actor text, p_detail jsonb,
                                           OUT opened int, OUT changed int, OUT closed int)
LANGUAGE plpgsql
-- JIT compiling this statement costs seconds for milliseconds of work
SET jit = off
AS $fn$
BEGIN
    WITH scope AS MATERIALIZED (
        SELECT r_registry AS registry, r_repository AS repository
    ),
    cont AS MATERIALIZED (
        SELECT ci.build_id, ci.image_id, ci.cluster, ci.namespace, ci.first_seen, i.registry, i.repository, i.uai
        FROM scope s
        JOIN images i ON i.registry = s.registry AND i.repository = s.repository
        JOIN container_instances ci ON ci.image_id = i.id AND ci.ended_at IS NULL
    ),
    envs AS MATERIALIZED (
        SELECT c.cluster, c.namespace FROM (SELECT DISTINCT cluster, namespace FROM cont OFFSET 0) c
        WHERE muster_environment(c.cluster, c.namespace, t) = 'production'
    ),
    prod AS MATERIALIZED (
        SELECT c.build_id, c.image_id, c.registry, c.repository, c.uai, min(c.first_seen) AS first_seen
        FROM cont c JOIN envs e ON e.cluster = c.cluster AND e.namespace = c.namespace
        GROUP BY 1, 2, 3, 4, 5
    ),
    ls AS MATERIALIZED (
        SELECT DISTINCT ON (sc.build_id) sc.build_id, sc.id AS scan_id, sc.scanner_name
        FROM scans sc WHERE sc.build_id IN (SELECT build_id FROM prod)
        ORDER BY sc.build_id, sc.scanned_at DESC, sc.id DESC
    ),
    pf AS MATERIALIZED (
        SELECT p.registry, p.repository, p.image_id, p.uai, p.build_id, p.first_seen, ls.scanner_name,
               f.vuln_id, f.weakness, f.aliases, f.pkg_name, f.installed_version, f.fixed_version,
               f.risk, f.title, f.url
        FROM prod p JOIN ls ON ls.build_id = p.build_id JOIN findings f ON f.scan_id = ls.scan_id
    ),
    -- what every run compares: per weakness, the assets and whether a fix exists
    pw AS MATERIALIZED (
        SELECT registry, repository, weakness, image_id, min(uai) AS uai,
               bool_or(coalesce(fixed_version, '') <> '') AS fix
        FROM pf GROUP BY 1, 2, 3, 4
    ),
    pres AS MATERIALIZED (
        SELECT registry, repository, weakness,
               array_agg(image_id ORDER BY image_id) AS asset_ids,
               array_agg(uai ORDER BY uai) AS uais,
               bool_or(fix) AS fix
        FROM pw GROUP BY 1, 2, 3
    ),
    cur AS MATERIALIZED (
        SELECT it.id, it.registry, it.repository, it.weakness, it.asset_ids, it.vendor_dependency,
               it.original_risk, it.kev_due, it.scheduled, it.last_event_at, it.state
        FROM poam_items it JOIN scope s ON it.registry = s.registry AND it.repository = s.repository
        WHERE it.status = 'open'
    ),
    newp AS MATERIALIZED (
        SELECT p.* FROM pres p
        WHERE NOT EXISTS (SELECT 1 FROM cur c WHERE c.registry = p.registry AND c.repository = p.repository
                          AND c.weakness = p.weakness)
    ),
    -- the details, only for the weaknesses that open an item or get a fix
    wanted AS MATERIALIZED (
        SELECT weakness FROM newp
        UNION
        SELECT c.weakness FROM cur c JOIN pres p ON p.weakness = c.weakness WHERE c.vendor_dependency AND p.fix
    ),
    info AS MATERIALIZED (
        SELECT pf.weakness,
               min(pf.pkg_name || ' ' || pf.fixed_version) FILTER (WHERE coalesce(pf.fixed_version, '') <> '') AS fix_pkg,
               (array_agg(pf.risk ORDER BY CASE pf.risk WHEN 'High' THEN 0 WHEN 'Moderate' THEN 1 ELSE 2 END))[1] AS risk,
               min(pf.vuln_id) AS source_id,
               min(pf.scanner_name) AS detector,
               min(pf.title) AS title,
               min(pf.url) AS url,
               array_agg(DISTINCT pf.pkg_name ORDER BY pf.pkg_name) AS packages,
               string_agg(DISTINCT pf.pkg_name || ' ' || coalesce(pf.installed_version, '?') ||
                          CASE WHEN coalesce(pf.fixed_version, '') <> '' THEN ' (fixed in ' || pf.fixed_version || ')'
                               ELSE ' (no fixed version yet)' END, '; ') AS pkg_text
        FROM pf WHERE pf.weakness IN (SELECT weakness FROM wanted)
        GROUP BY pf.weakness
    ),
    prev AS MATERIALIZED (
        SELECT DISTINCT ON (it.registry, it.repository, it.weakness)
               it.registry, it.repository, it.weakness, it.id, it.close_reason, it.closed_at
        FROM newp n JOIN poam_items it ON it.registry = n.registry AND it.repository = n.repository
                                      AND it.weakness = n.weakness
        ORDER BY it.registry, it.repository, it.weakness, it.id DESC
    ),
    -- the first scan of each new pair's builds that shows the weakness
    -- (OFFSET 0 keeps these lookups on the scans of those builds and the
    -- findings of those scans, through their indexes, whatever the planner
    -- estimates: the cost must follow the repository, not the system)
    nscans AS MATERIALIZED (
        SELECT s2.id, s2.build_id, s2.scanned_at
        FROM (SELECT DISTINCT pf.build_id FROM pf WHERE pf.weakness IN (SELECT weakness FROM newp)) nb
        CROSS JOIN LATERAL (SELECT sc.id, sc.build_id, sc.scanned_at FROM scans sc
                            WHERE sc.build_id = nb.build_id OFFSET 0) s2
    ),
    firsts AS MATERIALIZED (
        SELECT ns.build_id, f2.weakness, min(ns.scanned_at) AS first_scan
        FROM nscans ns
        CROSS JOIN LATERAL (SELECT f.weakness FROM findings f WHERE f.scan_id = ns.id OFFSET 0) f2
        WHERE f2.weakness IN (SELECT weakness FROM newp)
        GROUP BY 1, 2
    ),
    det AS MATERIALIZED (
        SELECT pr.registry, pr.repository, fi.weakness, min(greatest(pr.first_seen, fi.first_scan)) AS detected
        FROM prod pr JOIN firsts fi ON fi.build_id = pr.build_id
        GROUP BY 1, 2, 3
    ),
    pal AS MATERIALIZED (
        SELECT pf.registry, pf.repository, pf.weakness, array_agg(DISTINCT a ORDER BY a) AS aliases
        FROM pf, unnest(pf.aliases) a WHERE a <> pf.weakness AND pf.weakness IN (SELECT weakness FROM newp)
        GROUP BY 1, 2, 3
    ),
    pkev AS MATERIALIZED (
        SELECT pf.registry, pf.repository, pf.weakness, min(k.due_date) AS kev_due
        FROM pf, unnest(array_prepend(pf.weakness, pf.aliases)) w(id)
        JOIN kev_entries k ON k.cve = w.id
        WHERE pf.weakness IN (SELECT weakness FROM newp)
        GROUP BY 1, 2, 3
    ),
    to_open AS MATERIALIZED (
        SELECT nextval('poam_item_seq') AS id, o.*
        FROM (SELECT n.*, inf.fix_pkg, inf.risk, inf.source_id, inf.detector, inf.title, inf.url,
                     inf.packages, inf.pkg_text, pv.id AS prev_id, pv.closed_at AS prev_closed,
                     CASE WHEN pv.id IS NOT NULL THEN t ELSE least(t, coalesce(dt.detected, t)) END AS detected,
                     pa.aliases, pk.kev_due
              FROM newp n
              JOIN info inf ON inf.weakness = n.weakness
              LEFT JOIN prev pv ON pv.registry = n.registry AND pv.repository = n.repository
                               AND pv.weakness = n.weakness
              LEFT JOIN det dt ON dt.registry = n.registry AND dt.repository = n.repository
                              AND dt.weakness = n.weakness
              LEFT JOIN pal pa ON pa.registry = n.registry AND pa.repository = n.repository
                              AND pa.weakness = n.weakness
              LEFT JOIN pkev pk ON pk.registry = n.registry AND pk.repository = n.repository
                               AND pk.weakness = n.weakness
              WHERE coalesce(pv.close_reason, '') <> 'false_positive'
              ORDER BY n.registry, n.repository, n.weakness) o
    ),
    opening AS MATERIALIZED (
        SELECT o.*, s.sched,
               jsonb_build_object(
                   'poam_id', 'V-' || o.id, 'weakness', o.weakness, 'registry', o.registry,
                   'repository', o.repository, 'controls', 'RA-5',
                   'weakness_name', muster_poam_clean(coalesce(o.title, o.weakness)),
                   'weakness_description', muster_poam_clean(concat_ws(E'\n', o.title,
                       'Affected packages: ' || o.pkg_text, o.url)),
                   'detector', muster_poam_clean(o.detector), 'source_id', muster_poam_clean(o.source_id),
                   'assets', to_jsonb(o.uais), 'asset_ids', to_jsonb(o.asset_ids),
                   'assets_text', array_to_string(o.uais, E'\n'),
                   'detected', muster_poam_day(o.detected), 'detected_at', muster_poam_ts(o.detected),
                   'scheduled', s.sched::text, 'window_start', muster_poam_day(o.detected),
                   'status', 'open', 'status_date', muster_poam_day(t),
                   'original_risk', o.risk, 'adjusted_risk', NULL,
                   'risk_adjustment', 'No', 'false_positive', 'No', 'operational_requirement', 'No',
                   'vendor_dependency', NOT o.fix,
                   'vendor_product', CASE WHEN NOT o.fix THEN muster_poam_clean(array_to_string(o.packages, ', ')) END,
                   'fix_available', NULL,
                   'kev', o.kev_due IS NOT NULL, 'kev_due', o.kev_due::text
               ) || jsonb_build_object(
                   'cves', to_jsonb(o.cves), 'cves_text', array_to_string(o.cves, E'\n'),
                   'remediation_plan', 'Rebuild the ' || o.registry || '/' || o.repository || ' image with '
                       || CASE WHEN o.fix THEN 'the fixed versions of ' ELSE 'fixed versions (once published) of ' END
                       || array_to_string(o.packages, ', ')
                       || ' and replace its running production containers.',
                   'planned_milestones', '(1) ' || s.sched::text || ': Deploy a rebuilt ' || o.registry || '/'
                       || o.repository || ' image without ' || o.weakness || ' to production.',
                   'auto_comments', CASE WHEN o.prev_id IS NOT NULL THEN
                       'Seen again after V-' || o.prev_id || ' was closed on ' || muster_poam_day(o.prev_closed) || '.' END,
                   'reopens', CASE WHEN o.prev_id IS NOT NULL THEN 'V-' || o.prev_id END
               ) AS state
        FROM (SELECT t_o.*, ARRAY(SELECT DISTINCT c FROM unnest(array_prepend(t_o.weakness, t_o.aliases)) c
                                  WHERE c LIKE 'CVE-%' ORDER BY c) AS cves FROM to_open t_o) o,
             LATERAL (SELECT CASE WHEN o.kev_due IS NOT NULL
                                  THEN least((o.detected AT TIME ZONE 'UTC')::date + muster_poam_window(o.risk, windows), o.kev_due)
                                  ELSE (o.detected AT TIME ZONE 'UTC')::date + muster_poam_window(o.risk, windows) END AS sched) s
    ),
    ins AS (
        INSERT INTO poam_items (id, weakness, registry, repository, reopens, opened_at, detected_at, original_risk,
                                aliases, state, status, scheduled, vendor_dependency, asset_ids, kev_due, last_event_at)
        SELECT id, weakness, registry, repository, prev_id, t, detected, risk, coalesce(aliases, '{}'),
               state, 'open', sched, NOT fix, asset_ids, kev_due, t
        FROM opening
        RETURNING id
    ),
    closing AS MATERIALIZED (
        SELECT c.id, greatest(t, c.last_event_at) AS at,
               CASE WHEN EXISTS (SELECT 1 FROM prod p WHERE p.image_id = ANY (c.asset_ids))
                    THEN 'remediated' ELSE 'not_running' END AS reason
        FROM cur c
        WHERE NOT EXISTS (SELECT 1 FROM pres p WHERE p.registry = c.registry AND p.repository = c.repository
                          AND p.weakness = c.weakness)
    ),
    closing_d AS MATERIALIZED (
        SELECT id, at, reason, jsonb_build_object('status', 'closed', 'status_date', muster_poam_day(at),
                   'closed_at', muster_poam_ts(at), 'close_reason', reason) AS delta
        FROM closing
    ),
    upd_close AS (
        UPDATE poam_items it SET status = 'closed', close_reason = d.reason, closed_at = d.at,
               last_event_at = d.at, state = it.state || d.delta
        FROM closing_d d WHERE it.id = d.id
        RETURNING it.id
    ),
    chg AS MATERIALIZED (
        SELECT c.id, greatest(t, c.last_event_at) AS at, p.asset_ids, p.uais,
               (c.asset_ids IS DISTINCT FROM p.asset_ids OR c.state->'assets' IS DISTINCT FROM to_jsonb(p.uais))
                   AS assets_changed,
               c.vendor_dependency AND p.fix AS fix_appeared, inf.fix_pkg, c.original_risk, c.kev_due,
               c.state
        FROM cur c JOIN pres p ON p.registry = c.registry AND p.repository = c.repository AND p.weakness = c.weakness
        LEFT JOIN info inf ON inf.weakness = c.weakness
        -- (a renamed asset keeps its id: its new UAI is recorded too)
        WHERE c.asset_ids IS DISTINCT FROM p.asset_ids OR c.state->'assets' IS DISTINCT FROM to_jsonb(p.uais)
           OR (c.vendor_dependency AND p.fix)
    ),
    chg_d AS MATERIALIZED (
        SELECT ch.*, s.sched,
               CASE WHEN ch.fix_appeared THEN 'fix_available' ELSE 'assets' END AS kind,
               jsonb_build_object('status_date', muster_poam_day(ch.at))
               || CASE WHEN ch.assets_changed
                       THEN jsonb_build_object('assets', to_jsonb(ch.uais), 'asset_ids', to_jsonb(ch.asset_ids),
                                               'assets_text', array_to_string(ch.uais, E'\n'))
                       ELSE '{}'::jsonb END
               || CASE WHEN ch.fix_appeared THEN jsonb_build_object(
                       'vendor_dependency', false, 'fix_available', muster_poam_day(ch.at),
                       'window_start', muster_poam_day(ch.at), 'scheduled', s.sched::text,
                       'auto_comments', concat_ws(E'\n', ch.state->>'auto_comments',
                           'A fix (' || muster_poam_clean(ch.fix_pkg) || ') became available on ' || muster_poam_day(ch.at)
                           || '; the remediation window now counts from that date (scheduled completion '
                           || s.sched::text || ').'),
                       'milestone_changes', concat_ws(E'\n\n', ch.state->>'milestone_changes',
                           '(1) Update ' || muster_poam_day(ch.at) || ' : the vendor published a fix ('
                           || muster_poam_clean(ch.fix_pkg) || '); the milestone moves to ' || s.sched::text || '.'))
                       ELSE '{}'::jsonb END AS delta
        FROM chg ch,
             LATERAL (SELECT CASE WHEN NOT ch.fix_appeared THEN NULL
                                  WHEN ch.kev_due IS NOT NULL
                                  THEN least((ch.at AT TIME ZONE 'UTC')::date + muster_poam_window(ch.original_risk, windows), ch.kev_due)
                                  ELSE (ch.at AT TIME ZONE 'UTC')::date + muster_poam_window(ch.original_risk, windows) END AS sched) s
    ),
    upd_chg AS (
        UPDATE poam_items it SET asset_ids = d.asset_ids, last_event_at = d.at, state = it.state || d.delta,
               vendor_dependency = CASE WHEN d.fix_appeared THEN false ELSE it.vendor_dependency END,
               scheduled = coalesce(d.sched, it.scheduled)
        FROM chg_d d WHERE it.id = d.id
        RETURNING it.id
    ),
    ev AS (
        INSERT INTO poam_events (item_id, at, kind, actor, delta, detail)
        SELECT o.id, t, 'opened', p_actor, o.state, p_detail FROM opening o
        UNION ALL
        SELECT d.id, d.at, 'closed', p_actor, d.delta, p_detail FROM closing_d d
        UNION ALL
        SELECT d.id, d.at, d.kind, p_actor, d.delta, p_detail FROM chg_d d
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM ins), (SELECT count(*) FROM upd_chg), (SELECT count(*) FROM upd_close)
    INTO opened, changed, closed;
    -- (ev is executed by PostgreSQL even though nothing reads it)
END
$fn$;

-- The lifecycle for a set of repositories at time t: their locks (in
-- order), then muster_poam_reconcile_repo for each. Returns the totals.
CREATE FUNCTION muster_poam_reconcile(t timestamptz, p_registry text[], p_repository text[],
                                      windows int[], p_actor text, p_detail jsonb,
                                      OUT opened int, OUT changed int, OUT closed int)
LANGUAGE plpgsql
SET jit = off
AS $fn$
DECLARE
    r record;
    o int;
    c int;
    x int;
BEGIN
    opened := 0;
    changed := 0;
    closed := 0;
    PERFORM muster_poam_lock(p_registry, p_repository);
    FOR r IN SELECT DISTINCT a.reg, a.repo FROM unnest(p_registry, p_repository) AS a(reg, repo)
             WHERE a.reg IS NOT NULL AND a.repo IS NOT NULL ORDER BY 1, 2 LOOP
        SELECT q.opened, q.changed, q.closed INTO o, c, x
        FROM muster_poam_reconcile_repo(t, r.reg, r.repo, windows, p_actor, p_detail) q;
        opened := opened + o;
        changed := changed + c;
        closed := closed + x;
    END LOOP;
END
$fn$;

-- KEV columns of the open items of a set of repositories (after a catalog
-- import): an item whose weakness or alias is in kev_entries gets BOD 22-01
-- tracking and the CISA due date, and its scheduled completion becomes the
-- due date when that is earlier; an item no longer listed loses the
-- tracking (its scheduled date stays). Returns the number of items changed.
CREATE FUNCTION muster_poam_kev_sync(t timestamptz, p_registry text[], p_repository text[], p_actor text)
RETURNS int
LANGUAGE plpgsql
SET jit = off
AS $fn$
DECLARE
    n int;
BEGIN
    PERFORM muster_poam_lock(p_registry, p_repository);
    WITH scope AS MATERIALIZED (
        SELECT DISTINCT r AS registry, p AS repository FROM unnest(p_registry, p_repository) AS x(r, p)
    ),
    k AS MATERIALIZED (
        SELECT it.id, greatest(t, it.last_event_at) AS at, it.scheduled, it.kev_due AS old_due,
               (SELECT min(ke.due_date) FROM unnest(array_prepend(it.weakness, it.aliases)) w(id)
                JOIN kev_entries ke ON ke.cve = w.id) AS due
        FROM poam_items it JOIN scope s ON it.registry = s.registry AND it.repository = s.repository
        WHERE it.status = 'open'
    ),
    d AS MATERIALIZED (
        SELECT k.id, k.at, k.due, CASE WHEN k.due IS NOT NULL THEN least(k.scheduled, k.due) ELSE k.scheduled END AS sched,
               jsonb_build_object('kev', k.due IS NOT NULL, 'kev_due', k.due::text,
                                  'status_date', muster_poam_day(k.at))
               || CASE WHEN k.due IS NOT NULL AND k.due < k.scheduled
                       THEN jsonb_build_object('scheduled', k.due::text) ELSE '{}'::jsonb END AS delta
        FROM k WHERE k.due IS DISTINCT FROM k.old_due
    ),
    upd AS (
        UPDATE poam_items it SET kev_due = d.due, scheduled = d.sched, last_event_at = d.at,
               state = it.state || d.delta
        FROM d WHERE it.id = d.id RETURNING it.id
    ),
    ev AS (
        INSERT INTO poam_events (item_id, at, kind, actor, delta, detail)
        SELECT d.id, d.at, 'kev', p_actor, d.delta, NULL FROM d
        RETURNING 1
    )
    SELECT count(*) INTO n FROM upd;
    RETURN n;
END
$fn$;
