"""test_ingest.py - scan reports over real HTTP into a real PostgreSQL:
every fixture gets its documented answer; for each stored one the
findings API lists exactly the report's vulnerabilities (computed here
independently of the C parsers); duplicates store one scan; truncated and
malformed reports change nothing; identities join across scanners."""
import glob
import gzip
import json
import os
import time

from harness import Database, Server, expect, expect_error, fixture, main, read_fixture, trivy_report

TABLES = ["images", "builds", "digests", "reports", "scans", "findings", "image_aliases", "build_images"]

# fixture -> (status, note). 201 = stored; 422/415/400 = refused with a reason.
EXPECTED = {
    "trivy/alpine-310-registry.json": 201,
    "trivy/alpine-39.json": 201,
    "trivy/amazon-2.schema1.json": 422,           # legacy list: no digest
    "trivy/debian-stretch.2021-10.json": 422,     # local tarball: needs image=
    "trivy/defectdojo_all_statuses.json": 201,
    "trivy/defectdojo_legacy_many_vulns.json": 422,
    "trivy/defectdojo_scheme_2_many_vulns.json": 422,
    "trivy/defectdojo_trivy-k8s_kubernetes.json": None,   # checked below
    "trivy/fluentd-gems.json": 201,
    "trivy/securecodebox_juice-shop-v12.10.2.json": 201,
    "trivy/sl-micro-rancher5.4.json": 201,
    "trivy/spring4shell-jre11.json": 201,
    "trivy/trivy-operator_vulnerabilityreport_extended.json": 201,
    "trivy/trivy-operator_vulnerabilityreport_many.json": 422,  # tag only, no digest
    "trivy/ubi-7-comprehensive.json": 201,
    "grype/analysis-model_grype-report-wo-description.json": 201,
    "grype/anchore_chainguard-ruby-test.json": 201,
    "grype/anchore_keycloak-test.json": 201,
    "grype/defectdojo_issue_9618.json": 201,
    "grype/defectdojo_many_vulns3.json": 201,
    "grype/defectdojo_many_vulns_with_epss_values.json": 201,
    "sarif/trivy_alpine-310.sarif.json": 201,
    "sarif/grype_TestSarifPresenter_image.sarif.json": 422,   # no digest in SARIF
    "sarif/defectdojo_cxf-3.4.6.sarif": 422,
    "cyclonedx/defectdojo_issue_9277.cdx.json": 201,
    "cyclonedx/grype_TestCycloneDxPresenterImage.cdx.json": 201,
    "cyclonedx/trivy_fluentd-multiple-lockfiles-short.cdx.json": 422,  # local file: needs image=
    "edge/datadog_invalid.json": 400,
    "edge/defectdojo_sarif_no_runs.sarif": 422,
    "edge/defectdojo_trivy_legacy_no_vuln.json": 422,
    "edge/defectdojo_trivy_scheme_2_no_vuln.json": 422,
    "edge/grype_TestEmptyJsonPresenter.json": 422,
    "edge/securecodebox_test-empty-report.json": 422,
    "edge/defectdojo_grype_no_vuln.json": 201,
    "edge/securecodebox_juice-shop-v12.10.2-empty-results.json": 201,
    "edge/securecodebox_juice-shop-v12.10.2-no-results.json": 201,
    "edge/trivy_alpine-39-skip.json": 201,
    "edge/cloudability_pods.json": 415,
    "edge/datadog_podlist_null_pod.json": 415,
}


def report_vuln_ids(doc):
    """The vulnerability IDs a report lists, read independently of muster."""
    ids = set()
    if isinstance(doc, dict) and doc.get("bomFormat") == "CycloneDX":
        for v in doc.get("vulnerabilities") or []:
            ids.add(v["id"])
    elif isinstance(doc, dict) and "runs" in doc:
        for run in doc["runs"]:
            rules = run.get("tool", {}).get("driver", {}).get("rules") or []
            for res in run.get("results") or []:
                rid = res.get("ruleId") or rules[res["ruleIndex"]]["id"]
                ids.add(rid)
    elif isinstance(doc, dict) and "matches" in doc:
        for m in doc["matches"]:
            ids.add(m["vulnerability"]["id"])
    elif isinstance(doc, dict) and doc.get("kind") == "VulnerabilityReport":
        for v in doc["report"].get("vulnerabilities") or []:
            ids.add(v["vulnerabilityID"])
    elif isinstance(doc, dict):
        for res in doc.get("Results") or []:
            for v in res.get("Vulnerabilities") or []:
                ids.add(v["VulnerabilityID"])
    return ids


