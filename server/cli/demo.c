/*
 * demo.c - `muster demo [--scale N] [--days D] [--seed S] [--verbose]`:
 * fill an empty database with a generated but realistic system, so that
 * a newcomer sees a populated dashboard within a minute of the first
 * start (scripts/run --demo).
 *
 * The generator replays D days (default 91) of history in weekly steps:
 * 100 x N repositories over four registries, each releasing a new version
 * every 3 to 8 weeks, deployed to staging first and to two production
 * clusters a week later; Trivy reports of the running builds (weekly,
 * monthly, stopped or never, by repository) and Kubernetes PodList
 * snapshots of every cluster at each step. Everything goes in through the
 * same functions as the API: scan_service_ingest with Trivy JSON,
 * runtime_service_ingest with PodLists, the POA&M lifecycle after each of
 * them (dated by the report's time, so the trend has history), the KEV
 * import, environments, policy, hardening, system settings, deviation
 * requests and decisions, vendor check-ins and a final rule evaluation.
 * The only writes of its own (store/demo_seed.h) check that the database
 * is empty and date the environments back to the start of the history.
 * The same seed gives the same system. The services' per-report log lines
 * go to stderr, which is muted while generating unless --verbose; the
 * demo's own messages go to stdout.
 */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <fcntl.h>

#include "../ingest/kev.h"
#include "../policy/policy_doc.h"
#include "../service/runtime_service.h"
#include "../service/scan_service.h"
#include "../store/demo_seed.h"
#include "../store/kev_store.h"
#include "../store/poam.h"
#include "../store/rules.h"
#include "../store/runtime.h"
#include "../store/settings.h"
#include "../store/system_settings.h"
#include "../util/crypto.h"
#include "../util/parse.h"
#include "../util/timeutil.h"
#include "cli.h"

#define DEMO_STEP (7 * 86400)         /* one step of the history: a week */
#define DEMO_REPOS_PER_SCALE 100
#define DEMO_MAX_VERSIONS 12
#define DEMO_MAX_VULNS 96             /* findings of one generated report, at most */
#define DEMO_POOL 480                 /* generated weaknesses, besides the KEV ones */

typedef enum { CAD_WEEKLY, CAD_MONTHLY, CAD_STOPPED, CAD_NEVER } cadence;

typedef struct demo_repo {
	char registry[32];
	char repository[64];
	const char *os_family, *os_version;
	int cadence;
	int prod_east, prod_west;     /* deployed there */
	int replicas;
	int major, minor;
	int nversions;
	int release[DEMO_MAX_VERSIONS];   /* step of each version's release; v0 before the start */
	int kev;                      /* index into kev_vulns + 1, or 0 */
	int kev_fixed_in;             /* version that drops the KEV weakness (> nversions: never) */
	uint64_t seed;
} demo_repo;

typedef struct demo_vuln {
	char id[24];
	const char *pkg;
	const char *installed, *fixed;   /* fixed "" = no fix yet (vendor dependency) */
	const char *severity;
	double score;
} demo_vuln;

typedef struct demo {
	db_conn *db;
	store_actor who;
	int scale, days, steps, verbose;
	uint64_t seed;
	time_t now, t0;
	demo_repo *repos;
	int nrepos;
	demo_vuln pool[DEMO_POOL];
	long long scans, findings, snapshots;
} demo;

/* --- deterministic randomness (xorshift64) --- */

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static int rng_int(uint64_t *s, int n)
{
	return n > 0 ? (int)(rng_next(s) % (uint64_t)n) : 0;
}

static uint64_t mix(uint64_t a, uint64_t b)
{
	uint64_t s = a * 0x9E3779B97F4A7C15ull ^ (b + 0x632BE59BD9B4E019ull);

	rng_next(&s);
	return s ? s : 1;
}

/* --- the generated world --- */

