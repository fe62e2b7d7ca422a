/*
 * admission.h - Kubernetes AdmissionReview requests (admission.k8s.io/v1):
 * who asks (uid, kind, namespace, name, operation) and which container
 * images the object would run, for the deployment check of RULES.md
 * section 3.  Pure parser; building the AdmissionReview response is the
 * HTTP layer's job.
 */
#ifndef MUSTER_ADMISSION_H
#define MUSTER_ADMISSION_H

#include <stddef.h>
#include <jansson.h>

#include "../util/arena.h"
#include "podlist.h"      /* rt_kind */
#include "scan_model.h"   /* ms_err, ms_error */

typedef struct adm_image {
	char *image;              /* the reference as written in the pod spec */
	char *container;          /* container name; NULL if absent */
	rt_kind kind;             /* container, init or ephemeral */
} adm_image;

typedef struct adm_request {
	arena mem;                /* owns every string and the images array */
	char *uid;                /* request.uid, echoed in the response */
	char *api_version;        /* "admission.k8s.io/v1" (or v1beta1), echoed */
	char *kind;               /* object kind: "Pod", "Deployment", ... */
	char *namespace_;
	char *name;               /* NULL for objects named by generateName */
	char *operation;          /* CREATE, UPDATE, DELETE, CONNECT */
	adm_image *images;
	size_t n_images, cap_images;
} adm_request;

/* Start an empty request / release everything it owns (and reset it). */
void adm_request_init(adm_request *q);
void adm_request_free(adm_request *q);

/*
 * Parse an AdmissionReview into out (initialized by the caller).
 *
 * The pod spec is found by kind (request.kind.kind, else
 * request.object.kind): Pod -> request.object.spec; Deployment, ReplicaSet,
 * StatefulSet, DaemonSet, Job, ReplicationController ->
 * request.object.spec.template.spec; CronJob ->
 * request.object.spec.jobTemplate.spec.template.spec.  Its containers,
 * initContainers and ephemeralContainers give one adm_image each, in that
 * order.  namespace and name come from the request, else from
 * request.object.metadata.  Other kinds, and requests without an object (DELETE), have no
 * images: the server allows them.
 *
 * Returns MS_OK, or:
 *   MS_ERR_FORMAT when root is not an AdmissionReview object (null body,
 *     wrong kind or apiVersion);
 *   MS_ERR_MISSING field "request" or "request.uid" when there is nothing
 *     to answer (no request, no uid);
 *   MS_ERR_MISSING naming e.g. "request.object.spec.containers[1].image"
 *     when a container has no image, a list has the wrong type, or an
 *     object of a listed kind has no pod spec at its path;
 *   MS_ERR_NOMEM.
 * Whenever the uid could be read, out->uid and out->api_version are set
 * even on failure, so the caller can still send a denial for that uid;
 * out->n_images is 0 on failure.
 */
ms_err admission_parse(adm_request *out, const json_t *root, ms_error *err);

#endif
