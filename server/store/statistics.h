/*
 * statistics.h - planner statistics kept from going stale after a large
 * write. PostgreSQL's autovacuum analyzes a table a minute or so after it
 * changed enough; until then the planner works from the last ANALYZE. If
 * that ANALYZE ran while a first large report was still being stored (or
 * after one was rolled back), it recorded a table of pages and no rows,
 * and every plan over that table assumes one row: nested loops that take
 * minutes over the rows that arrived since. The statements that follow a
 * write (the POA&M update, the rule evaluation) are the first to be
 * planned then, so the write itself refreshes the statistics of the
 * tables it grew beyond what they claim to hold.
 */
#ifndef MUSTER_STORE_STATISTICS_H
#define MUSTER_STORE_STATISTICS_H

#include <stddef.h>

#include "store.h"

/* Writes this small never trigger an ANALYZE. */
#define STATISTICS_MIN_ROWS 1000

/*
 * After scans scan_ids (findings) or runtime snapshot snapshot_id
 * (container instances) were committed: ANALYZE findings and/or
 * container_instances when the write added at least STATISTICS_MIN_ROWS
 * rows and more than the table's statistics say it holds. *analyzed (may
 * be NULL) counts the tables analyzed. Returns STORE_OK or a STORE_ERR_*
 * code.
 */
int store_statistics_after_write(db_conn *c, const long long *scan_ids, size_t n_scans,
				 long long snapshot_id, int *analyzed);

#endif
