/*
 * scans.c - the scan-ingest transaction (scans.h).  Statements run per
 * report and per image, never per finding: findings go through COPY.
 * Identity races between concurrent writers are settled by transaction
 * advisory locks on every digest, taken in sorted order, and by unique
 * constraints with ON CONFLICT.
 */
#include "scans.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../policy/risk.h"
#include "../util/buf.h"
#include "db.h"
#include "identity_sql.h"

/* Postgres array literal of strings: {"a","b"} with quoting. */
static int append_pg_array(buf *b, char *const *items, size_t n)
{
	size_t i;
	const char *p;
	int rc = buf_append(b, "{", 1);

	for (i = 0; i < n && !rc; i++) {
		rc = buf_append(b, i ? ",\"" : "\"", i ? 2 : 1);
		for (p = items[i]; *p && !rc; p++) {
			if (*p == '"' || *p == '\\')
				rc = buf_append(b, "\\", 1);
			if (!rc)
				rc = buf_append(b, p, 1);
		}
		if (!rc)
			rc = buf_append(b, "\"", 1);
	}
	return rc ? rc : buf_append(b, "}", 1);
}

/* An array literal for a text[] parameter. */
static char *pg_array_param(char *const *items, size_t n)
{
	buf b;

	buf_init(&b, (size_t)-1);
	if (append_pg_array(&b, items, n))
		return NULL;
	return buf_detach(&b, NULL);
}

struct copy_findings {
	long long scan_id;
	const ms_scan *scan;
};

static int copy_score(buf *b, double v)
{
	if (v <= 0.0 || v > 10.0)
		return buf_append(b, "\\N", 2);
	return buf_printf(b, "%.1f", v);
}

static int put_findings(db_conn *c, void *payload)
{
	struct copy_findings *cf = payload;
	const ms_scan *s = cf->scan;
	buf b, arr;
	size_t i;
	int rc = 0;

	buf_init(&b, (size_t)-1);
	buf_init(&arr, (size_t)-1);
	for (i = 0; i < s->n_findings && rc == 0; i++) {
		const ms_finding *f = &s->findings[i];

		buf_reset(&arr);
		rc |= buf_printf(&b, "%lld\t%zu\t", cf->scan_id, i);
		rc |= db_copy_field(&b, f->vuln_id);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, risk_weakness(f));
		rc |= buf_append(&b, "\t", 1);
		rc |= append_pg_array(&arr, f->aliases.items, f->aliases.n);
		rc |= db_copy_field(&b, arr.data);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->pkg_name);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->pkg_type);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->installed_version);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->fixed_version);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->pkg_path);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->purl);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, ms_severity_name(f->severity));
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, risk_name(risk_of_finding(f)));
		rc |= buf_append(&b, "\t", 1);
		rc |= copy_score(&b, f->cvss3_score);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->cvss3_vector);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->cvss3_source);
		rc |= buf_append(&b, "\t", 1);
		rc |= copy_score(&b, f->cvss2_score);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->cvss2_vector);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->cvss2_source);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->title);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->url);
		rc |= buf_append(&b, "\t", 1);
		rc |= db_copy_field(&b, f->published);
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
	buf_free(&arr);
	return rc;
}

/* Lock every digest of the report, in sorted order (no lock-order deadlock
 * between writers of overlapping reports). */
static int lock_digests(db_conn *c, const store_report_in *in)
{
	size_t i, j, n = 0, k = 0;
	char **all;
	char *arr;
	const char *params[1];
	int rc;

	for (i = 0; i < in->n_scans; i++)
		n += in->scans[i].id->n_digests;
	if (n == 0)
		return STORE_OK;
	all = calloc(n, sizeof(char *));
	if (!all)
		return STORE_ERR_INTERNAL;
	for (i = 0; i < in->n_scans; i++)
		for (j = 0; j < in->scans[i].id->n_digests; j++)
			all[k++] = in->scans[i].id->digests[j];
	arr = pg_array_param(all, n);
	free(all);
	if (!arr)
		return STORE_ERR_INTERNAL;
	params[0] = arr;
	rc = db_command(c, "SELECT pg_advisory_xact_lock(hashtextextended(d, 7246))"
			   " FROM (SELECT DISTINCT unnest($1::text[]) AS d ORDER BY 1) x", 1, params);
	free(arr);
	return rc;
}

/* Find or create the build that every digest of id names, merging builds
 * that turn out to be one (a sensor saw the manifest digest first, a
 * scanner the config digest). */
