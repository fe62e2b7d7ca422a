-- 004_rules.sql: the container rules of RULES.md section 3 as set-based
-- SQL: scan_window, hardening, registry and kev, evaluated for many
-- subjects (asset, build) in one statement. muster_check is the core that
-- both the alert evaluator (muster_violations, over every running
-- production container) and the Kubernetes admission check (over the
-- images of one pod spec) call. See docs/admission.md.

-- RFC 3339 text of a time in UTC, the form every API answer uses.
CREATE FUNCTION muster_rules_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
$$;

-- The policy document in force at t: the newest version whose valid_from
-- is not after t (the seeded default dates from 1970).
CREATE FUNCTION muster_policy_at(t timestamptz) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT doc FROM policy_versions WHERE valid_from <= t
    ORDER BY valid_from DESC, id DESC LIMIT 1
$$;

-- Check the four rules for a set of subjects given as parallel arrays
-- (one element a subject): the asset (NULL when the reference was never
-- seen), the build (NULL when unknown), the reference's registry and
-- repository, and since (when the subject entered production: the
-- earliest first_seen of its production containers, or t for an
-- admission request). One row per failed rule and subject; ord is the
-- subject's 1-based position in the arrays, image_id and build_id its own.
--   scan_window: the build has a scan with scanned_at > t - window_days;
--     never scanned fails since `since`, a stale one since its last
--     scanned_at + window_days.
--   hardening (only when require_hardening): a hardening row in force at
--     t for the asset or for its registry/repository.
--   registry: allowed is empty, or the registry is in it.
--   kev: the build's latest scan has a finding whose weakness or an alias
--     is in kev_entries; since = that scan's scanned_at.
CREATE FUNCTION muster_check(t timestamptz, window_days int, allowed text[], require_hardening boolean,
                             p_image bigint[], p_build bigint[], p_registry text[],
                             p_repository text[], p_since timestamptz[])
RETURNS TABLE (ord bigint, image_id bigint, build_id bigint, rule text, since timestamptz, detail jsonb)
LANGUAGE sql STABLE AS $$
WITH s AS MATERIALIZED (
    SELECT x.ord, x.image_id, x.build_id, x.registry, x.repository, x.since
    FROM unnest(p_image, p_build, p_registry, p_repository, p_since) WITH ORDINALITY
         AS x(image_id, build_id, registry, repository, since, ord)
),
last_scan AS MATERIALIZED (
    SELECT DISTINCT ON (sc.build_id) sc.build_id, sc.id AS scan_id, sc.scanned_at, sc.digest
    FROM scans sc
    WHERE sc.build_id IN (SELECT s.build_id FROM s WHERE s.build_id IS NOT NULL)
    ORDER BY sc.build_id, sc.scanned_at DESC, sc.id DESC
),
-- KEV matches of the latest scans: weaknesses through a hash join, aliases
-- (rarely set) only for findings that have some
kev_hits AS (
    SELECT m.build_id, array_agg(DISTINCT m.cve ORDER BY m.cve) AS cves
    FROM (SELECT ls.build_id, f.weakness AS cve
          FROM last_scan ls
          JOIN findings f ON f.scan_id = ls.scan_id
          JOIN kev_entries k ON k.cve = f.weakness
          UNION ALL
          SELECT ls.build_id, w.id
          FROM last_scan ls
          JOIN findings f ON f.scan_id = ls.scan_id AND f.aliases <> '{}'
          CROSS JOIN LATERAL unnest(f.aliases) AS w(id)
          JOIN kev_entries k ON k.cve = w.id) m
    GROUP BY m.build_id
)
SELECT s.ord, s.image_id, s.build_id, 'scan_window',
       CASE WHEN ls.scan_id IS NULL THEN s.since
            ELSE ls.scanned_at + make_interval(days => window_days) END,
       jsonb_build_object(
           'build_id', s.build_id,
           'digest', coalesce(ls.digest, (SELECT min(d.digest) FROM digests d WHERE d.build_id = s.build_id)),
           'last_scanned_at', muster_rules_ts(ls.scanned_at),
           'window_days', window_days,
           'message', CASE WHEN ls.scan_id IS NULL THEN 'never scanned'
                           ELSE format('last scanned %s, more than %s days ago',
                                       muster_rules_ts(ls.scanned_at), window_days) END)
FROM s LEFT JOIN last_scan ls ON ls.build_id = s.build_id
WHERE ls.scan_id IS NULL OR ls.scanned_at <= t - make_interval(days => window_days)
UNION ALL
SELECT s.ord, s.image_id, s.build_id, 'hardening', s.since,
       jsonb_build_object('registry', s.registry, 'repository', s.repository,
           'message', 'no hardening baseline is recorded for the image or its repository')
