"""test_concurrency.py - two `muster serve` processes on one database and
32 client threads posting the same and different scan reports (the real
fixtures and generated ones that share images) and runtime snapshots
(PodLists) at once. Afterwards:

  - every answer was 200 or 201: no deadlock, serialization failure or
    conflict reached a client (the store retries them);
  - exactly one report row and one set of scans per distinct report, and
    every post of the same report answered with the same scan ids;
  - every finding stored once, and each scan holds the count it declares;
  - images (UAIs) unique, one build per digest, scans on their digest's
    build; running containers unique per cluster/namespace/pod/container;
  - POA&M items opened by both servers at once: IDs unique, one open item
    per weakness and repository.
"""
import concurrent.futures
import hashlib
import json
import random

from harness import Database, Server, expect, main, read_fixture, trivy_report
from test_ingest import EXPECTED

THREADS = 32


def podlist(prefix, images):
    """A PodList running one container per (repo, seq) image."""
    items = []
    for i, (repo, seq) in enumerate(images):
        digest = "%064x" % (0x5eed0000 + seq)
        ref = "%s:%d" % (repo, seq)
        items.append({"metadata": {"namespace": "ns-%d" % (i % 3), "name": "%s-%d" % (prefix, i)},
                      "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": ref}]},
                      "status": {"phase": "Running", "containerStatuses": [
                          {"name": "app", "image": ref, "imageID": "%s@sha256:%s" % (repo, digest),
                           "state": {"running": {"startedAt": "2026-10-01T00:00:00Z"}}}]}})
    return json.dumps({"apiVersion": "v1", "kind": "PodList", "items": items}).encode()


