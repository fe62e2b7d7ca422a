/*
 * statistics.c - ANALYZE after a write that outgrew the planner's
 * statistics (statistics.h). One statement finds the tables to analyze;
 * each ANALYZE is a fixed statement, the table name never comes from data.
 */
#include "statistics.h"

#include <stdio.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/log.h"
#include "db.h"

/* The tables a write can grow by thousands of rows, and their ANALYZE. */
static const struct {
	const char *table;
	const char *analyze;
} tables[] = {
	{"findings", "ANALYZE findings"},
	{"container_instances", "ANALYZE container_instances"},
};

/* $1 the scan ids, $2 the snapshot id (0: none), $3 STATISTICS_MIN_ROWS:
 * the tables written with more rows than their statistics hold (never
 * analyzed tables, reltuples -1, are estimated from their size and left
 * to autovacuum). */
#define STALE_SQL \
	"WITH w AS (SELECT" \
	"   coalesce((SELECT sum(findings_count) FROM scans WHERE id = ANY ($1::bigint[])), 0) AS findings," \
	"   coalesce((SELECT containers FROM runtime_snapshots WHERE id = $2::bigint), 0) AS instances)" \
	" SELECT t.name FROM w CROSS JOIN LATERAL" \
	"   (VALUES ('findings', w.findings), ('container_instances', w.instances)) AS t(name, n)" \
	" JOIN pg_class c ON c.oid = to_regclass(t.name)" \
	" WHERE t.n >= $3::int AND c.reltuples >= 0 AND c.reltuples < t.n"

int store_statistics_after_write(db_conn *c, const long long *scan_ids, size_t n_scans,
				 long long snapshot_id, int *analyzed)
{
	char snap[32], min[16];
	const char *params[3];
	PGresult *r = NULL;
	buf ids;
	size_t i, k;
	int rc, row;

	if (analyzed)
		*analyzed = 0;
	buf_init(&ids, 32 * n_scans + 64);   /* a ceiling: 20 digits and a comma an id */
	rc = buf_puts(&ids, "{");
	for (i = 0; i < n_scans && !rc; i++)
		rc = buf_printf(&ids, "%s%lld", i ? "," : "", scan_ids[i]);
	rc = rc ? rc : buf_puts(&ids, "}");
	if (rc) {
		buf_free(&ids);
		return STORE_ERR_INTERNAL;
	}
	snprintf(snap, sizeof(snap), "%lld", snapshot_id);
	snprintf(min, sizeof(min), "%d", STATISTICS_MIN_ROWS);
	params[0] = ids.data;
	params[1] = snap;
	params[2] = min;
	rc = db_exec(c, &r, STALE_SQL, 3, params);
	buf_free(&ids);
	if (rc)
		return rc;
	for (row = 0; row < PQntuples(r) && rc == STORE_OK; row++) {
		const char *name = PQgetvalue(r, row, 0);

		for (k = 0; k < sizeof(tables) / sizeof(tables[0]); k++) {
			if (strcmp(name, tables[k].table) != 0)
				continue;
			rc = db_command(c, tables[k].analyze, 0, NULL);
			if (rc == STORE_OK) {
				log_event("info", "planner statistics refreshed after a large write",
					  "table", tables[k].table, NULL);
				if (analyzed)
					(*analyzed)++;
			}
		}
	}
	PQclear(r);
	return rc;
}