static const char *const registries[] = {"registry.example.gov", "ghcr.io", "docker.io", "quay.io"};
static const char *const teams[] = {"platform", "payments", "identity", "data", "web", "ops", "ml", "search"};
static const char *const services[] = {
	"api-gateway", "auth", "billing", "ledger", "notifier", "scheduler", "search-indexer",
	"frontend", "reports", "audit-log", "session-store", "metrics-agent", "log-shipper",
	"config-service", "user-profile", "catalog", "checkout", "inventory", "recommendation",
	"image-resizer", "pdf-renderer", "mailer", "webhook-relay", "rate-limiter", "feature-flags",
	"backup-agent", "etl-worker", "stream-processor", "admin-console", "docs-site",
};
#define NSERVICES (sizeof(services) / sizeof(services[0]))

static const char *const os_pkgs[] = {
	"openssl", "libssl3", "zlib1g", "libc6", "curl", "libcurl4", "bash", "ncurses-base",
	"libxml2", "libexpat1", "sqlite3", "busybox", "musl", "python3.11", "perl-base", "openssh-client",
	"git", "tar", "gzip", "krb5-libs", "gnutls", "libgcrypt20", "libpcre2-8-0", "systemd",
	"util-linux", "e2fsprogs", "login", "libtasn1-6", "nghttp2", "libwebp7",
};
static const char *const app_pkgs[] = {
	"golang.org/x/net", "golang.org/x/crypto", "google.golang.org/grpc", "github.com/docker/docker",
	"jackson-databind", "netty-codec-http", "spring-web", "snakeyaml", "requests", "urllib3",
	"cryptography", "jinja2", "express", "lodash", "semver", "axios",
};
static const char *const versions_txt[] = {"1.0.2", "2.4.1", "3.0.11", "1.1.1w", "0.9.8", "5.2.0", "7.81.0", "2.36"};
static const char *const fixes_txt[] = {"1.0.3", "2.4.2", "3.0.12", "1.1.1x", "0.9.9", "5.2.1", "7.88.1", "2.37"};

/* Real CISA KEV entries (catalog 2025.08.25) and the packages they hit. */
static const struct {
	const char *cve, *vendor, *product, *name, *added, *due, *pkg, *installed, *fixed;
} kev_vulns[] = {
	{"CVE-2021-44228", "Apache", "Log4j2", "Apache Log4j2 Remote Code Execution Vulnerability",
	 "2021-12-10", "2021-12-24", "log4j-core", "2.14.1", "2.15.0"},
	{"CVE-2022-22965", "VMware", "Spring Framework",
	 "Spring Framework JDK 9+ Remote Code Execution Vulnerability", "2022-04-04", "2022-04-25",
	 "spring-beans", "5.3.17", "5.3.18"},
	{"CVE-2023-4863", "Google", "Chromium WebP", "Google Chromium WebP Heap-Based Buffer Overflow Vulnerability",
	 "2023-09-13", "2023-10-04", "libwebp7", "1.2.4-0.2", "1.2.4-0.2+deb12u1"},
	{"CVE-2021-3156", "Sudo", "Sudo", "Sudo Heap-Based Buffer Overflow Vulnerability",
	 "2022-04-06", "2022-04-27", "sudo", "1.8.31-1", "1.8.31-1ubuntu1.2"},
	{"CVE-2023-44487", "IETF", "HTTP/2", "HTTP/2 Rapid Reset Attack Vulnerability",
	 "2023-10-10", "2023-10-31", "golang.org/x/net", "0.15.0", ""},
	{"CVE-2023-4911", "GNU", "GNU C Library", "GNU C Library Buffer Overflow Vulnerability",
	 "2023-11-21", "2023-12-12", "libc6", "2.36-9+deb12u1", "2.36-9+deb12u3"},
};
#define NKEV (sizeof(kev_vulns) / sizeof(kev_vulns[0]))

static void make_pool(demo *d)
{
	static const char *const sev[] = {"CRITICAL", "HIGH", "HIGH", "MEDIUM", "MEDIUM", "MEDIUM", "MEDIUM",
					  "LOW", "LOW", "LOW"};
	static const double base[] = {9.1, 7.5, 7.8, 5.3, 6.1, 4.7, 5.9, 3.1, 2.4, 3.7};
	uint64_t s = mix(d->seed, 0xC0FFEE);
	int i;

	for (i = 0; i < DEMO_POOL; i++) {
		demo_vuln *v = &d->pool[i];
		int k = rng_int(&s, 10), p = rng_int(&s, 8);

		snprintf(v->id, sizeof(v->id), "CVE-%d-%d", 2023 + rng_int(&s, 3), 21000 + i * 37 % 9000 + i);
		v->pkg = i % 4 == 3 ? app_pkgs[rng_int(&s, (int)(sizeof(app_pkgs) / sizeof(app_pkgs[0])))]
				    : os_pkgs[rng_int(&s, (int)(sizeof(os_pkgs) / sizeof(os_pkgs[0])))];
		v->installed = versions_txt[p];
		v->fixed = rng_int(&s, 100) < 15 ? "" : fixes_txt[p];
		v->severity = sev[k];
		v->score = base[k];
	}
}