def all_findings(s, path):
    items, cursor = [], None
    while True:
        r = s.admin("GET", path + "?limit=100" + ("&cursor=" + cursor if cursor else ""))
        expect(r.status == 200, r)
        page = r.json()
        items += page["items"]
        cursor = page["next"]
        if not cursor:
            return items


def test_every_fixture_gets_its_answer():
    db = Database()
    s = Server(db)
    try:
        for name, want in sorted(EXPECTED.items()):
            if want is None:
                continue
            body = read_fixture(*name.split("/"))
            before = db.snapshot(TABLES) if want != 201 else None
            r = s.admin("POST", "/api/v1/scans", body)
            if want != 201:
                e = expect_error(r, want)
                expect(len(e["message"]) > 10, e)
                expect(db.snapshot(TABLES) == before, "%s changed the database" % name)
                continue
            expect(r.status == 201, "%s: %r" % (name, r))
            out = r.json()
            expect(set(out) == {"scan_id", "image", "build", "findings", "new_findings"}, out)
            expect(out["build"]["digest"].startswith("sha256:") and out["image"]["uai"], out)
            doc = json.loads(body)
            want_ids = report_vuln_ids(doc)
            got = all_findings(s, "/api/v1/scans/%d/findings" % out["scan_id"])
            got_ids = set()
            for f in got:
                expect(f["vulnerability_id"] and f["package"] and f["risk"] in ("High", "Moderate", "Low"), f)
                got_ids.add(f["vulnerability_id"])
            expect(got_ids == want_ids, "%s: findings differ: missing %s, extra %s" %
                   (name, sorted(want_ids - got_ids)[:5], sorted(got_ids - want_ids)[:5]))
            expect(out["findings"] == len(got), (name, out, len(got)))
            # the raw report comes back byte for byte
            raw = s.admin("GET", "/api/v1/scans/%d/raw" % out["scan_id"])
            expect(raw.status == 200 and raw.body == body, "%s: raw differs" % name)
            # and the image's findings API serves the same IDs for that build
            img = s.admin("GET", "/api/v1/images/%d" % out["image"]["id"]).json()
            expect(img["uai"] == out["image"]["uai"] and img["builds"], img)
    finally:
        s.stop()


def test_trivy_k8s_report_becomes_one_scan_per_image():
    db = Database()
    s = Server(db)
    try:
        body = read_fixture("trivy", "defectdojo_trivy-k8s_kubernetes.json")
        doc = json.loads(body)
        r = s.admin("POST", "/api/v1/scans", body)
        if r.status == 201:
            scans = r.json()["scans"]
            expect(len(scans) >= 2, r)
            expect(len({x["scan_id"] for x in scans}) == len(scans))
            expect(int(db.scalar("SELECT count(*) FROM scans")) == len(scans))
        else:
            # images without digests make the whole report refused, nothing stored
            expect_error(r, 422)
            expect(db.scalar("SELECT count(*) FROM scans") == "0")
    finally:
        s.stop()


def test_duplicates_idempotency_and_gzip():
    db = Database()
    s = Server(db)
    try:
        body = read_fixture("trivy", "alpine-310-registry.json")
        a = s.admin("POST", "/api/v1/scans", body)
        b = s.admin("POST", "/api/v1/scans", body)
        c = s.admin("POST", "/api/v1/scans", gzip.compress(body), headers={"Content-Encoding": "gzip"})
        expect(a.status == 201 and b.status == 200 and c.status == 200, (a, b, c))
        expect(a.json() == {**b.json(), "new_findings": a.json()["new_findings"]} or a.json()["scan_id"] == b.json()["scan_id"])
        expect(db.scalar("SELECT count(*) FROM scans") == "1")
        other = read_fixture("trivy", "alpine-39.json")
        k1 = s.admin("POST", "/api/v1/scans", other, headers={"Idempotency-Key": "job-42"})
        k2 = s.admin("POST", "/api/v1/scans", other + b"\n", headers={"Idempotency-Key": "job-42"})
        expect(k1.status == 201 and k2.status == 200 and k1.json()["scan_id"] == k2.json()["scan_id"], (k1, k2))
        expect(db.scalar("SELECT count(*) FROM scans") == "2")
        # a later scan of the same build: nothing new
        again = s.admin("POST", "/api/v1/scans?scanned_at=2030-01-01T00:00:00Z", body + b" ")
        expect(again.status == 201 and again.json()["new_findings"] == 0, again)
    finally:
        s.stop()


