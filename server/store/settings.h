/*
 * settings.h - what administrators set and reports depend on: the policy
 * document (policy_versions), hardening baselines and asset metadata of
 * an asset or of a whole repository. Nothing is overwritten: each PUT
 * closes the current row (valid_to) and inserts a new one, in one
 * transaction with its audit record, so a past month reads as it was.
 */
#ifndef MUSTER_STORE_SETTINGS_H
#define MUSTER_STORE_SETTINGS_H

#include <time.h>

#include "store.h"

/* The latest policy: {"version","valid_from","policy":{...}} (malloc'd). */
int store_policy_get(db_conn *c, char **json);
/* Add a policy version holding doc_json (already validated by
 * policy_doc_parse); *json receives the same shape as store_policy_get. */
int store_policy_put(db_conn *c, const store_actor *who, const char *doc_json, char **json);

/* An asset (image_id > 0) or a repository (image_id 0, registry and
 * repository normalized). */
typedef struct store_scope {
	long long image_id;
	const char *registry;
	const char *repository;
} store_scope;

/* A hardening record; optional strings may be NULL. */
typedef struct store_hardening_in {
	const char *baseline;
	const char *benchmark;
	const char *validated_by;
	time_t validated_at;
	const char *evidence;
} store_hardening_in;

/*
 * Record a hardening baseline for the scope, replacing the current one
 * (kept as history). STORE_ERR_NOTFOUND when the asset does not exist.
 * *json: the same shape as store_hardening_get.
 */
int store_hardening_put(db_conn *c, const store_actor *who, const store_scope *s,
			const store_hardening_in *in, char **json);
/*
 * The hardening of a scope: {"scope":{...},"current":{...}|null,
 * "inherited":{...}|null (an asset's repository-wide record),
 * "history":[...newest first]}. STORE_ERR_NOTFOUND for an unknown asset.
 */
int store_hardening_get(db_conn *c, const store_scope *s, char **json);

/* Asset metadata: the same as hardening with a validated JSON document
 * (policy_doc_parse_metadata) in place of the record. */
int store_metadata_put(db_conn *c, const store_actor *who, const store_scope *s,
		       const char *doc_json, char **json);
int store_metadata_get(db_conn *c, const store_scope *s, char **json);

#endif
