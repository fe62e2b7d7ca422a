/*
 * runtime.c - snapshot storage (runtime.h). The containers go into a
 * temporary table through COPY; every later step is one set-based
 * statement: create unknown builds and assets, link them, end the
 * instances that vanished, touch those still running, start the new ones.
 */
#include "runtime.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/buf.h"
#include "../util/timeutil.h"
#include "db.h"
#include "identity_sql.h"
#include "inventory_reads.h"

struct snap_copy {
	const runtime_snapshot_in *in;
};

static int put_snap_rows(db_conn *c, void *payload)
{
	const runtime_snapshot_in *in = ((struct snap_copy *)payload)->in;
	buf b;
	size_t i;
	int rc = 0;

	buf_init(&b, (size_t)-1);
	for (i = 0; i < in->n_rows && rc == 0; i++) {
		const runtime_row *r = &in->rows[i];

		rc |= buf_printf(&b, "%zu\t", i);
		rc |= db_copy_field(&b, r->namespace_);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->pod);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->container);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->kind);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->image_ref);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->registry);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->repository);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->version);
		rc |= buf_append(&b, r->version_from_digest ? "\tt\t" : "\tf\t", 3);
		rc |= db_copy_field(&b, r->digest);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->node);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, r->started_at);
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

struct snap_tx {
	const store_actor *who;
	const runtime_snapshot_in *in;
	runtime_snapshot_out *out;
};

/* Count of rows a data-modifying statement touched. */
static int exec_count(db_conn *c, const char *sql, int n, const char *const *params, long long *count)
{
	PGresult *r;
	int rc = db_exec(c, &r, sql, n, params);

	if (rc)
		return rc;
	*count = strtoll(PQcmdTuples(r), NULL, 10);
	PQclear(r);
	return STORE_OK;
}