static void make_repos(demo *d)
{
	static const char *const os[][2] = {{"debian", "12.5"}, {"alpine", "3.19.1"}, {"redhat", "9.3"}};
	int i, j;

	for (i = 0; i < d->nrepos; i++) {
		demo_repo *r = &d->repos[i];
		uint64_t s = mix(d->seed, (uint64_t)i + 1);
		int reg = i % 20 < 11 ? 0 : i % 20 < 15 ? 1 : i % 20 < 18 ? 2 : 3, c = rng_int(&s, 100), o = rng_int(&s, 10);
		int suffix = i / (int)(8 * NSERVICES);

		snprintf(r->registry, sizeof(r->registry), "%s", registries[reg]);
		if (suffix)
			snprintf(r->repository, sizeof(r->repository), "%s/%s-%d", teams[i % 8],
				 services[(i / 8) % NSERVICES], suffix + 1);
		else
			snprintf(r->repository, sizeof(r->repository), "%s/%s", teams[i % 8], services[(i / 8) % NSERVICES]);
		r->os_family = os[o < 5 ? 0 : o < 8 ? 1 : 2][0];
		r->os_version = os[o < 5 ? 0 : o < 8 ? 1 : 2][1];
		r->cadence = c < 70 ? CAD_WEEKLY : c < 85 ? CAD_MONTHLY : c < 95 ? CAD_STOPPED : CAD_NEVER;
		r->prod_east = rng_int(&s, 100) < 85;
		r->prod_west = rng_int(&s, 100) < 45;
		r->replicas = 1 + rng_int(&s, 3);
		r->major = 1 + rng_int(&s, 3);
		r->minor = rng_int(&s, 20);
		r->release[0] = -1;
		for (j = 1; j < DEMO_MAX_VERSIONS; j++) {
			r->release[j] = r->release[j - 1] + 3 + rng_int(&s, 6);
			if (r->release[j] > d->steps)
				break;
		}
		r->nversions = j;
		r->kev = rng_int(&s, 100) < 9 ? 1 + rng_int(&s, (int)NKEV) : 0;
		r->kev_fixed_in = 1 + rng_int(&s, 4);
		r->seed = s;
	}
}

/* The version (index) a cluster runs at step s: staging takes a release at
 * once, production one step later; -1 when nothing is deployed yet. */
static int running_version(const demo_repo *r, int s, int production)
{
	int v = -1, j;

	for (j = 0; j < r->nversions; j++)
		if (r->release[j] + (production ? 1 : 0) <= s)
			v = j;
	return v;
}

static void tag_of(const demo_repo *r, int v, char *out, size_t len)
{
	snprintf(out, len, "%d.%d.%d", r->major, r->minor + v, v == 0 ? 3 : 0);
}

/* The manifest ("m") or config ("c") digest of a build, as 64 hex digits. */
static void digest_of(const demo_repo *r, int v, char kind, char out[CRYPTO_SHA256_HEX])
{
	char in[256];
	int n = snprintf(in, sizeof(in), "muster-demo:%s/%s:%d:%c", r->registry, r->repository, v, kind);

	crypto_sha256_hex(in, (size_t)n, out);
}

/* --- reports --- */

