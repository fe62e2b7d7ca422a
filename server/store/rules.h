/*
 * rules.h - the container rules of RULES.md section 3 (scan_window,
 * hardening, registry, kev) over the database: alert evaluation with its
 * webhook outbox, the compliance and alert lists, and the admission check
 * of a pod's images. The rules themselves are set-based SQL functions
 * (schema/004_rules.sql); every call here is one statement or one
 * transaction, never a statement per asset.
 */
#ifndef MUSTER_STORE_RULES_H
#define MUSTER_STORE_RULES_H

#include <stddef.h>
#include <time.h>

#include "inventory_reads.h"   /* store_page */
#include "store.h"

/*
 * Evaluate every rule for every production asset with a running
 * production container, at `now` (0 = the database's clock; a time before
 * the start of this transaction counts as that start, so that rows the
 * caller just committed are always seen). In one transaction under a
 * transaction advisory lock, so concurrent evaluators serialize: an alert
 * opens for each (asset, rule) that fails and has none open, and each open
 * alert whose rule holds again (or whose asset left production) is
 * resolved. Every alert opened or resolved writes one webhook_deliveries
 * row per live webhook in the same transaction (the outbox).
 * opened / resolved (either may be NULL) receive the counts.
 * Returns STORE_OK or a STORE_ERR_* code (nothing changed then).
 */
int store_rules_evaluate(db_conn *c, time_t now, int *opened, int *resolved);

/*
 * The same, but when another evaluator holds the lock it returns STORE_OK
 * at once with *ran = 0 (the periodic evaluator of each server instance
 * uses it so that exactly one instance evaluates at a time).
 */
int store_rules_evaluate_try(db_conn *c, time_t now, int *opened, int *resolved, int *ran);

/*
 * Every production asset in violation now, one page by asset id:
 * {"items":[{"image":{"id","uai"},"rules":[...],"since":{rule:time},
 *   "details":{rule:detail},"containers":N,"clusters":[...]}],"next":...,
 *  "evaluated_at":time}. *json is malloc'd (caller frees).
 */
int store_compliance_list(db_conn *c, const store_page *p, char **json);

typedef struct alert_filter {
	const char *status;       /* "open", "resolved" or NULL for both */
	const char *rule;         /* one rule name or NULL */
	long long image_id;       /* 0 = every asset */
} alert_filter;

/* Alerts, one page by id: {"items":[{"id","image":{"id","uai"},"rule",
 * "status","opened_at","resolved_at","detail"}],"next":...}. */
int store_alerts_list(db_conn *c, const alert_filter *f, const store_page *p, char **json);

/* One image of an admission request, already normalized (imageref). */
typedef struct rules_image_in {
	const char *registry;
	const char *repository;
	const char *tag;          /* "" when none */
	const char *digest;       /* "" when none */
} rules_image_in;

/*
 * Check the images of one admission request against the policy in force
 * now. cluster may be NULL (check whatever the scope); otherwise the
 * environment of (cluster, namespace) is returned and the caller skips
 * the verdict when it is not production. Each image is resolved to a
 * build: by its digest, else through its tag (a version tag: the asset's
 * most recently seen build; a moving tag or none: the most recently seen
 * build recorded under a moving tag of that repository); an image never
 * seen fails scan_window as never scanned.
 * *json (malloc'd, caller frees):
 * {"policy":{...},"environment":"production"|null,
 *  "images":[{"ord":1..n,"image_id","uai","build_id","digest",
 *             "violations":[{"rule","since","detail"}]}]}.
 */
int store_rules_admission(db_conn *c, const char *cluster, const char *namespace_,
			  const rules_image_in *images, size_t n, char **json);

#endif
