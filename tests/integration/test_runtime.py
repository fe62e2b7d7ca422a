"""test_runtime.py - sensor snapshots over real HTTP: real PodLists ingest,
every container links to the right asset whether its image was scanned
first or seen first, snapshots are the truth for their scope (ended /
started / unchanged), history is kept, and environments decide what is
production."""
import copy
import json

from harness import Database, Server, expect, expect_error, main, read_fixture

PODLISTS = {
    # fixture -> containers muster must store (present and resolvable)
    "honeycomb_pods.json": None,
    "nri-kubernetes_1_35_kubelet_pods.json": None,
    "splunk_k8s-metrics-agg_pods.json": None,
}
TABLES = ["container_instances", "runtime_snapshots", "images", "builds", "digests"]


def containers(s, query=""):
    items, cursor = [], None
    while True:
        r = s.admin("GET", "/api/v1/containers?limit=200" + query + ("&cursor=" + cursor if cursor else ""))
        expect(r.status == 200, r)
        items += r.json()["items"]
        cursor = r.json()["next"]
        if not cursor:
            return items


def digest_of(image_id):
    return "sha256:" + image_id.split("sha256:")[1] if image_id and "sha256:" in image_id else None


def test_real_podlists_ingest_and_link():
    db = Database()
    s = Server(db)
    try:
        sensor = s.token("sensor")
        for name in sorted(PODLISTS):
            body = read_fixture("kubernetes", name)
            r = s.request("POST", "/api/v1/runtime?cluster=c-%s&observed_at=2026-10-01T00:00:00Z" % name[:8],
                          body, token=sensor)
            expect(r.status == 201, "%s: %r" % (name, r))
            out = r.json()
            expect(out["containers"] > 0 and out["started"] == out["containers"] and out["ended"] == 0, out)
            # every stored container's build carries the digest Kubernetes reported
            doc = json.loads(body)
            want = {}
            for pod in doc["items"]:
                st = pod.get("status") or {}
                for key in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
                    for cs in st.get(key) or []:
                        d = digest_of(cs.get("imageID"))
                        if d:
                            want[(pod["metadata"]["namespace"], pod["metadata"]["name"], cs["name"])] = d
            got = {(c["namespace"], c["pod"], c["container"]): c for c in containers(s, "&cluster=c-" + name[:8])}
            for key, d in want.items():
                if key not in got:
                    continue   # terminated containers of finished pods are not running
                build = s.admin("GET", "/api/v1/images/%d" % got[key]["image"]["id"]).json()["builds"]
                expect(any(d in b["digests"] for b in build), (name, key, d, build))
            expect(len(got) == out["containers"], (len(got), out))
            # nothing scanned yet: every asset is marked never scanned
            for c in got.values():
                img = s.admin("GET", "/api/v1/images/%d" % c["image"]["id"]).json()
                expect(img["never_scanned"] is True, img)
    finally:
        s.stop()


def test_scan_first_or_seen_first_lands_on_one_asset():
    db = Database()
    s = Server(db)
    try:
        scan = json.loads(read_fixture("trivy", "alpine-310-registry.json"))
        digest = scan["Metadata"]["RepoDigests"][0].split("@")[1]
        pods = {"apiVersion": "v1", "kind": "PodList", "items": [
            {"metadata": {"namespace": "web", "name": "a-1"}, "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "alpine:3.10"}]},
             "status": {"phase": "Running", "containerStatuses": [{"name": "app", "image": "alpine:3.10",
                        "imageID": "docker-pullable://alpine@" + digest, "state": {"running": {"startedAt": "2026-10-01T00:00:00Z"}}}]}},
            {"metadata": {"namespace": "web", "name": "b-1"}, "spec": {"containers": [{"name": "side", "image": "ghcr.io/acme/side@sha256:" + "ab" * 32}]},
             "status": {"phase": "Running", "containerStatuses": [{"name": "side", "image": "ghcr.io/acme/side@sha256:" + "ab" * 32,
                        "imageID": "sha256:" + "cd" * 32, "state": {"running": {}}}]}},
        ]}
        # seen first by the sensor, scanned later
        r = s.admin("POST", "/api/v1/runtime?cluster=prod&observed_at=2026-10-01T00:00:00Z", json.dumps(pods).encode())
        expect(r.status == 201 and r.json()["containers"] == 2, r)
        seen = {c["pod"]: c for c in containers(s)}
        sc = s.admin("POST", "/api/v1/scans", json.dumps(scan).encode()).json()
        expect(sc["image"]["id"] == seen["a-1"]["image"]["id"], (sc, seen["a-1"]))
        expect(sc["image"]["uai"] == "docker.io/library/alpine:3.10")
        img = s.admin("GET", "/api/v1/images/%d" % sc["image"]["id"]).json()
        expect(img["never_scanned"] is False, img)
        # digest-only image: versionless UAI from its digest
        expect(seen["b-1"]["image"]["uai"] == "ghcr.io/acme/side:sha256-" + "cd" * 6 or
               seen["b-1"]["image"]["uai"] == "ghcr.io/acme/side:sha256-" + "ab" * 6, seen["b-1"])
        cont = s.admin("GET", "/api/v1/images/%d/containers" % sc["image"]["id"]).json()["items"]
        expect([c["pod"] for c in cont] == ["a-1"], cont)
        # scanned first, seen later: same asset
        db2 = Database()
        s2 = Server(db2)
        try:
            sc2 = s2.admin("POST", "/api/v1/scans", json.dumps(scan).encode()).json()
            s2.admin("POST", "/api/v1/runtime?cluster=prod", json.dumps(pods).encode())
            c2 = {c["pod"]: c for c in containers(s2)}
            expect(c2["a-1"]["image"]["id"] == sc2["image"]["id"], (c2, sc2))
            expect(db2.scalar("SELECT count(*) FROM builds WHERE id IN (SELECT build_id FROM container_instances)") == "2")
        finally:
            s2.stop()
    finally:
        s.stop()