FROM s
WHERE require_hardening
  AND NOT EXISTS (
      SELECT 1 FROM hardening h
      WHERE h.image_id = s.image_id
        AND h.valid_from <= t AND (h.valid_to IS NULL OR h.valid_to > t))
  AND NOT EXISTS (
      SELECT 1 FROM hardening h
      WHERE h.image_id IS NULL AND h.registry = s.registry AND h.repository = s.repository
        AND h.valid_from <= t AND (h.valid_to IS NULL OR h.valid_to > t))
UNION ALL
SELECT s.ord, s.image_id, s.build_id, 'registry', s.since,
       jsonb_build_object('registry', s.registry, 'allowed', to_jsonb(allowed),
           'message', format('registry %s is not on the allowed list', s.registry))
FROM s
WHERE coalesce(cardinality(allowed), 0) > 0 AND NOT (s.registry = ANY (allowed))
UNION ALL
SELECT s.ord, s.image_id, s.build_id, 'kev', ls.scanned_at,
       jsonb_build_object('build_id', s.build_id, 'digest', ls.digest, 'scan_id', ls.scan_id,
           'scanned_at', muster_rules_ts(ls.scanned_at), 'cves', to_jsonb(kh.cves),
           'message', format('the latest scan (%s) has %s known exploited vulnerabilit%s: %s%s',
                             muster_rules_ts(ls.scanned_at), cardinality(kh.cves),
                             CASE WHEN cardinality(kh.cves) = 1 THEN 'y' ELSE 'ies' END,
                             array_to_string(kh.cves[1:5], ', '),
                             CASE WHEN cardinality(kh.cves) > 5 THEN ', ...' ELSE '' END))
FROM s
JOIN last_scan ls ON ls.build_id = s.build_id
JOIN kev_hits kh ON kh.build_id = s.build_id
$$;

-- Every rule failing at t for each asset with a running production
-- container (ended_at IS NULL, muster_environment(...) = 'production').
-- Per asset and rule: since is the earliest since over its builds;
-- build-level rules (scan_window, kev) list the failing builds in
-- detail.builds, asset-level ones (hardening, registry) keep one detail.
CREATE FUNCTION muster_violations(t timestamptz, window_days int, allowed text[], require_hardening boolean)
RETURNS TABLE (image_id bigint, rule text, since timestamptz, detail jsonb)
LANGUAGE sql STABLE AS $$
WITH running_scopes AS MATERIALIZED (
    SELECT DISTINCT ci.cluster, ci.namespace FROM container_instances ci WHERE ci.ended_at IS NULL
),
scopes AS MATERIALIZED (
    SELECT sc.cluster, sc.namespace FROM running_scopes sc
    WHERE muster_environment(sc.cluster, sc.namespace, t) = 'production'
),
subj AS MATERIALIZED (
    SELECT r.image_id, r.build_id, i.registry, i.repository, r.first_seen
    FROM (SELECT ci.image_id, ci.build_id, min(ci.first_seen) AS first_seen
          FROM container_instances ci JOIN scopes USING (cluster, namespace)
          WHERE ci.ended_at IS NULL
          GROUP BY ci.image_id, ci.build_id) r
    JOIN images i ON i.id = r.image_id
),
chk AS (
    SELECT c.*
    FROM (SELECT array_agg(image_id ORDER BY image_id, build_id) AS img,
                 array_agg(build_id ORDER BY image_id, build_id) AS bld,
                 array_agg(registry ORDER BY image_id, build_id) AS reg,
                 array_agg(repository ORDER BY image_id, build_id) AS rep,
                 array_agg(first_seen ORDER BY image_id, build_id) AS fs
          FROM subj) a,
         muster_check(t, window_days, allowed, require_hardening, a.img, a.bld, a.reg, a.rep, a.fs) c
    WHERE a.img IS NOT NULL
)
SELECT c.image_id, c.rule, min(c.since),
       CASE WHEN c.rule IN ('scan_window', 'kev')
            THEN jsonb_build_object('builds', jsonb_agg(c.detail ORDER BY c.build_id),
                                    'message', string_agg(DISTINCT c.detail->>'message', '; '))
            ELSE (array_agg(c.detail ORDER BY c.build_id))[1] END
FROM chk c
GROUP BY c.image_id, c.rule
$$;

-- muster_violations under the policy in force at t.
CREATE FUNCTION muster_policy_violations(t timestamptz)
RETURNS TABLE (image_id bigint, rule text, since timestamptz, detail jsonb)
LANGUAGE sql STABLE AS $$
    SELECT v.*
    FROM (SELECT muster_policy_at(t) AS doc) p,
         muster_violations(t,
                           coalesce((p.doc->>'scan_window_days')::int, 30),
                           ARRAY(SELECT jsonb_array_elements_text(coalesce(p.doc->'allowed_registries', '[]'))),
                           coalesce((p.doc->>'require_hardening')::boolean, true)) v
$$;

-- The sender's claim: due pending deliveries of live webhooks, oldest
-- first, at most one per webhook.
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id) WHERE status = 'pending';
CREATE INDEX alerts_image ON alerts (image_id, rule);