def big_trivy(ids, created, null_path_every=0):
    """A Trivy report of one build with a finding for each number in ids
    (some without an installed version, so NULL keys are compared too)."""
    vulns = [{"VulnerabilityID": "CVE-2024-%05d" % i, "PkgName": "pkg%d" % (i % 300),
              "InstalledVersion": None if i % 7 == 0 else "1.%d" % (i % 11), "Severity": "HIGH"}
             for i in ids]
    return json.dumps({"SchemaVersion": 2, "CreatedAt": created, "ArtifactName": "registry.example.com/big/app:1",
                       "ArtifactType": "container_image",
                       "Metadata": {"OS": {"Family": "debian", "Name": "12"}, "ImageID": "sha256:" + "c" * 64,
                                    "RepoTags": ["registry.example.com/big/app:1"],
                                    "RepoDigests": ["registry.example.com/big/app@sha256:" + "b" * 64]},
                       "Results": [{"Target": "app", "Class": "os-pkgs", "Type": "debian",
                                    "Vulnerabilities": vulns}]}).encode()


def test_new_findings_of_a_large_rescan():
    """new_findings compares a scan with the build's previous one by key
    (vulnerability, package, installed version, path; NULLs equal). Two
    scans of 20,000 findings each must compare in one pass: the comparison
    was once planned as a nested loop, which would not end within the
    request timeout here."""
    db = Database()
    s = Server(db, env={"MUSTER_MAX_BODY": "64M"})
    try:
        # the findings table as an analyze leaves it while a large ingest is
        # rolled back: pages, but statistics saying no rows. The planner then
        # estimated one row for everything, the state the old comparison
        # became quadratic in.
        db.stale_statistics("findings",
                            "INSERT INTO reports (id, sha256, format, size, raw_gz) VALUES (999999, 'gone', 'trivy', 0, '');"
                            " INSERT INTO builds (id) VALUES (999999);"
                            " INSERT INTO images (id, uai, registry, repository, version, first_seen)"
                            "  VALUES (999999, 'r.example/x:1', 'r.example', 'x', '1', now());"
                            " INSERT INTO scans (id, report_id, seq, image_id, build_id, digest, scanner_name, scanned_at,"
                            "  findings_count, new_findings) VALUES (999999, 999999, 0, 999999, 999999, 'sha256:00',"
                            "  'trivy', now(), 0, 0);"
                            " INSERT INTO findings (scan_id, ord, vuln_id, weakness, pkg_name, severity, risk)"
                            "  SELECT 999999, g, 'CVE-' || g, 'CVE-' || g, 'p', 'HIGH', 'High'"
                            "  FROM generate_series(1, 40000) g")

        def reltuples():
            return db.reltuples("findings")

        # a small write leaves the statistics to autovacuum
        small = s.admin("POST", "/api/v1/scans", trivy_report(20, 5))
        expect(small.status == 201 and reltuples() == 0, (small, reltuples()))
        first = s.admin("POST", "/api/v1/scans?scanned_at=2026-11-01T00:00:00Z",
                        big_trivy(range(0, 20000), "2026-11-01T00:00:00Z"), timeout=120)
        expect(first.status == 201 and first.json()["new_findings"] == 20000, first)
        # a write larger than the statistics say the table is refreshes them
        # before the POA&M update and the rule evaluation are planned
        expect(reltuples() >= 20000, "findings statistics still say %s rows" % reltuples())
        expect("planner statistics refreshed" in s.log(), "the ANALYZE was not logged")
        # 15,000 findings stay, 5,000 are new
        second = s.admin("POST", "/api/v1/scans?scanned_at=2026-11-20T00:00:00Z",
                         big_trivy(range(5000, 25000), "2026-11-20T00:00:00Z"), timeout=120)
        expect(second.status == 201 and second.json()["findings"] == 20000
               and second.json()["new_findings"] == 5000, second)
        expect(second.json()["build"] == first.json()["build"], (first, second))
        # a scan placed between the two compares with the first one
        mid = s.admin("POST", "/api/v1/scans?scanned_at=2026-11-10T00:00:00Z",
                      big_trivy(range(19990, 20010), "2026-11-10T00:00:00Z"), timeout=120)
        expect(mid.status == 201 and mid.json()["new_findings"] == 10, mid)
    finally:
        s.stop()


