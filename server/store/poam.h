/*
 * poam.h - the POA&M over the database (RULES.md 5): the lifecycle that
 * opens, extends and closes items after each scan and runtime snapshot
 * (set-based SQL in schema/006_poam.sql, scoped to the repositories the
 * write touched and serialized per repository with transaction advisory
 * locks), deviation requests and decisions, item edits and vendor
 * check-ins (each one event in poam_events), and the JSON reads of the
 * API. Every change is an event; the item rows cache the fold of them.
 */
#ifndef MUSTER_STORE_POAM_H
#define MUSTER_STORE_POAM_H

#include <stddef.h>
#include <time.h>

#include "../policy/poam_rules.h"
#include "inventory_reads.h"   /* store_page */
#include "store.h"

/* What one lifecycle run changed. */
typedef struct store_poam_counts {
	long long opened;    /* new items (V-ids drawn) */
	long long changed;   /* items whose assets changed or whose fix appeared */
	long long closed;
	long long kev;       /* items whose KEV columns changed */
} store_poam_counts;

/*
 * Run the lifecycle for the repositories scan_id touched (the assets of its
 * build and of the production containers running it), at the scan's
 * scanned_at, in one transaction. Call it after the scan's transaction has
 * committed. out may be NULL. Returns STORE_OK, STORE_ERR_NOTFOUND for an
 * unknown scan, or another STORE_ERR_* code (nothing changed then).
 */
int store_poam_update_after_scan(db_conn *c, long long scan_id, store_poam_counts *out);

/*
 * The same for a runtime snapshot: the repositories of the containers
 * that started or ended in it, at its observed_at.
 */
int store_poam_update_after_snapshot(db_conn *c, long long snapshot_id, store_poam_counts *out);

/*
 * After the environments of a cluster changed (a scope became production
 * or stopped being it): the lifecycle for the repositories of the
 * containers running in that cluster, at now (or the newest fact when
 * later), in batches of repositories.
 */
int store_poam_update_after_environment(db_conn *c, const char *cluster, time_t now, store_poam_counts *out);

/*
 * Reconcile everything: every repository with a running container or an
 * open item, in batches of repositories (one transaction each), then the
 * KEV columns of every open item. The time used is the later of now and
 * the newest fact recorded (event, scan, snapshot): facts never go back
 * in time.
 * For the periodic evaluation and after a change of environments.
 */
int store_poam_evaluate(db_conn *c, time_t now, store_poam_counts *out);

/*
 * The periodic full evaluation shared by every server on the database:
 * runs store_poam_evaluate when no server started one in the last
 * every_minutes (claimed in job_runs, so exactly one server runs each
 * round; a run that never finished, its server stopped or failed, may be
 * claimed again after an hour) and records when it finished and what it
 * changed. *ran is 1 when this call ran it. Returns STORE_OK or a
 * STORE_ERR_* code.
 */
int store_poam_evaluate_periodic(db_conn *c, int every_minutes, int *ran, store_poam_counts *out);

/*
 * Re-evaluate the KEV columns of every open item against kev_entries (after
 * a catalog import), in batches of repositories. *changed (may be NULL)
 * receives the number of items changed.
 */
int store_poam_kev_refresh(db_conn *c, time_t now, long long *changed);

/* --- reads (JSON texts, caller frees) --- */

typedef struct poam_filter {
	const char *status;      /* "open", "closed" or NULL */
	const char *risk;        /* current rating "High"... or NULL */
	int late;                /* -1 any, 0 not late, 1 late */
	int kev;                 /* -1 any, 0 not listed, 1 listed */
	long long image_id;      /* 0 any, else items listing that asset */
	const char *weakness;    /* weakness or one of its aliases, or NULL */
	time_t as_of;            /* lateness is evaluated at this time */
} poam_filter;

/* One page by item id: {"items":[item...],"next":cursor|null}. */
int store_poam_list(db_conn *c, const poam_filter *f, const store_page *p, char **json);
/* One item with "history" (events), "deviations" and "checkins". */
int store_poam_get(db_conn *c, long long id, time_t as_of, char **json);

/* --- writes: each in one transaction under the item's repository lock --- */

/*
 * Set editable fields of an item: delta_json is a JSON object whose keys
 * are among point_of_contact, resources_required, remediation_plan,
 * planned_milestones, milestone_changes, comments, service_name (the
 * caller validates it). at = 0 means now; an earlier time than the item's
 * last event is moved up to it.
 */
int store_poam_edit(db_conn *c, const store_actor *who, long long id, const char *delta_json, time_t at);

/* Record a vendor check-in (open items only: STORE_ERR_CONFLICT when closed). */
int store_poam_checkin(db_conn *c, const store_actor *who, long long id, time_t at, const char *note);

typedef struct poam_dev_request {
	poam_dev_type type;
	int has_adjusted;
	risk_rating adjusted;
	const char *rationale;
	const char *const *documents;
	size_t ndocuments;
	time_t at;               /* 0 = now */
} poam_dev_request;

/*
 * Record a deviation request (status pending) and its effect on the
 * item's columns. *n_out receives its number. When the rules refuse it,
 * returns STORE_ERR_INVALID with *why set (nothing stored);
 * STORE_ERR_NOTFOUND for an unknown item.
 */
int store_poam_deviation_request(db_conn *c, const store_actor *who, long long id,
				 const poam_dev_request *rq, int *n_out, poam_dev_err *why);

/*
 * Record the authorizing official's decision on request n and apply it:
 * an approved risk adjustment sets the adjusted rating, an approved false
 * positive closes the item, an approved operational requirement keeps it
 * open. STORE_ERR_INVALID with *why when refused; STORE_ERR_NOTFOUND for an
 * unknown item or request.
 */
int store_poam_deviation_decide(db_conn *c, const store_actor *who, long long id, int n,
				int approve, const char *official, time_t at, poam_dev_err *why);

#endif
