/*
 * demo_seed.c - the demo's own database needs (demo_seed.h).
 */
#include "demo_seed.h"

#include <stdio.h>
#include <string.h>

#include "db.h"

int store_demo_is_empty(db_conn *c)
{
	PGresult *r;
	int rc, empty;

	rc = db_exec(c, &r,
		     "SELECT NOT (EXISTS (SELECT 1 FROM images) OR EXISTS (SELECT 1 FROM scans)"
		     " OR EXISTS (SELECT 1 FROM container_instances)"
		     " OR EXISTS (SELECT 1 FROM poam_items)) AS empty", 0, NULL);
	if (rc)
		return rc;
	empty = PQntuples(r) == 1 && !strcmp(PQgetvalue(r, 0, 0), "t");
	PQclear(r);
	return empty;
}

int store_demo_backdate_environments(db_conn *c, time_t since)
{
	char t[32];
	const char *params[] = {t};

	snprintf(t, sizeof(t), "%lld", (long long)since);
	return db_command(c, "UPDATE environments SET valid_from = to_timestamp($1::bigint)"
			     " WHERE valid_to IS NULL AND valid_from > to_timestamp($1::bigint)", 1, params);
}