def test_image_reads_with_stale_statistics():
    """The image list and detail read each build's latest scan through the
    scans_build_time index whatever the planner's row estimates are. With
    statistics saying the tables are empty, the former join of every scan
    with build_images per listed image took minutes: here it would run into
    the 5 s statement limit and answer 503."""
    db = Database()
    s = Server(db, env={"MUSTER_DB_STATEMENT_MS": "5000", "MUSTER_EVALUATOR_SECONDS": "0"})
    try:
        db.query("BEGIN;"
                 " INSERT INTO reports (id, sha256, format, size, raw_gz) VALUES (1, 'bulk', 'trivy', 0, '');"
                 " INSERT INTO images (id, uai, registry, repository, version, first_seen)"
                 "  SELECT g, 'r.example/app' || g || ':1', 'r.example', 'app' || g, '1', now()"
                 "  FROM generate_series(1, 3000) g;"
                 " INSERT INTO builds (id) SELECT g FROM generate_series(1, 6000) g;"
                 " INSERT INTO build_images (build_id, image_id) SELECT g, (g + 1) / 2 FROM generate_series(1, 6000) g;"
                 " INSERT INTO scans (report_id, seq, image_id, build_id, digest, scanner_name, scanned_at,"
                 "  os_family, os_version, findings_count, new_findings)"
                 "  SELECT 1, g, (b + 1) / 2, b, 'sha256:' || b, 'trivy',"
                 "   timestamptz '2026-01-01' + (g % 97) * interval '1 day', 'debian', '12.' || (g % 7), 0, 0"
                 "  FROM generate_series(1, 60000) g, LATERAL (SELECT 1 + g % 5998 AS b) x;"
                 " SELECT setval(pg_get_serial_sequence('images', 'id'), 3000);"
                 " COMMIT")
        # vacuumed (all-visible pages make index-only scans look cheapest),
        # then statistics saying the tables are empty
        db.query("VACUUM ANALYZE")
        db.query("UPDATE pg_class SET reltuples = 0 WHERE relname IN ('scans', 'build_images', 'images', 'builds')")
        t0 = time.time()
        r = s.admin("GET", "/api/v1/images?limit=100")
        expect(r.status == 200 and len(r.json()["items"]) == 100, r)
        expect(time.time() - t0 < 4, "the list took %.1fs" % (time.time() - t0))
        want = {int(row[0]): row[1] for row in db.query(
            "SELECT bi.image_id, to_char(max(sc.scanned_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')"
            " FROM build_images bi JOIN scans sc ON sc.build_id = bi.build_id WHERE bi.image_id <= 101"
            " GROUP BY 1")}
        for item in r.json()["items"]:
            expect(item["last_scan_at"] == want.get(item["id"]) and item["never_scanned"] is (item["id"] not in want),
                   (item, want.get(item["id"])))
        # image 3000 has builds 5999 and 6000, which no scan names
        img = s.admin("GET", "/api/v1/images/3000").json()
        expect(img["never_scanned"] is True and img["last_scan_at"] is None and img["os"] is None, img)
        os_want = db.query("SELECT sc.os_family, sc.os_version FROM build_images bi JOIN scans sc ON sc.build_id = bi.build_id"
                           " WHERE bi.image_id = 7 ORDER BY sc.scanned_at DESC, sc.id DESC LIMIT 1")[0]
        img = s.admin("GET", "/api/v1/images/7").json()
        expect(img["os"] == {"family": os_want[0], "version": os_want[1]}, (img["os"], os_want))
    finally:
        s.stop()