static json_t *vuln_json(const char *id, const char *pkg, const char *installed, const char *fixed,
			 const char *severity, double score, const char *title)
{
	char url[96];

	snprintf(url, sizeof(url), "https://avd.aquasec.com/nvd/%s", id);
	return json_pack("{ss ss ss ss ss ss ss ss s{s{sssf}} ss}",
			 "VulnerabilityID", id, "PkgName", pkg, "InstalledVersion", installed,
			 "FixedVersion", fixed, "Status", *fixed ? "fixed" : "affected",
			 "Severity", severity, "PrimaryURL", url, "Title", title,
			 "CVSS", "nvd", "V3Vector", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score", score,
			 "PublishedDate", "2024-01-15T12:00:00Z");
}

/* Add pool entry k to the array once (a finding is unique per package). */
static void add_pool(json_t *arr, const demo *d, int k, char *seen)
{
	const demo_vuln *v = &d->pool[k];
	char title[128];

	if (seen[k])
		return;
	seen[k] = 1;
	snprintf(title, sizeof(title), "%s: flaw found in %s allows a crafted input to cause harm", v->pkg, v->pkg);
	json_array_append_new(arr, vuln_json(v->id, v->pkg, v->installed, v->fixed, v->severity, v->score, title));
}

/*
 * The findings of build (r, v) scanned at step s: the repository's base
 * weaknesses still present in version v, the version's own, weaknesses
 * disclosed since its release, and the repository's KEV weakness until the
 * version that fixes it.
 */
static json_t *findings_of(const demo *d, const demo_repo *r, int v, int s)
{
	json_t *arr = json_array();
	char seen[DEMO_POOL];
	uint64_t rs = mix(r->seed, 1), vs = mix(r->seed, 100 + (uint64_t)v);
	int nbase = 4 + rng_int(&rs, 7), nown = 2 + rng_int(&vs, 7), i, k;

	if (!arr)
		return NULL;
	memset(seen, 0, sizeof(seen));
	for (i = 0; i < nbase; i++) {
		int idx = rng_int(&rs, DEMO_POOL), fixed_in = 1 + rng_int(&rs, 4);

		if (v < fixed_in)
			add_pool(arr, d, idx, seen);
	}
	for (i = 0; i < nown; i++)
		add_pool(arr, d, rng_int(&vs, DEMO_POOL), seen);
	for (k = r->release[v] + 1; k <= s && json_array_size(arr) < DEMO_MAX_VULNS; k++) {
		uint64_t ks = mix(vs, (uint64_t)k + 1000);

		if (rng_int(&ks, 100) < 30)
			add_pool(arr, d, rng_int(&ks, DEMO_POOL), seen);
	}
	if (r->kev && v < r->kev_fixed_in) {
		int j = r->kev - 1;

		json_array_append_new(arr, vuln_json(kev_vulns[j].cve, kev_vulns[j].pkg, kev_vulns[j].installed,
						     kev_vulns[j].fixed, "CRITICAL", 9.8, kev_vulns[j].name));
	}
	return arr;
}

static char *trivy_report(const demo *d, const demo_repo *r, int v, int s, time_t at)
{
	char tag[32], ref[160], repo_ref[160], mdig[CRYPTO_SHA256_HEX], cdig[CRYPTO_SHA256_HEX];
	char digest_ref[260], config[80], when[32], target[200];
	json_t *vulns = findings_of(d, r, v, s), *doc;
	char *out;

	if (!vulns)
		return NULL;
	tag_of(r, v, tag, sizeof(tag));
	digest_of(r, v, 'm', mdig);
	digest_of(r, v, 'c', cdig);
	snprintf(repo_ref, sizeof(repo_ref), "%s/%s", r->registry, r->repository);
	snprintf(ref, sizeof(ref), "%s:%s", repo_ref, tag);
	snprintf(digest_ref, sizeof(digest_ref), "%s@sha256:%s", repo_ref, mdig);
	snprintf(config, sizeof(config), "sha256:%s", cdig);
	snprintf(target, sizeof(target), "%s (%s %s)", ref, r->os_family, r->os_version);
	time_format_rfc3339(at, when, sizeof(when));
	doc = json_pack("{si ss ss ss s{s{ssss} ss s[s] s[s] s{ss}} s[{ss ss ss so}]}",
			"SchemaVersion", 2, "CreatedAt", when, "ArtifactName", ref, "ArtifactType", "container_image",
			"Metadata", "OS", "Family", r->os_family, "Name", r->os_version, "ImageID", config,
			"RepoTags", ref, "RepoDigests", digest_ref, "ImageConfig", "architecture", "amd64",
			"Results", "Target", target, "Class", "os-pkgs", "Type", r->os_family, "Vulnerabilities", vulns);
	if (!doc)
		return NULL;
	out = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return out;
}

