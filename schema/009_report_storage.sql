-- 009_report_storage.sql: a stored report is already gzip-compressed by
-- the server. With the default storage PostgreSQL tries to compress it
-- again (pglz) before giving up, about 20 ms for a 1.5 MiB report inside
-- the ingest transaction; EXTERNAL stores it out of line as it is.
ALTER TABLE reports ALTER COLUMN raw_gz SET STORAGE EXTERNAL;