static int snapshot_tx(db_conn *c, void *payload)
{
	struct snap_tx *t = payload;
	const runtime_snapshot_in *in = t->in;
	runtime_snapshot_out *o = t->out;
	struct snap_copy sc = {in};
	char when[32], tok[32], nrows[32], detail[512];
	const char *p[8];
	PGresult *r;
	int rc;

	snprintf(when, sizeof(when), "%lld", (long long)in->observed_at);
	p[0] = in->cluster;
	p[1] = in->namespace_;
	p[2] = when;
	/* one writer per cluster at a time; snapshots never go back in time */
	rc = db_command(c, "SELECT pg_advisory_xact_lock(hashtextextended('runtime:' || $1, 7246))", 1, p);
	if (rc)
		return rc;
	rc = db_exec(c, &r, "SELECT 1 FROM runtime_snapshots WHERE cluster = $1"
			    " AND (namespace IS NULL OR $2::text IS NULL OR namespace = $2)"
			    " AND observed_at > to_timestamp($3::bigint) LIMIT 1", 3, p);
	if (rc)
		return rc;
	if (PQntuples(r) > 0) {
		PQclear(r);
		return STORE_ERR_CONFLICT;
	}
	PQclear(r);
	rc = db_command(c, "CREATE TEMP TABLE snap (ord int, namespace text, pod text, container text,"
			   " kind text, image_ref text, registry text, repository text, version text,"
			   " vfd boolean, digest text, node text, started_at text, build_id bigint,"
			   " image_id bigint) ON COMMIT DROP", 0, NULL);
	if (!rc)
		rc = db_copy_in(c, "COPY snap (ord, namespace, pod, container, kind, image_ref, registry,"
				   " repository, version, vfd, digest, node, started_at) FROM STDIN",
				put_snap_rows, &sc);
	if (rc)
		return rc;
	/* a temporary table has no statistics until analyzed: without them
	 * the planner picks nested loops that are quadratic in containers */
	if (!rc)
		rc = db_command(c, "ANALYZE snap", 0, NULL);
	/* scoped snapshot: other namespaces are not its business */
	if (in->namespace_)
		rc = db_command(c, "DELETE FROM snap WHERE namespace <> $1", 1, &in->namespace_);
	/* one row per container: the last listed wins */
	if (!rc)
		rc = db_command(c, "DELETE FROM snap a USING snap b WHERE a.namespace = b.namespace"
				   " AND a.pod = b.pod AND a.container = b.container AND a.ord < b.ord", 0, NULL);
	/* lock the digests (same key space as scan ingest) in sorted order */
	if (!rc)
		rc = db_command(c, "SELECT pg_advisory_xact_lock(hashtextextended(d, 7246))"
				   " FROM (SELECT DISTINCT digest AS d FROM snap WHERE digest IS NOT NULL ORDER BY 1) x",
				0, NULL);
	/* unknown digests become new builds */
	if (!rc)
		rc = db_command(c,
			"WITH nd AS (SELECT DISTINCT s.digest FROM snap s WHERE s.digest IS NOT NULL"
			"   AND NOT EXISTS (SELECT 1 FROM digests d WHERE d.digest = s.digest)),"
			" ids AS (SELECT digest, nextval(pg_get_serial_sequence('builds', 'id')) AS id FROM nd),"
			" b AS (INSERT INTO builds (id, first_seen) SELECT id, to_timestamp($1::bigint) FROM ids)"
			" INSERT INTO digests (digest, build_id) SELECT digest, id FROM ids", 1, &p[2]);
	if (!rc)
		rc = db_command(c, "UPDATE snap SET build_id = d.build_id FROM digests d WHERE d.digest = snap.digest",
				0, NULL);
	/* no digest (a pending pod): the tag's latest known build (the
	 * partial index keeps this cheap when every row has a digest) */
	if (!rc)
		rc = db_command(c, "CREATE INDEX ON snap (ord) WHERE build_id IS NULL", 0, NULL);
	if (!rc)
		rc = db_command(c,
			"UPDATE snap SET build_id = (SELECT bi.build_id FROM images i JOIN build_images bi ON bi.image_id = i.id"
			"   WHERE i.registry = snap.registry AND i.repository = snap.repository AND i.version = snap.version"
			"   ORDER BY bi.first_seen DESC, bi.build_id DESC LIMIT 1)"
			" WHERE build_id IS NULL AND registry IS NOT NULL", 0, NULL);
	/* a versionless asset of a build now shown under a real version of the
	 * same repository is renamed once, by the statement scan ingest uses */
	if (!rc)
		rc = db_command(c, RENAME_VERSIONLESS_SQL(
			"(SELECT build_id, registry, repository, version, ord FROM snap"
			"  WHERE NOT vfd AND version IS NOT NULL)"), 0, NULL);
	/* assets by reference; a digest-only container takes its build's asset */
	if (!rc)
		rc = db_command(c,
			"INSERT INTO images (uai, registry, repository, version, version_from_digest, first_seen)"
			" SELECT DISTINCT ON (registry, repository, version)"
			"   registry || '/' || repository || ':' || version, registry, repository, version, vfd,"
			"   to_timestamp($1::bigint)"
			" FROM snap WHERE registry IS NOT NULL AND build_id IS NOT NULL"
			" ORDER BY registry, repository, version"
			" ON CONFLICT DO NOTHING", 1, &p[2]);
	if (!rc)
		rc = db_command(c, "UPDATE snap SET image_id = i.id FROM images i WHERE i.registry = snap.registry"
				   " AND i.repository = snap.repository AND i.version = snap.version", 0, NULL);
	if (!rc)
		rc = db_command(c,
			"UPDATE snap SET image_id = (SELECT bi.image_id FROM build_images bi WHERE bi.build_id = snap.build_id"
			"   ORDER BY bi.first_seen, bi.image_id LIMIT 1)"
			" WHERE image_id IS NULL AND build_id IS NOT NULL", 0, NULL);
	if (!rc)
		rc = db_command(c, "INSERT INTO build_images (build_id, image_id, first_seen)"
				   " SELECT DISTINCT build_id, image_id, to_timestamp($1::bigint) FROM snap"
				   " WHERE build_id IS NOT NULL AND image_id IS NOT NULL ON CONFLICT DO NOTHING",
				1, &p[2]);
	if (rc)
		return rc;
	rc = db_exec(c, &r,
		"SELECT coalesce(json_agg(json_build_object('namespace', namespace, 'pod', pod, 'container', container,"
		"   'image', image_ref, 'reason', CASE WHEN digest IS NULL AND registry IS NULL"
		"     THEN 'no image digest or reference' WHEN build_id IS NULL"
		"     THEN 'no digest reported and the tag has no known build' ELSE 'no reference for a new digest' END)"
		"   ORDER BY ord), '[]')::text FROM snap WHERE build_id IS NULL OR image_id IS NULL", 0, NULL);
	if (rc)
		return rc;
	o->unresolved_json = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	if (!o->unresolved_json)
		return STORE_ERR_INTERNAL;
	rc = db_command(c, "DELETE FROM snap WHERE build_id IS NULL OR image_id IS NULL", 0, NULL);
	if (!rc)
		rc = db_command(c, "CREATE INDEX ON snap (namespace, pod, container)", 0, NULL);
	if (!rc)
		rc = db_command(c, "ANALYZE snap", 0, NULL);
	if (rc)
		return rc;
	rc = exec_count(c,
		"UPDATE container_instances ci SET ended_at = to_timestamp($3::bigint)"
		" WHERE ci.cluster = $1 AND ($2::text IS NULL OR ci.namespace = $2) AND ci.ended_at IS NULL"
		"   AND NOT EXISTS (SELECT 1 FROM snap s WHERE s.namespace = ci.namespace AND s.pod = ci.pod"
		"     AND s.container = ci.container AND s.build_id = ci.build_id)", 3, p, &o->ended);
	/*
	 * The containers still running are touched and the others inserted in
	 * one statement: the insert skips the rows the update returned instead
	 * of probing the unique index for every container of the snapshot
	 * (rows already running with another build were ended above; the
	 * partial unique index still backs the insert up).
	 */
	if (!rc) {
		rc = db_exec(c, &r,
			"WITH touched AS (UPDATE container_instances ci SET last_seen = to_timestamp($3::bigint),"
			"   node = CASE WHEN ci.node IS DISTINCT FROM s.node THEN s.node ELSE ci.node END"
			"  FROM snap s WHERE ci.cluster = $1 AND ci.ended_at IS NULL AND s.namespace = ci.namespace"
			"   AND s.pod = ci.pod AND s.container = ci.container AND s.build_id = ci.build_id"
			"   AND ($2::text IS NULL OR ci.namespace = $2) RETURNING s.ord),"
			" started AS (INSERT INTO container_instances (cluster, namespace, pod, container, kind, image_ref,"
			"   build_id, image_id, node, started_at, first_seen, last_seen)"
			"  SELECT $1, s.namespace, s.pod, s.container, s.kind, s.image_ref, s.build_id, s.image_id, s.node,"
			"   CASE WHEN s.started_at ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d' THEN s.started_at::timestamptz END,"
			"   to_timestamp($3::bigint), to_timestamp($3::bigint)"
			"  FROM snap s WHERE s.ord NOT IN (SELECT ord FROM touched) ON CONFLICT DO NOTHING RETURNING 1)"
			" SELECT (SELECT count(*) FROM touched) AS unchanged, (SELECT count(*) FROM started) AS started",
			3, p);
		if (!rc) {
			o->unchanged = db_get_ll(r, 0, "unchanged");
			o->started = db_get_ll(r, 0, "started");
			PQclear(r);
		}
	}
	if (rc)
		return rc;
	o->containers = o->started + o->unchanged;
	snprintf(tok, sizeof(tok), "%lld", t->who ? t->who->token_id : 0);
	snprintf(nrows, sizeof(nrows), "%lld", o->containers);
	p[3] = in->format;
	p[4] = nrows;
	p[5] = in->sha256;
	p[6] = t->who && t->who->token_id ? tok : NULL;
	rc = db_exec(c, &r,
		"INSERT INTO runtime_snapshots (cluster, namespace, observed_at, format, containers, unresolved,"
		" sha256, token_id) VALUES ($1, $2, to_timestamp($3::bigint), $4, $5,"
		" (SELECT count(*) FROM json_array_elements($8::json)), $6, $7) RETURNING id",
		8, (const char *const[]){p[0], p[1], p[2], p[3], p[4], p[5], p[6], o->unresolved_json});
	if (rc)
		return rc;
	o->snapshot_id = db_get_ll(r, 0, "id");
	PQclear(r);
	snprintf(detail, sizeof(detail),
		 "{\"snapshot_id\":%lld,\"containers\":%lld,\"started\":%lld,\"ended\":%lld}",
		 o->snapshot_id, o->containers, o->started, o->ended);
	return store_audit(c, t->who, "runtime.snapshot", detail);
}

