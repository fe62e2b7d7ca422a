-- 012_job_runs.sql: when a periodic job last started, one row per job.
-- Several servers share one database; the first to move a job's
-- started_at past its interval runs it (an UPDATE ... WHERE, so exactly
-- one wins and no session lock is needed through pgbouncer).
CREATE TABLE job_runs (
    job         text PRIMARY KEY,
    started_at  timestamptz NOT NULL,
    finished_at timestamptz,
    detail      jsonb
);
