/*
 * kev_store.c - replacing the KEV catalog (kev_store.h): COPY into a
 * temporary table, then one DELETE and one INSERT ... SELECT DISTINCT ON
 * so that a duplicated CVE cannot fail the import.
 */
#include "kev_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "db.h"

static int put_entries(db_conn *c, void *payload)
{
	const kev_catalog *cat = payload;
	buf b;
	size_t i;
	int rc = 0;

	buf_init(&b, (size_t)-1);
	for (i = 0; i < cat->n && rc == 0; i++) {
		const kev_entry *e = &cat->items[i];

		rc |= buf_printf(&b, "%zu\t", i);
		rc |= db_copy_field(&b, e->cve);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, e->vendor);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, e->product);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, e->name);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, e->date_added);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, e->due_date);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, e->ransomware);
		rc |= buf_append(&b, "\n", 1);
		if (rc) {
			rc = STORE_ERR_INTERNAL;
			break;
		}
		rc = db_copy_flush(c, &b, 0);
	}
	if (rc == 0)
		rc = db_copy_flush(c, &b, 1);
	buf_free(&b);
	return rc;
}

struct kev_tx {
	const store_actor *who;
	const kev_catalog *cat;
	long long import_id;
	long long entries;
};

static int kev_tx(db_conn *c, void *payload)
{
	struct kev_tx *t = payload;
	char n[32], iid[32];
	buf detail;
	const char *params[3];
	PGresult *r;
	int rc;

	/* one import at a time */
	rc = db_command(c, "SELECT pg_advisory_xact_lock(hashtextextended('kev:import', 7246))", 0, NULL);
	if (rc)
		return rc;
	rc = db_command(c, "CREATE TEMP TABLE kev_in (ord int, cve text, vendor text, product text, name text,"
			   " date_added date, due_date date, ransomware text) ON COMMIT DROP", 0, NULL);
	if (!rc)
		rc = db_copy_in(c, "COPY kev_in (ord, cve, vendor, product, name, date_added, due_date, ransomware)"
				   " FROM STDIN", put_entries, (void *)t->cat);
	if (rc)
		return rc;
	snprintf(n, sizeof(n), "%zu", t->cat->n);
	params[0] = t->cat->version;
	params[1] = t->cat->released;
	params[2] = n;
	rc = db_exec(c, &r, "INSERT INTO kev_imports (version, released, entries) VALUES ($1, $2, $3::int)"
			    " RETURNING id", 3, params);
	if (rc)
		return rc;
	t->import_id = db_get_ll(r, 0, "id");
	PQclear(r);
	snprintf(iid, sizeof(iid), "%lld", t->import_id);
	params[0] = iid;
	rc = db_command(c, "DELETE FROM kev_entries", 0, NULL);
	if (rc)
		return rc;
	rc = db_exec(c, &r,
		"WITH ins AS (INSERT INTO kev_entries (cve, vendor, product, name, date_added, due_date, ransomware, import_id)"
		" SELECT DISTINCT ON (cve) cve, vendor, product, name, date_added, due_date, ransomware, $1::bigint"
		" FROM kev_in ORDER BY cve, ord RETURNING 1) SELECT count(*) AS n FROM ins", 1, params);
	if (rc)
		return rc;
	t->entries = db_get_ll(r, 0, "n");
	PQclear(r);
	buf_init(&detail, 4096);
	if (buf_printf(&detail, "{\"import_id\":%lld,\"entries\":%lld,\"catalog_version\":\"", t->import_id,
		       t->entries) || buf_json_escape(&detail, t->cat->version) || buf_puts(&detail, "\"}"))
		return STORE_ERR_INTERNAL;
	rc = store_audit(c, t->who, "kev.import", detail.data);
	buf_free(&detail);
	return rc;
}

int store_kev_import(db_conn *c, const store_actor *who, const kev_catalog *cat,
		     long long *import_id, long long *entries)
{
	struct kev_tx t = {who, cat, 0, 0};
	int rc;

	if (!cat->version || !cat->released)
		return STORE_ERR_INVALID;
	rc = db_transaction(c, kev_tx, &t);
	if (rc)
		return rc;
	if (import_id)
		*import_id = t.import_id;
	if (entries)
		*entries = t.entries;
	return STORE_OK;
}