static int resolve_build(db_conn *c, const identity *id, long long *build_id)
{
	char *arr = pg_array_param(id->digests, id->n_digests);
	const char *params[2];
	char bid[32];
	PGresult *r = NULL;
	int rc, n;

	if (!arr)
		return STORE_ERR_INTERNAL;
	params[0] = arr;
	rc = db_exec(c, &r, "SELECT DISTINCT build_id FROM digests WHERE digest = ANY($1::text[])"
			    " ORDER BY build_id", 1, params);
	if (rc)
		goto done;
	n = PQntuples(r);
	if (n == 0) {
		PQclear(r);
		rc = db_exec(c, &r, "INSERT INTO builds DEFAULT VALUES RETURNING id AS build_id", 0, NULL);
		if (rc)
			goto done;
	}
	*build_id = db_get_ll(r, 0, "build_id");
	snprintf(bid, sizeof(bid), "%lld", *build_id);
	params[1] = bid;
	if (n > 1) {
		rc = db_command(c, "SELECT muster_merge_builds($2::bigint, ARRAY(SELECT DISTINCT build_id FROM digests"
				   " WHERE digest = ANY($1::text[]) AND build_id <> $2::bigint))", 2, params);
		if (rc)
			goto done;
	}
	rc = db_command(c, "INSERT INTO digests (digest, build_id) SELECT unnest($1::text[]), $2::bigint"
			   " ON CONFLICT (digest) DO NOTHING", 2, params);
done:
	PQclear(r);
	free(arr);
	return rc;
}

/* Find or create the asset; rename a versionless asset of this build once
 * it gets a real version (the old UAI stays an alias). */
static int resolve_image(db_conn *c, const identity *id, long long build_id,
			 long long *image_id, char *uai, size_t uailen)
{
	char bid[32];
	const char *params[5];
	PGresult *r = NULL;
	int rc;

	snprintf(bid, sizeof(bid), "%lld", build_id);
	/* never store a truncated UAI: refuse the report instead */
	if ((size_t)snprintf(uai, uailen, "%s/%s:%s", id->registry, id->repository, id->version) >= uailen)
		return STORE_ERR_INVALID;
	params[0] = uai;
	params[1] = id->registry;
	params[2] = id->repository;
	params[3] = id->version;
	params[4] = id->version_from_digest ? "true" : "false";
	if (!id->version_from_digest) {
		const char *rp[] = {bid, id->registry, id->repository, id->version};

		rc = db_command(c, RENAME_VERSIONLESS_SQL(
			"(SELECT $1::bigint AS build_id, $2::text AS registry, $3::text AS repository,"
			"  $4::text AS version, 0 AS ord)"), 4, rp);
		if (rc)
			return rc;
	}
	rc = db_exec(c, &r,
		"WITH ins AS (INSERT INTO images (uai, registry, repository, version, version_from_digest)"
		"  VALUES ($1, $2, $3, $4, $5::boolean) ON CONFLICT (registry, repository, version) DO NOTHING"
		"  RETURNING id, uai)"
		" SELECT id, uai FROM ins UNION ALL"
		" SELECT id, uai FROM images WHERE registry = $2 AND repository = $3 AND version = $4"
		" LIMIT 1", 5, params);
	if (rc)
		return rc;
	if (PQntuples(r) != 1) {
		PQclear(r);
		return STORE_ERR_RETRY;   /* created concurrently: not yet visible */
	}
	*image_id = db_get_ll(r, 0, "id");
	snprintf(uai, uailen, "%s", db_get(r, 0, "uai"));
	PQclear(r);
	snprintf(bid, sizeof(bid), "%lld", build_id);
	{
		char iid[32];
		const char *p2[] = {bid, iid};

		snprintf(iid, sizeof(iid), "%lld", *image_id);
		rc = db_command(c, "INSERT INTO build_images (build_id, image_id) VALUES ($1, $2)"
				   " ON CONFLICT DO NOTHING", 2, p2);
	}
	return rc;
}

