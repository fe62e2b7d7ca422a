-- 008_runtime_tuning.sql: every snapshot touches last_seen of every running
-- container. With free space on each page those updates are HOT (no index
-- is touched, last_seen is in none), which keeps a repeated snapshot cheap.
ALTER TABLE container_instances SET (fillfactor = 60);