/* One pod of the PodList. */
static json_t *pod_json(const demo_repo *r, const char *ns, int v, int replica, time_t started)
{
	char tag[32], image[200], image_id[300], mdig[CRYPTO_SHA256_HEX], name[160], when[32];
	const char *svc = strchr(r->repository, '/') ? strchr(r->repository, '/') + 1 : r->repository;

	tag_of(r, v, tag, sizeof(tag));
	digest_of(r, v, 'm', mdig);
	snprintf(image, sizeof(image), "%s/%s:%s", r->registry, r->repository, tag);
	snprintf(image_id, sizeof(image_id), "docker-pullable://%s/%s@sha256:%s", r->registry, r->repository, mdig);
	snprintf(name, sizeof(name), "%s-%.10s-%c%c%c%c%c", svc, mdig, 'a' + replica, mdig[20], mdig[30], mdig[40], mdig[50]);
	time_format_rfc3339(started, when, sizeof(when));
	return json_pack("{s{ssss} s{ss s[{ssss}]} s{ss s[{ss ss ss sb s{s{ss}}}]}}",
			 "metadata", "namespace", ns, "name", name,
			 "spec", "nodeName", "node-1", "containers", "name", svc, "image", image,
			 "status", "phase", "Running", "containerStatuses", "name", svc, "image", image,
			 "imageID", image_id, "ready", 1, "state", "running", "startedAt", when);
}

/* --- steps --- */

static time_t step_time(const demo *d, int s)
{
	return d->now - 3600 - (time_t)(d->steps - s) * DEMO_STEP;
}

static int post_snapshot(demo *d, const char *cluster, int production, int s)
{
	json_t *doc = json_pack("{ssss s[]}", "apiVersion", "v1", "kind", "PodList", "items");
	json_t *items = json_object_get(doc, "items");
	char when[32], *body = NULL;
	runtime_options opt;
	runtime_result res;
	int i, k, rc = -1;

	if (!doc)
		return -1;
	for (i = 0; i < d->nrepos; i++) {
		const demo_repo *r = &d->repos[i];
		int v;

		if (production && !(!strcmp(cluster, "prod-east") ? r->prod_east : r->prod_west))
			continue;
		v = running_version(r, s, production);
		if (v < 0)
			continue;
		for (k = 0; k < r->replicas; k++) {
			/* the team is the namespace */
			json_t *p = pod_json(r, teams[i % 8], v, k, step_time(d, r->release[v] < 0 ? 0 : r->release[v]));

			if (!p)
				goto cleanup;
			json_array_append_new(items, p);
		}
	}
	body = json_dumps(doc, JSON_COMPACT);
	if (!body)
		goto cleanup;
	memset(&opt, 0, sizeof(opt));
	time_format_rfc3339(step_time(d, s), when, sizeof(when));
	opt.cluster = cluster;
	opt.observed_at = when;
	runtime_service_ingest(d->db, &d->who, body, strlen(body), &opt, &res);
	if (res.status != 201) {
		printf("muster: demo: snapshot of %s: %d %s\n", cluster, res.status, res.message);
		runtime_result_free(&res);
		goto cleanup;
	}
	rc = store_poam_update_after_snapshot(d->db, res.out.snapshot_id, NULL);
	runtime_result_free(&res);
	if (rc)
		printf("muster: demo: POA&M update after a snapshot failed\n");
	d->snapshots++;
cleanup:
	free(body);
	json_decref(doc);
	return rc;
}

