/*
 * podlist.h - the runtime snapshot model (which containers run where, with
 * which image) and its two input formats: a Kubernetes PodList as the API
 * server or the kubelet's /pods endpoint return it, and muster's own
 * sensor format.  Parsers are pure: an already parsed JSON document in, an
 * arena-backed snapshot out.
 */
#ifndef MUSTER_PODLIST_H
#define MUSTER_PODLIST_H

#include <stddef.h>
#include "../util/jdoc.h"

#include "../util/arena.h"
#include "scan_model.h"

typedef enum rt_kind {
	RT_CONTAINER = 0,         /* spec.containers */
	RT_INIT = 1,              /* spec.initContainers */
	RT_EPHEMERAL = 2          /* spec.ephemeralContainers (kubectl debug) */
} rt_kind;

/* One container seen running (or about to run).  Strings belong to the
 * snapshot's arena; absent values are NULL. */
typedef struct rt_container {
	char *namespace_;
	char *pod;
	char *container;
	rt_kind kind;
	char *image;              /* reference as in the status (or spec); NULL only
	                             for PodList entries whose image is unknown or a
	                             "..." placeholder */
	char *image_id;           /* raw imageID / digest as reported; NULL if empty */
	char *node;
	char *started_at;         /* RFC 3339 or NULL */
	char *cluster;            /* own format only, NULL otherwise */
} rt_container;

typedef struct rt_snapshot {
	arena mem;                /* owns observed_at, items and every string */
	char *observed_at;        /* own format only; NULL for PodLists */
	rt_container *items;
	size_t n, cap;
} rt_snapshot;

/* Start an empty snapshot / release everything it owns (and reset it). */
void rt_snapshot_init(rt_snapshot *s);
void rt_snapshot_free(rt_snapshot *s);

/* "container", "init" or "ephemeral" (static string). */
const char *rt_kind_name(rt_kind k);

/*
 * Does root look like Kubernetes pods?  1 for an object with kind
 * "PodList", kind "Pod", or kind "List" whose items are Pods (every
 * non-empty item object has kind "Pod"; an empty List counts too), else 0.
 */
int podlist_detect(const jd_value *root);

/*
 * Append the present containers of a PodList, List of Pods or single Pod
 * to out (initialized by the caller).
 *
 * Per pod: metadata.namespace and metadata.name, spec.nodeName, then the
 * entries of status.containerStatuses, initContainerStatuses and
 * ephemeralContainerStatuses (name, image, imageID, startedAt of the
 * running or terminated state), then the spec containers of each kind that
 * have no status yet (a Pending pod), with image_id NULL.  null and {}
 * items are skipped.  The image is the status image when it is a valid
 * reference, else the spec image of the same container (containerd shows
 * a pinned image as "sha256:<id>" in the status), else the status image.
 * An imageID or image of "" or the placeholder "..." is NULL.
 *
 * Which containers are present: see the comment above container_present()
 * in podlist.c (running ones, and every container of a pod that is not
 * Succeeded or Failed).
 *
 * Returns MS_OK; MS_ERR_FORMAT when root is not pods; MS_ERR_MISSING
 * (err->field names e.g. "items[2].metadata.name") when a pod or container
 * has no name or a list has the wrong type; MS_ERR_NOMEM.  On failure
 * out->n is reset to 0 (memory stays in out->mem until rt_snapshot_free).
 */
ms_err podlist_parse(rt_snapshot *out, const jd_value *root, ms_error *err);

/*
 * Parse muster's own snapshot format into out (initialized by the caller):
 *
 *   { "observed_at": "2025-08-25T17:04:19Z",            (optional, RFC 3339)
 *     "containers": [ { "cluster", "namespace", "pod", "container",
 *                       "image", "image_id", "node", "started_at",
 *                       "kind": "container" | "init" | "ephemeral" } ] }
 *
 * Every member is an optional string (null = absent) except: "image" is
 * required and must be a valid reference; "image_id" is required unless
 * the image is pinned by digest, and must be a digest in a form
 * digest_normalize accepts; "kind" defaults to "container"; "started_at"
 * must be RFC 3339 when given.  image_id is stored as sent.
 *
 * Returns MS_OK; MS_ERR_FORMAT when root is not an object with a
 * "containers" array; MS_ERR_MISSING naming the member, e.g.
 * "containers[3].image"; MS_ERR_NOMEM.  On failure out->n is reset to 0.
 */
ms_err runtime_own_parse(rt_snapshot *out, const jd_value *root, ms_error *err);

#endif