int store_runtime_snapshot(db_conn *c, const store_actor *who, const runtime_snapshot_in *in,
			   runtime_snapshot_out *out)
{
	struct snap_tx t = {who, in, out};
	int rc;

	memset(out, 0, sizeof(*out));
	rc = db_transaction(c, snapshot_tx, &t);
	if (rc) {
		free(out->unresolved_json);
		out->unresolved_json = NULL;
	}
	return rc;
}

struct env_tx {
	const store_actor *who;
	const char *cluster, *pattern, *environment;
};

static int environment_tx(db_conn *c, void *payload)
{
	struct env_tx *t = payload;
	const char *p[] = {t->cluster, t->pattern, t->environment};
	char detail[1024];
	json_t *d;
	char *ds;
	int rc;

	rc = db_command(c, "UPDATE environments SET valid_to = now() WHERE cluster = $1"
			   " AND namespace_pattern = $2 AND valid_to IS NULL", 2, p);
	if (!rc)
		rc = db_command(c, "INSERT INTO environments (cluster, namespace_pattern, environment)"
				   " VALUES ($1, $2, $3)", 3, p);
	if (rc)
		return rc;
	d = json_pack("{ssssss}", "cluster", t->cluster, "namespace", t->pattern, "environment", t->environment);
	ds = d ? json_dumps(d, JSON_COMPACT) : NULL;
	snprintf(detail, sizeof(detail), "%s", ds ? ds : "{}");
	free(ds);
	json_decref(d);
	return store_audit(c, t->who, "cluster.environment", detail);
}

