-- 007_dashboard.sql: web sign-in sessions and what the dashboard's as-of
-- aggregates need to stay fast (docs/dashboard.md).

-- A browser session: created by POST /login with a viewer (or higher)
-- token. The cookie holds a random session id; only its SHA-256 is stored.
-- The session dies with its token (revocation), at expires_at, or at
-- sign-out (row deleted). The anti-forgery token of its forms is derived
-- from the session id (server/http/session.c), so it is not stored.
CREATE TABLE sessions (
    id            bigserial PRIMARY KEY,
    sid_sha256    text NOT NULL UNIQUE CHECK (sid_sha256 ~ '^[0-9a-f]{64}$'),
    token_id      bigint NOT NULL REFERENCES tokens(id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL
);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- As-of reads of alerts (violations at a past time).
CREATE INDEX alerts_period ON alerts (opened_at, resolved_at);

-- Reads of the POA&M figures: the items open now, and the items open at a
-- past time, each with every column the figures need, so that the scans
-- are index-only and never read the wide state documents.
CREATE INDEX poam_items_open_figures ON poam_items (original_risk)
    INCLUDE (adjusted_risk, detected_at, scheduled, vendor_dependency, kev_due, last_checkin)
    WHERE status = 'open';
CREATE INDEX poam_items_period ON poam_items (opened_at, closed_at)
    INCLUDE (detected_at, original_risk, adjusted_risk, scheduled, vendor_dependency, kev_due,
             last_checkin, id);
-- The events that change a field the figures read after an item opened
-- (few): an item without one after a past time t reads its current
-- columns at t instead of folding its events.
CREATE INDEX poam_events_figures ON poam_events (item_id, at)
    WHERE kind <> 'opened' AND delta ?| ARRAY['adjusted_risk', 'scheduled', 'vendor_dependency',
                                              'kev_due', 'last_checkin'];