def test_versionless_asset_renamed_by_a_later_tag():
    """A build first seen by a sensor by digest only gets a versionless UAI;
    when a later snapshot shows it under a real tag the asset is renamed
    once, as a scan would rename it, and the old UAI stays an alias."""
    db = Database()
    s = Server(db)
    try:
        d1, d2, d3 = "1f" * 32, "2e" * 32, "3d" * 32

        def p(name, image, digest, repo):
            return {"metadata": {"namespace": "web", "name": name},
                    "spec": {"containers": [{"name": "app", "image": image}]},
                    "status": {"phase": "Running", "containerStatuses": [
                        {"name": "app", "image": image, "imageID": repo + "@sha256:" + digest,
                         "state": {"running": {}}}]}}

        api, web, job = ("registry.example.com/team/" + n for n in ("api", "web", "job"))

        def snap(when, *pods):
            r = s.admin("POST", "/api/v1/runtime?cluster=prod&observed_at=" + when,
                        json.dumps({"apiVersion": "v1", "kind": "PodList", "items": list(pods)}).encode())
            expect(r.status == 201, r)
            return {c["pod"]: c["image"] for c in containers(s)}

        first = snap("2026-10-01T00:00:00Z", p("a", api + "@sha256:" + d1, d1, api),
                     p("w", web + "@sha256:" + d2, d2, web), p("j", job + "@sha256:" + d3, d3, job))
        expect(first["a"]["uai"] == api + ":sha256-" + d1[:12], first)
        # a tag for api, a moving tag for web, and for job a tag another asset already holds
        s.admin("POST", "/api/v1/runtime?cluster=other&observed_at=2026-10-01T00:00:00Z",
                json.dumps({"apiVersion": "v1", "kind": "PodList",
                            "items": [p("x", job + ":7", "4c" * 32, job)]}).encode())
        later = snap("2026-10-02T00:00:00Z", p("a", api + ":2.1", d1, api), p("w", web + ":latest", d2, web),
                     p("j", job + ":7", d3, job))
        expect(later["a"]["id"] == first["a"]["id"], (first, later))
        expect(later["a"]["uai"] == api + ":2.1", later)
        expect(later["w"] == first["w"], "a moving tag renamed the asset: %r" % later["w"])
        expect(db.scalar("SELECT count(*) FROM images WHERE uai = '%s'" % first["j"]["uai"]) == "1",
               "the versionless job asset was renamed to a UAI another asset holds")
        expect(later["x"]["uai"] == job + ":7", later)
        # one asset for the api build, found under its old UAI too
        expect(db.scalar("SELECT count(*) FROM build_images bi JOIN digests d ON d.build_id = bi.build_id"
                         " WHERE d.digest = 'sha256:%s'" % d1) == "1")
        r = s.admin("GET", "/api/v1/images?uai=" + first["a"]["uai"])
        expect(r.status == 200 and [i["id"] for i in r.json()["items"]] == [first["a"]["id"]], r)
        expect(r.json()["items"][0]["aliases"] == [first["a"]["uai"]], r.json())
        # a scan of the tag now lands on the same asset
        scan = s.admin("POST", "/api/v1/scans?image=" + api + ":2.1", json.dumps({
            "SchemaVersion": 2, "ArtifactName": api + ":2.1", "ArtifactType": "container_image",
            "Metadata": {"RepoDigests": [api + "@sha256:" + d1]}, "Results": []}).encode())
        expect(scan.status == 201 and scan.json()["image"]["id"] == first["a"]["id"], scan)
    finally:
        s.stop()