static int post_scan(demo *d, const demo_repo *r, int v, int s)
{
	time_t at = step_time(d, s) + 1800;
	char when[32], *body = trivy_report(d, r, v, s, at);
	scan_options opt;
	scan_result res;
	size_t i;
	int rc = 0;

	if (!body)
		return -1;
	memset(&opt, 0, sizeof(opt));
	time_format_rfc3339(at, when, sizeof(when));
	opt.scanned_at = when;
	scan_service_ingest(d->db, &d->who, body, strlen(body), &opt, &res);
	if (res.status != 201 && res.status != 200) {
		printf("muster: demo: scan of %s/%s: %d %s\n", r->registry, r->repository,
			res.status, res.message);
		rc = -1;
	}
	for (i = 0; i < res.n_scans && rc == 0; i++) {
		d->scans++;
		d->findings += res.scans[i].findings;
		rc = store_poam_update_after_scan(d->db, res.scans[i].scan_id, NULL);
		if (rc)
			printf("muster: demo: POA&M update after a scan failed\n");
	}
	scan_result_free(&res);
	free(body);
	return rc;
}

/* Does repository r scan at step s (a release is always scanned, except by
 * repositories that never scan)? */
static int scans_at(const demo *d, const demo_repo *r, int i, int s)
{
	switch (r->cadence) {
	case CAD_WEEKLY:
		return 1;
	case CAD_MONTHLY:
		return (s + i) % 4 == 0;
	case CAD_STOPPED:
		return s < d->steps - 5;
	default:
		return 0;
	}
}

static int run_step(demo *d, int s)
{
	static const char *const clusters[] = {"prod-east", "prod-west", "staging"};
	int c, i;

	for (c = 0; c < 3; c++)
		if (post_snapshot(d, clusters[c], c < 2, s))
			return -1;
	for (i = 0; i < d->nrepos; i++) {
		const demo_repo *r = &d->repos[i];
		int vs = running_version(r, s, 0), vp = running_version(r, s, 1);
		int released = vs >= 0 && r->release[vs] == s;

		if (r->cadence == CAD_NEVER || (r->cadence == CAD_STOPPED && s >= d->steps - 5))
			continue;
		if (vs >= 0 && (released || scans_at(d, r, i, s)) && post_scan(d, r, vs, s))
			return -1;
		if (vp >= 0 && vp != vs && scans_at(d, r, i, s) && post_scan(d, r, vp, s))
			return -1;
	}
	return 0;
}

/* --- configuration --- */

static int import_kev(demo *d)
{
	json_t *doc = json_pack("{ss ss si s[]}", "catalogVersion", "2025.08.25",
				"dateReleased", "2025-08-25T17:04:19.9796Z", "count", (int)NKEV, "vulnerabilities");
	kev_catalog cat;
	ms_error err;
	size_t i;
	int rc = -1;

	if (!doc)
		return -1;
	for (i = 0; i < NKEV; i++)
		json_array_append_new(json_object_get(doc, "vulnerabilities"),
			json_pack("{ss ss ss ss ss ss ss}", "cveID", kev_vulns[i].cve,
				  "vendorProject", kev_vulns[i].vendor, "product", kev_vulns[i].product,
				  "vulnerabilityName", kev_vulns[i].name, "dateAdded", kev_vulns[i].added,
				  "dueDate", kev_vulns[i].due, "knownRansomwareCampaignUse", "Unknown"));
	kev_catalog_init(&cat);
	memset(&err, 0, sizeof(err));
	if (kev_parse(&cat, doc, &err) == MS_OK && store_kev_import(d->db, &d->who, &cat, NULL, NULL) == STORE_OK)
		rc = 0;
	kev_catalog_free(&cat);
	json_decref(doc);
	return rc;
}