def test_two_servers_thirty_two_clients():
    db = Database()
    # 32 clients on 2 x 16 threads: a pool wait long enough for a slow
    # (sanitizer) build; exhausting the pool is test_faults' business
    env = {"MUSTER_EVALUATOR_SECONDS": "0", "MUSTER_THREADS": "16", "MUSTER_DB_POOL": "8",
           "MUSTER_DB_ACQUIRE_MS": "30000"}
    s1 = Server(db, env=env)
    s2 = Server(db, env=env, bootstrap=s1.admin_token)
    try:
        scanner, sensor, viewer = s1.token("scanner"), s1.token("sensor"), s1.token("viewer")
        repo = "registry.example.com/conc/app"
        reports = [read_fixture(*name.split("/")) for name, want in sorted(EXPECTED.items()) if want == 201]
        # four images, three different reports each (different finding sets)
        reports += [trivy_report(40 + 10 * k, seq, repo=repo) for seq in range(4) for k in range(3)]
        snapshots = [("fx-%d" % i, read_fixture("kubernetes", name))
                     for i, name in enumerate(("honeycomb_pods.json", "nri-kubernetes_1_35_kubelet_pods.json",
                                               "splunk_k8s-metrics-agg_pods.json"))]
        # PodLists that run the generated images: sensor and scanners race on them
        snapshots += [("gen-%d" % c, podlist("c%d" % c, [(repo, seq) for seq in range(4)] + [(repo, 10 + c)]))
                      for c in range(3)]
        # the generated clusters are production: POA&M items open as scans
        # and snapshots land, on both servers at once
        for c in range(3):
            r = s1.admin("PUT", "/api/v1/clusters/gen-%d" % c, {"environment": "production"})
            expect(r.status == 200, r)
        # settings apply from when they were written; the reports and
        # snapshots are dated October and November, so date these back
        db.query("UPDATE environments SET valid_from = '2026-01-01' WHERE cluster LIKE 'gen-%'")
        jobs = [("scan", i) for i in range(len(reports)) for _ in range(4)]
        jobs += [("runtime", i) for i in range(len(snapshots)) for _ in range(4)]
        random.Random(7246).shuffle(jobs)

        def run(job_index):
            kind, i = jobs[job_index]
            s = (s1, s2)[job_index % 2]
            if kind == "scan":
                r = s.request("POST", "/api/v1/scans", reports[i], token=scanner, timeout=120)
            else:
                cluster, body = snapshots[i]
                r = s.request("POST", "/api/v1/runtime?cluster=%s&observed_at=2026-10-01T00:00:00Z" % cluster,
                              body, token=sensor, timeout=120)
            return kind, i, r

        with concurrent.futures.ThreadPoolExecutor(THREADS) as ex:
            results = list(ex.map(run, range(len(jobs))))
        bad = [(k, i, r) for k, i, r in results if r.status not in (200, 201)]
        expect(not bad, "%d answers were not 200/201: %s" % (len(bad), bad[:5]))
        print("%d requests on 2 servers with %d threads: %d reports (%d distinct), %d snapshots"
              % (len(jobs), THREADS, sum(1 for k, _, _ in results if k == "scan"), len(reports),
                 sum(1 for k, _, _ in results if k == "runtime")))

        # one report and one set of scans per distinct report
        scan_ids = {}
        for kind, i, r in results:
            if kind != "scan":
                continue
            out = r.json()
            ids = tuple(x["scan_id"] for x in out["scans"]) if "scans" in out else (out["scan_id"],)
            scan_ids.setdefault(i, set()).add(ids)
        for i, ids in scan_ids.items():
            expect(len(ids) == 1, "report %d answered with different scans: %s" % (i, ids))
        for i, body in enumerate(reports):
            n = db.scalar("SELECT count(*) FROM reports WHERE sha256 = '%s'" % hashlib.sha256(body).hexdigest())
            expect(n == "1", "report %d stored %s times" % (i, n))
        total = sum(len(next(iter(ids))) for ids in scan_ids.values())
        expect(db.scalar("SELECT count(*) FROM reports") == str(len(reports)), db.scalar("SELECT count(*) FROM reports"))
        expect(db.scalar("SELECT count(*) FROM scans") == str(total), (db.scalar("SELECT count(*) FROM scans"), total))

        # every finding once, as many as each scan declares
        wrong = db.query("SELECT s.id, s.findings_count, count(f.*), count(DISTINCT f.ord) FROM scans s"
                         " LEFT JOIN findings f ON f.scan_id = s.id GROUP BY s.id"
                         " HAVING s.findings_count <> count(f.*) OR count(f.*) <> count(DISTINCT f.ord)")
        expect(not wrong, "scans with missing or repeated findings: %s" % wrong[:5])

        # identities: unique assets, one build per digest, scans on their digest's build
        expect(not db.query("SELECT uai FROM images GROUP BY uai HAVING count(*) > 1"), "duplicate UAIs")
        expect(not db.query("SELECT registry, repository, version FROM images GROUP BY 1, 2, 3 HAVING count(*) > 1"),
               "duplicate images")
        expect(not db.query("SELECT digest FROM digests GROUP BY digest HAVING count(DISTINCT build_id) > 1"),
               "a digest on two builds")
        expect(db.scalar("SELECT count(*) FROM scans s JOIN digests d ON d.digest = s.digest"
                         " WHERE d.build_id <> s.build_id") == "0", "scans on a build that is not their digest's")
        gen = db.scalar("SELECT count(DISTINCT b.id) FROM builds b JOIN digests d ON d.build_id = b.id"
                        " WHERE d.digest IN (%s)" % ",".join("'sha256:%064x'" % (0x5eed0000 + s) for s in range(4)))
        expect(gen == "4", "the 4 generated images have %s builds" % gen)
        r = s2.request("GET", "/api/v1/images?limit=1000", token=viewer)
        expect(r.status == 200, r)
        uais = [x["uai"] for x in r.json()["items"]]
        expect(len(uais) == len(set(uais)), "the API lists a UAI twice")

        # runtime: one running row per container, snapshots all stored
        expect(not db.query("SELECT cluster, namespace, pod, container FROM container_instances"
                            " WHERE ended_at IS NULL GROUP BY 1, 2, 3, 4 HAVING count(*) > 1"),
               "a container runs twice")
        expect(db.scalar("SELECT count(*) FROM runtime_snapshots") ==
               str(sum(1 for k, _, _ in results if k == "runtime")))
        for c in range(3):
            n = db.scalar("SELECT count(*) FROM container_instances WHERE cluster = 'gen-%d' AND ended_at IS NULL" % c)
            expect(n == "5", "cluster gen-%d runs %s containers, not 5" % (c, n))

        # POA&M: unique item IDs, one open item per weakness and repository
        expect(not db.query("SELECT id FROM poam_items GROUP BY id HAVING count(*) > 1"), "duplicate POA&M IDs")
        expect(not db.query("SELECT registry, repository, weakness FROM poam_items WHERE status = 'open'"
                            " GROUP BY 1, 2, 3 HAVING count(*) > 1"), "two open POA&M items for one weakness")
        items = int(db.scalar("SELECT count(*) FROM poam_items"))
        expect(items > 0, "no POA&M item opened: the checks above prove nothing")
        print("POA&M items: %d" % items)
    finally:
        s1.stop()
        s2.stop()


if __name__ == "__main__":
    main(globals())