int store_environment_set(db_conn *c, const store_actor *who, const char *cluster,
			  const char *pattern, const char *environment)
{
	struct env_tx t = {who, cluster, pattern, environment};

	return db_transaction(c, environment_tx, &t);
}

static int single_json(db_conn *c, const char *sql, int n, const char *const *params, char **json)
{
	PGresult *r;
	int rc = db_exec(c, &r, sql, n, params);

	if (rc)
		return rc;
	*json = strdup(PQgetvalue(r, 0, 0));
	PQclear(r);
	return *json ? STORE_OK : STORE_ERR_INTERNAL;
}

#define TS(col) "to_char(" col " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"

int store_environments_list(db_conn *c, char **json)
{
	return single_json(c,
		"SELECT json_build_object('items', coalesce(json_agg(json_build_object('cluster', cluster,"
		" 'namespace', namespace_pattern, 'environment', environment, 'since', " TS("valid_from") ")"
		" ORDER BY cluster, namespace_pattern), '[]'))::text FROM environments WHERE valid_to IS NULL",
		0, NULL, json);
}

int store_containers_list(db_conn *c, const container_filter *f, const store_page *p, char **json)
{
	char lim[32], cur[32] = "0", img[32], st[8], prod[8];
	const char *params[7];

	if (p->cursor)
		snprintf(cur, sizeof(cur), "%s", p->cursor);
	snprintf(lim, sizeof(lim), "%lld", p->limit);
	snprintf(img, sizeof(img), "%lld", f->image_id);
	snprintf(st, sizeof(st), "%d", f->state);
	snprintf(prod, sizeof(prod), "%d", f->production);
	params[0] = lim;
	params[1] = cur;
	params[2] = f->cluster;
	params[3] = f->namespace_;
	params[4] = f->image_id ? img : NULL;
	params[5] = st;
	params[6] = prod;
	return single_json(c,
		"WITH page AS (SELECT ci.id AS k, json_build_object('id', ci.id, 'cluster', ci.cluster,"
		"   'namespace', ci.namespace, 'pod', ci.pod, 'container', ci.container, 'kind', ci.kind,"
		"   'image_ref', ci.image_ref, 'image', json_build_object('id', i.id, 'uai', i.uai),"
		"   'build', json_build_object('id', ci.build_id, 'digest', (SELECT min(d.digest) FROM digests d"
		"      WHERE d.build_id = ci.build_id)),"
		"   'node', ci.node, 'started_at', " TS("ci.started_at") ", 'first_seen', " TS("ci.first_seen") ","
		"   'last_seen', " TS("ci.last_seen") ", 'ended_at', " TS("ci.ended_at") ","
		"   'environment', muster_environment(ci.cluster, ci.namespace, coalesce(ci.ended_at, now()))) AS obj"
		"  FROM container_instances ci JOIN images i ON i.id = ci.image_id"
		"  WHERE ci.id > $2::bigint AND ($3::text IS NULL OR ci.cluster = $3)"
		"   AND ($4::text IS NULL OR ci.namespace = $4) AND ($5::bigint IS NULL OR ci.image_id = $5::bigint)"
		"   AND ($6::int = 0 OR ($6::int = 1 AND ci.ended_at IS NULL) OR ($6::int = 2 AND ci.ended_at IS NOT NULL))"
		"   AND ($7::int = -1 OR ((muster_environment(ci.cluster, ci.namespace, coalesce(ci.ended_at, now()))"
		"        IS NOT DISTINCT FROM 'production') = ($7::int = 1)))"
		"  ORDER BY ci.id LIMIT $1::int + 1)"
		" SELECT json_build_object('items', coalesce((SELECT json_agg(obj ORDER BY k) FROM"
		"   (SELECT * FROM page ORDER BY k LIMIT $1::int) x), '[]'::json),"
		"  'next', CASE WHEN (SELECT count(*) FROM page) > $1::int THEN"
		"   (SELECT max(k)::text FROM (SELECT k FROM page ORDER BY k LIMIT $1::int) y) END)::text",
		7, params, json);
}