static int configure(demo *d)
{
	static const char policy[] =
		"{\"scan_window_days\":30,\"allowed_registries\":[\"registry.example.gov\",\"ghcr.io\",\"docker.io\"],"
		"\"require_hardening\":true,\"admission_mode\":\"enforce\",\"moving_tags\":[\"latest\"]}";
	policy_doc pd;
	policy_doc_error perr;
	json_t *pj, *norm;
	char *doc = NULL, *out = NULL;
	int i, rc;

	if (store_system_put(d->db, &d->who, "Example Cloud Service (demo)", "Example CSP, Inc.", "Moderate", NULL) ||
	    import_kev(d) ||
	    store_environment_set(d->db, &d->who, "prod-east", "*", "production") ||
	    store_environment_set(d->db, &d->who, "prod-west", "*", "production") ||
	    store_environment_set(d->db, &d->who, "staging", "*", "staging") ||
	    store_demo_backdate_environments(d->db, d->t0 - 86400))
		return -1;
	policy_doc_init(&pd);
	pj = json_loads(policy, 0, NULL);
	rc = pj && policy_doc_parse(&pd, pj, &perr) == 0 && (norm = policy_doc_to_json(&pd)) != NULL ? 0 : -1;
	json_decref(pj);
	if (rc == 0) {
		doc = json_dumps(norm, JSON_COMPACT);
		json_decref(norm);
		rc = doc && store_policy_put(d->db, &d->who, doc, &out) == STORE_OK ? 0 : -1;
	}
	free(doc);
	free(out);
	policy_doc_free(&pd);
	for (i = 0; i < d->nrepos && rc == 0; i++) {
		const demo_repo *r = &d->repos[i];
		store_scope sc = {0, r->registry, r->repository};
		store_hardening_in h;
		char *json = NULL;

		if (mix(r->seed, 77) % 100 >= 85)
			continue;   /* 15% have no recorded baseline */
		memset(&h, 0, sizeof(h));
		h.baseline = !strcmp(r->os_family, "redhat") ? "DISA STIG for Red Hat Enterprise Linux 9 V2R1"
							      : "CIS Docker Benchmark v1.6.0";
		h.benchmark = "NIST National Checklist Program";
		h.validated_by = "ISSO (demo)";
		h.validated_at = d->t0;
		rc = store_hardening_put(d->db, &d->who, &sc, &h, &json) == STORE_OK ? 0 : -1;
		free(json);
	}
	return rc;
}

/* Deviation requests and decisions, and vendor check-ins, on open items. */
static int deviations(demo *d)
{
	static const char *const evidence[] = {"Vendor advisory and configuration review (demo).pdf"};
	poam_filter f;
	store_page p = {200, NULL};
	char *json = NULL;
	json_t *doc = NULL, *items, *it;
	size_t i;
	int n, nh = 0, nm = 0, nv = 0, rc;

	memset(&f, 0, sizeof(f));
	f.status = "open";
	f.late = -1;
	f.kev = -1;
	f.as_of = d->now;
	rc = store_poam_list(d->db, &f, &p, &json);
	if (rc)
		return rc == STORE_ERR_NOTFOUND ? 0 : -1;
	doc = json_loads(json, 0, NULL);
	free(json);
	items = json_object_get(doc, "items");
	json_array_foreach(items, i, it) {
		long long id = json_integer_value(json_object_get(it, "id"));
		const char *risk = json_string_value(json_object_get(it, "original_risk"));
		int vendor = json_is_true(json_object_get(it, "vendor_dependency"));
		poam_dev_request rq;
		poam_dev_err why;

		if (!risk)
			continue;
		memset(&rq, 0, sizeof(rq));
		rq.documents = evidence;
		rq.ndocuments = 1;
		if (!strcmp(risk, "High") && nh < 3) {
			rq.type = POAM_DEV_RISK_ADJUSTMENT;
			rq.has_adjusted = 1;
			rq.adjusted = RISK_MODERATE;
			rq.rationale = "The vulnerable code path is not reachable: the service runs behind the"
				       " authenticating gateway and the affected parser is disabled in its configuration.";
			if (store_poam_deviation_request(d->db, &d->who, id, &rq, &n, &why) == STORE_OK && nh == 0)
				store_poam_deviation_decide(d->db, &d->who, id, n, 1, "J. Smith, Authorizing Official",
							    0, &why);
			nh++;
		} else if (!strcmp(risk, "Moderate") && nm < 3) {
			rq.type = nm == 2 ? POAM_DEV_FALSE_POSITIVE : POAM_DEV_OPERATIONAL_REQUIREMENT;
			rq.rationale = nm == 2 ? "The scanner matched the source package; the shipped binary was built"
						 " with the fix backported (vendor advisory attached)."
					       : "The component is required by the payment processor's integration and"
						 " cannot be upgraded until the vendor certifies the new version.";
			if (store_poam_deviation_request(d->db, &d->who, id, &rq, &n, &why) == STORE_OK && nm != 1)
				store_poam_deviation_decide(d->db, &d->who, id, n, 1, "J. Smith, Authorizing Official",
							    0, &why);
			nm++;
		} else if (vendor && nv < 4) {
			store_poam_checkin(d->db, &d->who, id, 0, "Vendor confirmed a fix is scheduled for the next release.");
			nv++;
		}
	}
	json_decref(doc);
	return 0;
}

