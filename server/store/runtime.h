/*
 * runtime.h - sensor snapshots into container instances. A snapshot is the
 * complete truth for its scope (a cluster, or one namespace of it):
 * instances absent from it end at the snapshot's time, new ones start, the
 * rest are touched. Containers link to builds through any digest form and
 * to assets through their reference; images never seen before are created
 * (UAI assigned) and stay "never scanned" until a scan arrives.
 */
#ifndef MUSTER_STORE_RUNTIME_H
#define MUSTER_STORE_RUNTIME_H

#include <stddef.h>
#include <time.h>

#include "store.h"

/* One container, already resolved as far as pure code can: normalized
 * digest and reference parts (any may be NULL). */
typedef struct runtime_row {
	const char *namespace_;
	const char *pod;
	const char *container;
	const char *kind;          /* "container", "init", "ephemeral" */
	const char *image_ref;     /* as reported */
	const char *registry;      /* normalized reference, when known */
	const char *repository;
	const char *version;       /* tag, or sha256-<12 hex> */
	int version_from_digest;
	const char *digest;        /* normalized, when known */
	const char *node;
	const char *started_at;    /* RFC 3339 or NULL */
} runtime_row;

typedef struct runtime_snapshot_in {
	const char *cluster;
	const char *namespace_;    /* scope: NULL = the whole cluster */
	time_t observed_at;
	const char *format;        /* "podlist" or "muster" */
	const char *sha256;
	const runtime_row *rows;
	size_t n_rows;
} runtime_snapshot_in;

typedef struct runtime_snapshot_out {
	long long snapshot_id;
	long long containers;      /* stored (resolved) containers */
	long long started;
	long long ended;
	long long unchanged;
	char *unresolved_json;     /* malloc'd JSON array of unresolved rows */
} runtime_snapshot_out;

/* STORE_ERR_CONFLICT when a newer snapshot of the scope exists. */
int store_runtime_snapshot(db_conn *c, const store_actor *who, const runtime_snapshot_in *in,
			   runtime_snapshot_out *out);

/* Set the environment of a cluster or a namespace pattern of it. */
int store_environment_set(db_conn *c, const store_actor *who, const char *cluster,
			  const char *pattern, const char *environment);
/* {"items":[{"cluster","namespace_pattern","environment","since"}]} */
int store_environments_list(db_conn *c, char **json);

typedef struct container_filter {
	const char *cluster;
	const char *namespace_;
	long long image_id;        /* 0 = any */
	int state;                 /* 0 any, 1 running, 2 ended */
	int production;            /* -1 any, 0 non-production, 1 production */
} container_filter;

struct store_page;
int store_containers_list(db_conn *c, const container_filter *f, const struct store_page *p,
			  char **json);

#endif