static int store_one_scan(db_conn *c, long long report_id, size_t seq,
			  const store_scan_in *si, store_scan_out *o)
{
	const ms_scan *s = si->scan;
	char rid[32], sq[32], bid[32], iid[32], when[32], cnt[32], sid[32];
	const char *params[13];
	struct copy_findings cf;
	PGresult *r = NULL;
	int rc;

	rc = resolve_build(c, si->id, &o->build_id);
	if (!rc)
		rc = resolve_image(c, si->id, o->build_id, &o->image_id, o->uai, sizeof(o->uai));
	if (rc)
		return rc;
	snprintf(o->digest, sizeof(o->digest), "%s", si->id->primary_digest);
	snprintf(rid, sizeof(rid), "%lld", report_id);
	snprintf(sq, sizeof(sq), "%zu", seq);
	snprintf(iid, sizeof(iid), "%lld", o->image_id);
	snprintf(bid, sizeof(bid), "%lld", o->build_id);
	snprintf(when, sizeof(when), "%lld", (long long)si->scanned_at);
	snprintf(cnt, sizeof(cnt), "%zu", s->n_findings);
	params[0] = rid;
	params[1] = sq;
	params[2] = iid;
	params[3] = bid;
	params[4] = si->id->primary_digest;
	params[5] = s->scanner_name ? s->scanner_name : "unknown";
	params[6] = s->scanner_version;
	params[7] = s->db_version;
	params[8] = when;
	params[9] = s->image.os_family;
	params[10] = s->image.os_version;
	params[11] = s->image.architecture;
	params[12] = cnt;
	rc = db_exec(c, &r,
		"INSERT INTO scans (report_id, seq, image_id, build_id, digest, scanner_name,"
		" scanner_version, db_version, scanned_at, os_family, os_version, architecture,"
		" findings_count, new_findings)"
		" VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::bigint), $10, $11, $12, $13, 0)"
		" RETURNING id", 13, params);
	if (rc)
		return rc;
	o->scan_id = db_get_ll(r, 0, "id");
	PQclear(r);
	o->findings = (long long)s->n_findings;
	cf.scan_id = o->scan_id;
	cf.scan = s;
	if (s->n_findings) {
		rc = db_copy_in(c, "COPY findings (scan_id, ord, vuln_id, weakness, aliases, pkg_name,"
				   " pkg_type, installed_version, fixed_version, pkg_path, purl, severity, risk,"
				   " cvss3_score, cvss3_vector, cvss3_source, cvss2_score, cvss2_vector,"
				   " cvss2_source, title, url, published) FROM STDIN", put_findings, &cf);
		if (rc)
			return rc;
	}
	/* new = not in the build's previous scan (by time) */
	snprintf(sid, sizeof(sid), "%lld", o->scan_id);
	{
		const char *p3[] = {sid, bid};

		/*
		 * One pass over both scans' findings grouped by the finding's key
		 * (grouping treats NULLs as equal): the findings of this scan in
		 * groups the previous scan has no row in. A NOT EXISTS over the
		 * previous scan's findings was planned as a nested loop on the
		 * fresh scan's unknown row count: quadratic, most of an hour for
		 * two scans of 60,000 findings.
		 */
		rc = db_exec(c, &r,
			"WITH prev AS (SELECT p.id FROM scans p, scans me WHERE me.id = $1::bigint"
			"   AND p.build_id = $2::bigint AND p.id <> me.id"
			"   AND (p.scanned_at, p.id) < (me.scanned_at, me.id)"
			"   ORDER BY p.scanned_at DESC, p.id DESC LIMIT 1),"
			" g AS (SELECT sum((f.scan_id = $1::bigint)::int) AS n_new, bool_or(f.scan_id <> $1::bigint) AS in_prev"
			"   FROM findings f WHERE f.scan_id = $1::bigint OR f.scan_id = (SELECT id FROM prev)"
			"   GROUP BY f.vuln_id, f.pkg_name, f.installed_version, f.pkg_path)"
			" UPDATE scans SET new_findings = (SELECT coalesce(sum(n_new), 0) FROM g WHERE NOT in_prev)"
			" WHERE id = $1::bigint RETURNING new_findings", 2, p3);
		if (rc)
			return rc;
		o->new_findings = db_get_ll(r, 0, "new_findings");
		PQclear(r);
	}
	return STORE_OK;
}

struct ingest_tx {
	const store_actor *who;
	const store_report_in *in;
	store_scan_out *out;
	size_t n_out;
	int duplicate;
};

static int load_existing(db_conn *c, struct ingest_tx *t, const char *report_id)
{
	const char *params[] = {report_id};
	PGresult *r;
	int rc, i, n;

	rc = db_exec(c, &r, "SELECT s.id, s.image_id, s.build_id, i.uai, s.digest, s.findings_count,"
			    " s.new_findings FROM scans s JOIN images i ON i.id = s.image_id"
			    " WHERE s.report_id = $1 ORDER BY s.seq", 1, params);
	if (rc)
		return rc;
	n = PQntuples(r);
	free(t->out);
	t->out = calloc((size_t)(n ? n : 1), sizeof(store_scan_out));
	if (!t->out) {
		PQclear(r);
		return STORE_ERR_INTERNAL;
	}
	for (i = 0; i < n; i++) {
		store_scan_out *o = &t->out[i];

		o->scan_id = db_get_ll(r, i, "id");
		o->image_id = db_get_ll(r, i, "image_id");
		o->build_id = db_get_ll(r, i, "build_id");
		snprintf(o->uai, sizeof(o->uai), "%s", db_get(r, i, "uai"));
		snprintf(o->digest, sizeof(o->digest), "%s", db_get(r, i, "digest"));
		o->findings = db_get_ll(r, i, "findings_count");
		o->new_findings = db_get_ll(r, i, "new_findings");
	}
	t->n_out = (size_t)n;
	t->duplicate = 1;
	PQclear(r);
	return STORE_OK;
}

