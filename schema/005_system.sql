-- 005_system.sql: the system the inventory and the POA&M describe (its
-- name, the CSP's name and the FIPS 199 impact level), with history like
-- the other report settings: each PUT closes the version in force and
-- opens a new one, so a past month names the system as it was then.
-- See docs/inventory.md.

CREATE TABLE system_settings (
    id            bigserial PRIMARY KEY,
    system_name   text NOT NULL CHECK (char_length(system_name) BETWEEN 1 AND 200),
    csp_name      text NOT NULL CHECK (char_length(csp_name) BETWEEN 1 AND 200),
    impact_level  text NOT NULL CHECK (impact_level IN ('Low', 'Moderate', 'High')),
    valid_from    timestamptz NOT NULL DEFAULT now(),
    valid_to      timestamptz,
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
-- at most one version in force
CREATE UNIQUE INDEX system_settings_current ON system_settings ((true)) WHERE valid_to IS NULL;

-- The settings in force at t; when none was in force then (the system was
-- first described after t), the earliest version, so that reports of
-- months before the first PUT still carry a name. Empty when never set.
CREATE FUNCTION muster_system_at(t timestamptz)
RETURNS TABLE (system_name text, csp_name text, impact_level text, valid_from timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT s.system_name, s.csp_name, s.impact_level, s.valid_from
    FROM system_settings s
    ORDER BY (s.valid_from <= t AND (s.valid_to IS NULL OR s.valid_to > t)) DESC,
             s.valid_from, s.id
    LIMIT 1
$$;