def test_large_first_snapshot_refreshes_statistics():
    """A snapshot that adds more containers than the statistics of
    container_instances say it holds (they say none after an ANALYZE that
    saw only a rolled-back snapshot) analyzes it before the POA&M update
    and rule evaluation run; a small one leaves it to autovacuum."""
    db = Database()
    s = Server(db, env={"MUSTER_EVALUATOR_SECONDS": "0"})
    try:
        db.stale_statistics("container_instances",
                            "INSERT INTO builds (id) VALUES (999999);"
                            " INSERT INTO images (id, uai, registry, repository, version, first_seen)"
                            "  VALUES (999999, 'r.example/x:1', 'r.example', 'x', '1', now());"
                            " INSERT INTO container_instances (cluster, namespace, pod, container, kind, build_id,"
                            "  image_id, first_seen, last_seen) SELECT 'gone', 'ns', 'p' || g, 'app', 'container',"
                            "  999999, 999999, now(), now() FROM generate_series(1, 5000) g")

        def reltuples():
            return db.reltuples("container_instances")

        def podlist(n):
            repo = "registry.example.com/stat/app"
            return json.dumps({"apiVersion": "v1", "kind": "PodList", "items": [
                {"metadata": {"namespace": "web", "name": "p-%d" % i},
                 "spec": {"containers": [{"name": "app", "image": "%s:%d" % (repo, i % 50)}]},
                 "status": {"phase": "Running", "containerStatuses": [
                     {"name": "app", "image": "%s:%d" % (repo, i % 50),
                      "imageID": "%s@sha256:%064x" % (repo, 0x57a7 + i % 50), "state": {"running": {}}}]}}
                for i in range(n)]}).encode()

        r = s.admin("POST", "/api/v1/runtime?cluster=small", podlist(20))
        expect(r.status == 201 and reltuples() == 0, (r, reltuples()))
        r = s.admin("POST", "/api/v1/runtime?cluster=big", podlist(1500))
        expect(r.status == 201 and r.json()["containers"] == 1500, r)
        expect(reltuples() >= 1500, "container_instances statistics still say %s rows" % reltuples())
    finally:
        s.stop()


def pod(ns, name, container, image, digest):
    return {"metadata": {"namespace": ns, "name": name}, "spec": {"containers": [{"name": container, "image": image}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": container, "image": image, "imageID": image.split(":")[0] + "@sha256:" + digest,
                 "state": {"running": {}}}]}}


def test_snapshot_semantics_and_history():
    db = Database()
    s = Server(db)
    try:
        d1, d2, d3 = "1" * 64, "2" * 64, "3" * 64
        snap1 = {"kind": "PodList", "apiVersion": "v1", "items": [
            pod("a", "p1", "c", "registry.example.com/app:1.0", d1),
            pod("a", "p2", "c", "registry.example.com/app:1.0", d1),
            pod("b", "q1", "c", "registry.example.com/db:2.0", d2)]}
        r1 = s.admin("POST", "/api/v1/runtime?cluster=k&observed_at=2026-10-01T00:00:00Z", json.dumps(snap1).encode()).json()
        expect((r1["started"], r1["ended"], r1["unchanged"]) == (3, 0, 0), r1)
        # p2 gone, p1 upgraded to a new build, q1 unchanged
        snap2 = {"kind": "PodList", "apiVersion": "v1", "items": [
            pod("a", "p1", "c", "registry.example.com/app:1.1", d3),
            pod("b", "q1", "c", "registry.example.com/db:2.0", d2)]}
        r2 = s.admin("POST", "/api/v1/runtime?cluster=k&observed_at=2026-10-02T00:00:00Z", json.dumps(snap2).encode()).json()
        expect((r2["started"], r2["ended"], r2["unchanged"]) == (1, 2, 1), r2)
        running = {(c["pod"], c["image"]["uai"]) for c in containers(s, "&state=running")}
        expect(running == {("p1", "registry.example.com/app:1.1"), ("q1", "registry.example.com/db:2.0")}, running)
        ended = containers(s, "&state=ended")
        expect(len(ended) == 2 and all(c["ended_at"] == "2026-10-02T00:00:00Z" for c in ended), ended)
        expect(all(c["first_seen"] == "2026-10-01T00:00:00Z" for c in ended), ended)
        # the same snapshot again: nothing changes but last_seen
        r3 = s.admin("POST", "/api/v1/runtime?cluster=k&observed_at=2026-10-03T00:00:00Z", json.dumps(snap2).encode()).json()
        expect((r3["started"], r3["ended"], r3["unchanged"]) == (0, 0, 2), r3)
        # a namespace-scoped snapshot only ends containers of that namespace
        r4 = s.admin("POST", "/api/v1/runtime?cluster=k&namespace=a&observed_at=2026-10-04T00:00:00Z",
                     json.dumps({"kind": "PodList", "apiVersion": "v1", "items": []}).encode()).json()
        expect((r4["started"], r4["ended"]) == (0, 1), r4)
        expect({c["pod"] for c in containers(s, "&state=running")} == {"q1"})
        # going back in time is refused and changes nothing
        before = db.snapshot(TABLES)
        expect_error(s.admin("POST", "/api/v1/runtime?cluster=k&observed_at=2026-09-01T00:00:00Z",
                             json.dumps(snap1).encode()), 409)
        expect(db.snapshot(TABLES) == before)
        # another cluster is not touched by k's snapshots
        s.admin("POST", "/api/v1/runtime?cluster=other", json.dumps(snap1).encode())
        expect(len(containers(s, "&cluster=other&state=running")) == 3)
    finally:
        s.stop()