/* --- command --- */

static void usage(void)
{
	fprintf(stderr, "usage: muster demo [--scale N] [--days D] [--seed S] [--verbose]\n"
			"  fills an EMPTY database with a generated system: 100 x N repositories,\n"
			"  D days (default 91, at least 28) of weekly scans and snapshots\n");
}

int cli_demo(const config *cfg, const char *schema_dir, int argc, char **argv)
{
	demo d;
	struct timespec a, b;
	char err[1024] = "";
	long long v;
	int i, rc = 1, saved = -1, empty, s;

	memset(&d, 0, sizeof(d));
	d.scale = 1;
	d.days = 91;
	d.seed = 7246;
	for (i = 0; i < argc; i++) {
		const char *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--verbose")) {
			d.verbose = 1;
		} else if (!strcmp(argv[i], "--scale") && val && !parse_int_range(val, 1, 1000, &v)) {
			d.scale = (int)v;
			i++;
		} else if (!strcmp(argv[i], "--days") && val && !parse_int_range(val, 28, 3650, &v)) {
			d.days = (int)v;
			i++;
		} else if (!strcmp(argv[i], "--seed") && val && !parse_int_range(val, 1, 4294967295LL, &v)) {
			d.seed = (uint64_t)v;
			i++;
		} else {
			usage();
			return 2;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	d.who.name = "demo";
	d.who.route = "muster demo";
	d.now = time(NULL);
	d.steps = d.days / 7;
	d.t0 = step_time(&d, 0);
	d.nrepos = d.scale * DEMO_REPOS_PER_SCALE;
	d.db = db_connect(cfg->database_url, err, sizeof(err));
	if (!d.db) {
		fprintf(stderr, "muster: %s\n", err);
		return 1;
	}
	if (store_migrate(d.db, schema_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "muster: migrate: %s\n", err);
		goto cleanup;
	}
	empty = store_demo_is_empty(d.db);
	if (empty == 0) {
		/* not an error: scripts/run --demo may run again on its database */
		fprintf(stderr, "muster: demo: the database already holds an inventory;"
				" the demo only fills an empty database (nothing done)\n");
		rc = 0;
		goto cleanup;
	}
	if (empty != 1) {
		fprintf(stderr, "muster: demo: could not read the database\n");
		goto cleanup;
	}
	d.repos = calloc((size_t)d.nrepos, sizeof(*d.repos));
	if (!d.repos) {
		fprintf(stderr, "muster: out of memory\n");
		goto cleanup;
	}
	make_pool(&d);
	make_repos(&d);
	if (!d.verbose) {
		/* the per-report log lines of the services would drown the summary */
		fflush(stderr);
		saved = dup(2);
		i = open("/dev/null", O_WRONLY);
		if (saved >= 0 && i >= 0)
			dup2(i, 2);
		if (i >= 0)
			close(i);
	}
	printf("muster: demo: generating %d repositories over %d days...\n", d.nrepos, d.days);
	fflush(stdout);
	if (configure(&d)) {
		printf("muster: demo: configuration failed\n");
		goto cleanup;
	}
	for (s = 0; s <= d.steps; s++)
		if (run_step(&d, s)) {
			printf("muster: demo: step %d failed\n", s);
			goto cleanup;
		}
	if (deviations(&d) || store_rules_evaluate(d.db, 0, NULL, NULL) != STORE_OK) {
		printf("muster: demo: deviations or rule evaluation failed\n");
		goto cleanup;
	}
	clock_gettime(CLOCK_MONOTONIC, &b);
	printf("muster: demo: %d repositories, %lld scans (%lld findings), %lld snapshots in %.1f s\n",
	       d.nrepos, d.scans, d.findings, d.snapshots,
	       (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9);
	rc = 0;
cleanup:
	if (saved >= 0) {
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
	}
	free(d.repos);
	db_disconnect(d.db);
	return rc;
}