def test_truncated_reports_change_nothing():
    db = Database()
    s = Server(db)
    try:
        s.admin("POST", "/api/v1/scans", read_fixture("grype", "anchore_keycloak-test.json"))
        body = read_fixture("trivy", "alpine-310-registry.json").rstrip()
        before = db.snapshot(TABLES)
        cuts = sorted(set([1, 2, 10, len(body) // 3, len(body) // 2, len(body) - 2, len(body) - 1] +
                          list(range(0, len(body), max(1, len(body) // 40)))))
        for cut in cuts:
            r = s.admin("POST", "/api/v1/scans", body[:cut])
            expect(r.status in (400, 415, 422), "cut at %d: %r" % (cut, r))
            if cut > 1:
                expect(r.status == 400, "cut at %d: %r" % (cut, r))
        expect(db.snapshot(TABLES) == before, "a truncated report changed the database")
    finally:
        s.stop()


def test_scanners_agree_on_identity_and_roles():
    db = Database()
    s = Server(db)
    try:
        grype = json.loads(read_fixture("grype", "anchore_keycloak-test.json"))
        trivy = json.loads(read_fixture("trivy", "alpine-310-registry.json"))
        # the same image as Trivy would report it: tag + repo digest
        tgt = grype["source"]["target"]
        trivy["ArtifactName"] = "keycloak/keycloak:21.0.2"
        trivy["Metadata"]["RepoTags"] = ["keycloak/keycloak:21.0.2"]
        trivy["Metadata"]["RepoDigests"] = tgt["repoDigests"]
        trivy["Metadata"]["ImageID"] = tgt["imageID"]
        g = s.admin("POST", "/api/v1/scans", json.dumps(grype).encode())
        scanner = s.token("scanner")
        t = s.request("POST", "/api/v1/scans", json.dumps(trivy).encode(), token=scanner)
        expect(g.status == 201 and t.status == 201, (g, t))
        expect(g.json()["image"] == t.json()["image"], (g.json(), t.json()))
        expect(db.scalar("SELECT count(*) FROM builds") == "1")
        img = g.json()["image"]
        by_digest = s.admin("GET", "/api/v1/images?digest=" + tgt["imageID"]).json()["items"]
        expect([i["id"] for i in by_digest] == [img["id"]], by_digest)
        by_uai = s.admin("GET", "/api/v1/images?uai=" + img["uai"]).json()["items"]
        expect([i["id"] for i in by_uai] == [img["id"]])
        expect(s.admin("GET", "/api/v1/scans?image=%d" % img["id"]).json()["items"].__len__() == 2)
        viewer = s.token("viewer")
        expect(s.request("GET", "/api/v1/images/%d/findings" % img["id"], token=viewer).status == 200)
        expect_error(s.request("POST", "/api/v1/scans", b"{}", token=viewer), 403)
        sensor = s.token("sensor")
        expect_error(s.request("GET", "/api/v1/images", token=sensor), 403)
        expect_error(s.request("GET", "/api/v1/images", token=scanner), 403)
    finally:
        s.stop()


def test_image_parameter_for_local_tarballs_and_renames():
    db = Database()
    s = Server(db)
    try:
        body = read_fixture("trivy", "debian-stretch.2021-10.json")
        expect_error(s.admin("POST", "/api/v1/scans", body), 422)
        r = s.admin("POST", "/api/v1/scans?image=registry.example.com/base/debian:9.9", body)
        expect(r.status == 201 and r.json()["image"]["uai"] == "registry.example.com/base/debian:9.9", r)
        expect_error(s.admin("POST", "/api/v1/scans?image=Not%20A%20Ref", body), 422)
        expect_error(s.admin("POST", "/api/v1/scans?format=nessus", body), 400)
        expect_error(s.admin("POST", "/api/v1/scans?scanned_at=yesterday", body), 400)
        # a versionless (moving tag) build later tagged: renamed once, old UAI still resolves
        grype = json.loads(read_fixture("edge", "defectdojo_grype_no_vuln.json"))
        r1 = s.admin("POST", "/api/v1/scans", json.dumps(grype).encode())
        old_uai = r1.json()["image"]["uai"]
        expect(":sha256-" in old_uai, r1)
        grype["source"]["target"]["tags"] = ["busybox:1.32.1"]
        grype["source"]["target"]["userInput"] = "busybox:1.32.1"
        r2 = s.admin("POST", "/api/v1/scans", json.dumps(grype).encode())
        expect(r2.json()["image"]["id"] == r1.json()["image"]["id"], (r1, r2))
        expect(r2.json()["image"]["uai"] == "docker.io/library/busybox:1.32.1", r2)
        by_old = s.admin("GET", "/api/v1/images?uai=" + old_uai).json()["items"]
        expect(len(by_old) == 1 and old_uai in by_old[0]["aliases"], by_old)
        # wrong content type
        expect_error(s.admin("POST", "/api/v1/scans", body, headers={"Content-Type": "text/html"}), 415)
    finally:
        s.stop()


if __name__ == "__main__":
    main(globals())
