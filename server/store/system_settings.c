/*
 * system_settings.c - the described system's name, CSP and impact level
 * with history (system_settings.h, schema/005_system.sql). Reads take the
 * version in force at a time through muster_system_at(); a write closes
 * the version in force and opens a new one under a transaction advisory
 * lock, so concurrent writers queue instead of failing on the "one
 * version in force" index.
 */
#include "system_settings.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"

#define SYSTEM_LOCK_KEY "7246120005"   /* advisory lock id: "system settings" */

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

/* Copy the single row of r (muster_system_at's shape) into out. */
static void fill(PGresult *r, store_system *out)
{
	memset(out, 0, sizeof(*out));
	if (PQntuples(r) != 1)
		return;
	out->set = 1;
	snprintf(out->system_name, sizeof(out->system_name), "%s", db_get(r, 0, "system_name"));
	snprintf(out->csp_name, sizeof(out->csp_name), "%s", db_get(r, 0, "csp_name"));
	snprintf(out->impact_level, sizeof(out->impact_level), "%s", db_get(r, 0, "impact_level"));
	snprintf(out->since, sizeof(out->since), "%s", db_get(r, 0, "since"));
}

static int read_at(db_conn *c, const char *at, store_system *out)
{
	const char *params[] = {at};
	PGresult *r;
	int rc;

	rc = db_exec(c, &r,
		"SELECT s.system_name, s.csp_name, s.impact_level, " TS("s.valid_from") " AS since"
		" FROM muster_system_at(CASE WHEN $1::bigint = 0 THEN now()"
		"   ELSE to_timestamp($1::bigint) END) s", 1, params);
	if (rc) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	fill(r, out);
	PQclear(r);
	return STORE_OK;
}

int store_system_get(db_conn *c, time_t at, store_system *out)
{
	char when[32];

	snprintf(when, sizeof(when), "%lld", (long long)(at > 0 ? at : 0));
	return read_at(c, when, out);
}

struct system_put {
	const store_actor *who;
	const char *system_name, *csp_name, *impact_level;
};

static int system_put_tx(db_conn *c, void *payload)
{
	struct system_put *t = payload;
	const char *params[] = {t->system_name, t->csp_name, t->impact_level};
	const char *lock[] = {SYSTEM_LOCK_KEY};
	json_t *d = NULL;
	char *detail = NULL;
	PGresult *r = NULL;
	int rc;

	rc = db_command(c, "SELECT pg_advisory_xact_lock($1::bigint)", 1, lock);
	if (rc)
		return rc;
	/* the same values again: nothing to record */
	rc = db_exec(c, &r, "SELECT 1 FROM system_settings WHERE valid_to IS NULL"
			    " AND system_name = $1 AND csp_name = $2 AND impact_level = $3", 3, params);
	if (rc)
		return rc;
	if (PQntuples(r) == 1) {
		PQclear(r);
		return STORE_OK;
	}
	PQclear(r);
	rc = db_command(c, "UPDATE system_settings SET valid_to = now() WHERE valid_to IS NULL", 0, NULL);
	if (!rc)
		rc = db_command(c, "INSERT INTO system_settings (system_name, csp_name, impact_level)"
				   " VALUES ($1, $2, $3)", 3, params);
	if (rc)
		return rc;
	d = json_pack("{ssssss}", "system_name", t->system_name, "csp_name", t->csp_name,
		      "impact_level", t->impact_level);
	detail = d ? json_dumps(d, JSON_COMPACT) : NULL;
	json_decref(d);
	if (!detail)
		return STORE_ERR_INTERNAL;
	rc = store_audit(c, t->who, "system.update", detail);
	free(detail);
	return rc;
}

int store_system_put(db_conn *c, const store_actor *who, const char *system_name,
		     const char *csp_name, const char *impact_level, store_system *out)
{
	struct system_put t = {who, system_name, csp_name, impact_level};
	store_system ignored;
	int rc;

	rc = db_transaction(c, system_put_tx, &t);
	if (rc) {
		if (out)
			memset(out, 0, sizeof(*out));
		return rc;
	}
	return store_system_get(c, 0, out ? out : &ignored);
}
