/*
 * migrate.c - applies the numbered SQL files of schema/ in order.  Each file
 * runs in its own transaction and is recorded in schema_migrations; a
 * session advisory lock makes concurrent starters wait instead of applying
 * a migration twice.
 */
#include "db.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"

#define MIGRATE_LOCK_KEY "7246120001"  /* advisory lock id: "muster migrations" */
#define MIGRATE_MAX_FILES 1000
#define MIGRATE_MAX_SIZE (16 * 1024 * 1024)

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int is_migration(const char *n)
{
	size_t len = strlen(n);

	return len > 8 && n[0] >= '0' && n[0] <= '9' && n[1] >= '0' && n[1] <= '9' &&
	       n[2] >= '0' && n[2] <= '9' && n[3] == '_' &&
	       strcmp(n + len - 4, ".sql") == 0;
}

static int read_file(const char *path, buf *out)
{
	FILE *f = fopen(path, "rb");
	char chunk[8192];
	size_t n;
	int rc = 0;

	if (!f)
		return -1;
	buf_init(out, MIGRATE_MAX_SIZE);
	while (rc == 0 && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		rc = buf_append(out, chunk, n);
	if (ferror(f))
		rc = -1;
	fclose(f);
	if (rc == 0 && !out->data)
		rc = buf_append(out, "", 0);
	return rc;
}

int store_migrate(db_conn *c, const char *schema_dir, char *err, size_t errlen)
{
	const char *lock_params[] = {MIGRATE_LOCK_KEY};
	char *names[MIGRATE_MAX_FILES];
	size_t n = 0, i;
	struct dirent *de;
	DIR *d = NULL;
	PGresult *r = NULL;
	int rc, applied = 0, locked = 0;

	d = opendir(schema_dir);
	if (!d) {
		snprintf(err, errlen, "could not open schema directory \"%s\"", schema_dir);
		return STORE_ERR_INTERNAL;
	}
	while ((de = readdir(d)) != NULL && n < MIGRATE_MAX_FILES)
		if (is_migration(de->d_name) && (names[n] = strdup(de->d_name)) != NULL)
			n++;
	closedir(d);
	qsort(names, n, sizeof(char *), name_cmp);

	/* CREATE ... IF NOT EXISTS would print a NOTICE on every start */
	rc = db_command(c, "SET client_min_messages = warning", 0, NULL);
	if (!rc)
		rc = db_command(c, "SELECT pg_advisory_lock($1)", 1, lock_params);
	if (rc) {
		snprintf(err, errlen, "could not take the migration lock");
		goto cleanup;
	}
	locked = 1;
	rc = db_command(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			   " version text PRIMARY KEY,"
			   " applied_at timestamptz NOT NULL DEFAULT now())", 0, NULL);
	if (rc) {
		snprintf(err, errlen, "could not create schema_migrations");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		const char *params[] = {names[i]};
		char path[4096];
		buf sql;
		PGresult *ex;

		rc = db_exec(c, &r, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, params);
		if (rc)
			goto cleanup;
		if (PQntuples(r) > 0) {
			PQclear(r);
			r = NULL;
			continue;
		}
		PQclear(r);
		r = NULL;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", schema_dir, names[i]) >= sizeof(path) ||
		    read_file(path, &sql)) {
			snprintf(err, errlen, "could not read %s", names[i]);
			rc = STORE_ERR_INTERNAL;
			goto cleanup;
		}
		rc = db_command(c, "BEGIN", 0, NULL);
		if (rc == STORE_OK) {
			/* simple-query protocol: a file holds many statements */
			ex = PQexec(c->pg, sql.data);
			if (!ex || PQresultStatus(ex) != PGRES_COMMAND_OK) {
				snprintf(err, errlen, "migration %s failed: %s", names[i],
					 ex ? PQresultErrorMessage(ex) : PQerrorMessage(c->pg));
				rc = db_error(c, ex, names[i]);
				if (rc == STORE_OK)
					rc = STORE_ERR_INTERNAL;
			}
			PQclear(ex);
		}
		buf_free(&sql);
		if (rc == STORE_OK)
			rc = db_command(c, "INSERT INTO schema_migrations (version) VALUES ($1)", 1, params);
		if (rc == STORE_OK)
			rc = db_command(c, "COMMIT", 0, NULL);
		if (rc) {
			PGresult *rb = PQexec(c->pg, "ROLLBACK");

			PQclear(rb);
			if (!*err)
				snprintf(err, errlen, "migration %s failed", names[i]);
			goto cleanup;
		}
		applied++;
	}
	rc = applied;
cleanup:
	if (locked) {
		int urc = db_command(c, "SELECT pg_advisory_unlock($1)", 1, lock_params);
		(void)urc;
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	return rc;
}