static int ingest_tx(db_conn *c, void *payload)
{
	struct ingest_tx *t = payload;
	const store_report_in *in = t->in;
	char size[32], tok[32], detail[256];
	const char *params[6];
	int lengths[6] = {0}, formats[6] = {0};
	PGresult *r = NULL;
	long long report_id;
	size_t i;
	int rc;

	t->duplicate = 0;
	t->n_out = 0;
	params[0] = in->sha256;
	params[1] = in->idempotency_key;
	rc = db_exec(c, &r, "SELECT id::text AS id FROM reports WHERE sha256 = $1"
			    " OR ($2::text IS NOT NULL AND idempotency_key = $2) ORDER BY id LIMIT 1", 2, params);
	if (rc)
		return rc;
	if (PQntuples(r) == 1) {
		char id[32];

		snprintf(id, sizeof(id), "%s", db_get(r, 0, "id"));
		PQclear(r);
		return load_existing(c, t, id);
	}
	PQclear(r);
	rc = lock_digests(c, in);
	if (rc)
		return rc;
	snprintf(size, sizeof(size), "%zu", in->raw_len);
	snprintf(tok, sizeof(tok), "%lld", t->who ? t->who->token_id : 0);
	params[2] = in->format;
	params[3] = size;
	params[4] = in->raw_gz;
	lengths[4] = (int)in->raw_gz_len;
	formats[4] = 1;
	params[5] = t->who && t->who->token_id ? tok : NULL;
	/* a concurrent duplicate makes this a unique violation: the
	 * transaction is retried and then finds the stored report */
	rc = db_exec_bin(c, &r, "INSERT INTO reports (sha256, idempotency_key, format, size, raw_gz, token_id)"
				" VALUES ($1, $2, $3, $4, $5, $6) RETURNING id", 6, params, lengths, formats);
	if (rc)
		return rc;
	report_id = db_get_ll(r, 0, "id");
	PQclear(r);
	for (i = 0; i < in->n_scans; i++) {
		rc = store_one_scan(c, report_id, i, &in->scans[i], &t->out[i]);
		if (rc)
			return rc;
	}
	t->n_out = in->n_scans;
	snprintf(detail, sizeof(detail), "{\"report_id\":%lld,\"format\":\"%s\",\"scans\":%zu,\"sha256\":\"%s\"}",
		 report_id, in->format, in->n_scans, in->sha256);
	return store_audit(c, t->who, "scan.ingest", detail);
}

int store_ingest_report(db_conn *c, const store_actor *who, const store_report_in *in,
			store_scan_out **out, size_t *n_out, int *duplicate)
{
	struct ingest_tx t;
	int rc;

	if (in->raw_gz_len > 0x7fffffff)
		return STORE_ERR_INVALID;
	memset(&t, 0, sizeof(t));
	t.who = who;
	t.in = in;
	t.out = calloc(in->n_scans ? in->n_scans : 1, sizeof(store_scan_out));
	if (!t.out)
		return STORE_ERR_INTERNAL;
	rc = db_transaction(c, ingest_tx, &t);
	if (rc) {
		free(t.out);
		return rc;
	}
	*out = t.out;
	*n_out = t.n_out;
	*duplicate = t.duplicate;
	return STORE_OK;
}

int store_scan_raw(db_conn *c, long long scan_id, char **gz, size_t *gz_len, char *format, size_t flen)
{
	char id[32];
	const char *params[] = {id};
	int formats_out = 1;
	PGresult *r;
	int len;

	snprintf(id, sizeof(id), "%lld", scan_id);
	r = PQexecParams(c->pg, "SELECT r.raw_gz, r.format FROM reports r JOIN scans s ON s.report_id = r.id"
				" WHERE s.id = $1", 1, NULL, params, NULL, NULL, formats_out);
	if (!r || PQresultStatus(r) != PGRES_TUPLES_OK) {
		int rc = db_error(c, r, "raw report");

		PQclear(r);
		return rc;
	}
	if (PQntuples(r) != 1) {
		PQclear(r);
		return STORE_ERR_NOTFOUND;
	}
	len = PQgetlength(r, 0, 0);
	*gz = malloc((size_t)len + 1);
	if (!*gz) {
		PQclear(r);
		return STORE_ERR_INTERNAL;
	}
	memcpy(*gz, PQgetvalue(r, 0, 0), (size_t)len);
	*gz_len = (size_t)len;
	snprintf(format, flen, "%.*s", PQgetlength(r, 0, 1), PQgetvalue(r, 0, 1));
	PQclear(r);
	return STORE_OK;
}