def test_own_format_environments_and_errors():
    db = Database()
    s = Server(db)
    try:
        own = {"observed_at": "2026-10-05T00:00:00Z", "containers": [
            {"cluster": "ecs-prod", "namespace": "svc", "pod": "task-1", "container": "web",
             "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:7", "image_id": "sha256:" + "9" * 64,
             "node": "i-0abc", "started_at": "2026-10-04T00:00:00Z"}]}
        r = s.admin("POST", "/api/v1/runtime", json.dumps(own).encode())
        expect(r.status == 201 and r.json()["cluster"] == "ecs-prod" and r.json()["containers"] == 1, r)
        c = containers(s)[0]
        expect(c["image"]["uai"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:7" and c["node"] == "i-0abc", c)
        expect(c["environment"] is None, c)
        expect(containers(s, "&production=true") == [])
        expect(s.admin("PUT", "/api/v1/clusters/ecs-prod", {"environment": "production"}).status == 200)
        expect(len(containers(s, "&production=true")) == 1)
        expect(s.admin("PUT", "/api/v1/clusters/ecs-prod", {"environment": "staging", "namespace": "sv*"}).status == 200)
        expect(containers(s, "&production=true") == [])
        lst = s.admin("GET", "/api/v1/clusters").json()["items"]
        expect(len(lst) == 2, lst)
        expect_error(s.admin("PUT", "/api/v1/clusters/x", {"environment": "Prod!"}), 422)
        expect_error(s.admin("PUT", "/api/v1/clusters/x", {}), 422)
        viewer = s.token("viewer")
        expect_error(s.request("PUT", "/api/v1/clusters/x", {"environment": "production"}, token=viewer), 403)
        expect_error(s.request("POST", "/api/v1/runtime?cluster=x", b"{}", token=viewer), 403)
        sensor = s.token("sensor")
        expect_error(s.request("GET", "/api/v1/containers", token=sensor), 403)
        before = db.snapshot(TABLES)
        expect_error(s.admin("POST", "/api/v1/runtime?cluster=x", b'{"items": ['), 400)
        expect_error(s.admin("POST", "/api/v1/runtime?cluster=x", b'{"containers": [{"cluster": "x"}]}'), 422)
        expect_error(s.admin("POST", "/api/v1/runtime", read_fixture("kubernetes", "honeycomb_pods.json")), 400)
        expect_error(s.admin("POST", "/api/v1/runtime?cluster=x", b'"hello"'), 415)
        expect_error(s.admin("POST", "/api/v1/runtime?cluster=x&observed_at=soon", read_fixture("kubernetes", "honeycomb_pods.json")), 400)
        expect(db.snapshot(TABLES) == before)
        # edge PodLists: null items and placeholders are handled
        for name in ("datadog_podlist_null_pod.json", "cloudability_pods.json"):
            r = s.admin("POST", "/api/v1/runtime?cluster=edge-" + name[:4], read_fixture("edge", name))
            expect(r.status == 201, (name, r))
        expect(any(u["reason"] for u in r.json()["unresolved"]) or r.json()["containers"] > 0, r.json())
    finally:
        s.stop()


if __name__ == "__main__":
    main(globals())
