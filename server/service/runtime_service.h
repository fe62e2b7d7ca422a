/*
 * runtime_service.h - one sensor snapshot from body to database: detect and
 * parse (a Kubernetes PodList or muster's own container list), resolve each
 * container's digest and reference with the identity rules, store it as the
 * truth for its scope.
 */
#ifndef MUSTER_RUNTIME_SERVICE_H
#define MUSTER_RUNTIME_SERVICE_H

#include <stddef.h>

#include "../store/runtime.h"

typedef struct runtime_options {
	const char *cluster;        /* ?cluster= (required for PodLists) */
	const char *namespace_;     /* ?namespace= scope, or NULL */
	const char *observed_at;    /* ?observed_at= override, or NULL */
	const char *const *moving_tags;
} runtime_options;

typedef struct runtime_result {
	int status;                 /* 201, or an error status */
	char code[32];
	char message[512];
	runtime_snapshot_out out;
	char cluster[256];
	time_t observed_at;
} runtime_result;

/* body is parsed in place and is garbage afterwards. */
void runtime_service_ingest(db_conn *db, const store_actor *who, char *body, size_t len,
			    const runtime_options *opt, runtime_result *res);
void runtime_result_free(runtime_result *res);

#endif
