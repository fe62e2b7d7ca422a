"""test_rules.py - the container rules of RULES.md section 3 over real HTTP
into a real PostgreSQL: scan_window, hardening, registry and kev open one
alert per (asset, rule) and resolve it when the rule holds again; only
production containers count; the policy, hardening and metadata
documents are validated and versioned; webhooks receive each alert change
once, signed, and a hanging receiver does not slow ingest; roles are
enforced. Scan times in the past come from ?scanned_at=, never from sleeping;
asynchronous work (the periodic evaluator, the webhook sender) is polled."""
import datetime
import hashlib
import hmac
import http.server
import json
import secrets
import socket
import threading
import time
import urllib.parse

from harness import Database, Server, expect, expect_error, main, read_fixture

NOW = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def ts(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def days_ago(n):
    return NOW - datetime.timedelta(days=n)


def parse_ts(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)


def new_digest():
    return "sha256:" + secrets.token_hex(32)


def trivy_report(ref, digest):
    """A real Trivy report (alpine 3.10, 2 CVEs on 2 packages) re-targeted at
    ref whose registry manifest digest is digest."""
    doc = json.loads(read_fixture("trivy", "alpine-310-registry.json"))
    repo = ref.split("@")[0].rsplit(":", 1)[0] if ":" in ref.split("/")[-1] else ref
    doc["ArtifactName"] = ref
    doc["Metadata"]["RepoTags"] = [ref]
    doc["Metadata"]["RepoDigests"] = ["%s@%s" % (repo, digest)]
    doc["Metadata"]["ImageID"] = new_digest()
    return json.dumps(doc).encode()


class Env:
    """A server with a production cluster 'prod' (namespaces sandbox-* are
    development) and a development cluster 'dev', plus role tokens."""

    def __init__(self, env=None, second_server=False):
        self.db = Database()
        self.s = Server(self.db, env=env)
        # another instance on the same database (several servers behind one URL)
        self.s2 = Server(self.db, env=env, bootstrap=self.s.admin_token) if second_server else None
        self.sensor = self.s.token("sensor")
        self.viewer = self.s.token("viewer")
        self.scanner = self.s.token("scanner")
        self.snap_time = {}
        for cluster, body in (("prod", {"environment": "production"}),
                              ("prod", {"environment": "development", "namespace": "sandbox-*"}),
                              ("dev", {"environment": "development"})):
            r = self.s.admin("PUT", "/api/v1/clusters/" + cluster, body)
            expect(r.status == 200, r)

    def stop(self):
        if self.s2:
            self.s2.stop()
        self.s.stop()

    def scan(self, ref, digest, when):
        r = self.s.request("POST", "/api/v1/scans?scanned_at=" + ts(when), trivy_report(ref, digest),
                           token=self.scanner)
        expect(r.status == 201, r)
        return r.json()

    def snapshot(self, cluster, containers, when=None):
        """containers: (namespace, pod, image ref, digest). Scope: the cluster."""
        t = when or self.snap_time.get(cluster, NOW - datetime.timedelta(hours=1)) + datetime.timedelta(seconds=1)
        self.snap_time[cluster] = t
        body = {"observed_at": ts(t), "containers": [
            {"namespace": ns, "pod": pod, "container": "app", "image": ref, "image_id": digest}
            for ns, pod, ref, digest in containers]}
        r = self.s.request("POST", "/api/v1/runtime?cluster=" + cluster, json.dumps(body).encode(),
                           token=self.sensor)
        expect(r.status == 201 and r.json()["containers"] == len(containers), r)
        return r.json()

    def harden(self, repo):
        r = self.s.admin("PUT", "/api/v1/repositories/%s/hardening" % repo, {
            "baseline": "CIS Docker Benchmark v1.6.0 - Level 1", "validated_by": "J. Smith",
            "validated_at": "2026-10-01"})
        expect(r.status == 200, r)
        return r.json()

    def policy(self, **changes):
        doc = self.s.admin("GET", "/api/v1/policy").json()["policy"]
        doc.update(changes)
        r = self.s.admin("PUT", "/api/v1/policy", doc)
        expect(r.status == 200, r)
        return r.json()

    def compliance(self):
        r = self.s.request("GET", "/api/v1/compliance", token=self.viewer)
        expect(r.status == 200, r)
        return {i["image"]["uai"]: i for i in r.json()["items"]}

    def alerts(self, status=None):
        q = "?limit=1000" + ("&status=" + status if status else "")
        r = self.s.request("GET", "/api/v1/alerts" + q, token=self.viewer)
        expect(r.status == 200, r)
        return r.json()["items"]


def open_rules(env):
    return sorted((a["image"]["uai"], a["rule"]) for a in env.alerts("open"))


def wait_for(cond, what, timeout=20.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.2)
    raise AssertionError("timed out waiting for " + what)


def test_scan_window_opens_and_resolves():
    e = Env()
    try:
        e.harden("docker.io/library/nginx")
        e.harden("registry.example.com/team/api")
        d_old, d_new = new_digest(), new_digest()
        scanned = days_ago(31)
        e.scan("nginx:1.25", d_old, scanned)
        snap = e.snapshot("prod", [("default", "web-1", "nginx:1.25", d_old),
                                   ("default", "api-1", "registry.example.com/team/api:2.0", d_new)])
        first_seen = e.snap_time["prod"]
        comp = e.compliance()
        expect(set(comp) == {"docker.io/library/nginx:1.25", "registry.example.com/team/api:2.0"}, comp)
        stale = comp["docker.io/library/nginx:1.25"]
        expect(stale["rules"] == ["scan_window"], stale)
        # the window runs from the last scan: in violation since scanned + 30 days
        expect(stale["since"]["scan_window"] == ts(scanned + datetime.timedelta(days=30)), stale)
        expect(stale["containers"] == 1 and stale["clusters"] == ["prod"], stale)
        build = stale["details"]["scan_window"]["builds"][0]
        expect(build["digest"] == d_old and build["last_scanned_at"] == ts(scanned), build)
        # a build running in production that was never scanned: at once
        never = comp["registry.example.com/team/api:2.0"]
        expect(never["rules"] == ["scan_window"] and never["since"]["scan_window"] == ts(first_seen), never)
        expect(never["details"]["scan_window"]["message"] == "never scanned", never)
        alerts = e.alerts("open")
        expect(sorted((a["image"]["uai"], a["rule"]) for a in alerts) ==
               [("docker.io/library/nginx:1.25", "scan_window"),
                ("registry.example.com/team/api:2.0", "scan_window")], alerts)
        a = [x for x in alerts if x["image"]["uai"] == "docker.io/library/nginx:1.25"][0]
        expect(a["status"] == "open" and a["resolved_at"] is None and a["opened_at"], a)
        expect(a["detail"]["since"] == ts(scanned + datetime.timedelta(days=30)), a)
        # evaluating again opens nothing new
        r = e.s.admin("POST", "/api/v1/alerts/evaluate")
        expect(r.status == 200 and r.json() == {"opened": 0, "resolved": 0}, r)
        expect(len(e.alerts()) == 2)
        # a fresh scan of the same build resolves the alert at once
        e.scan("nginx:1.25", d_old, days_ago(1))
        comp = e.compliance()
        expect(set(comp) == {"registry.example.com/team/api:2.0"}, comp)
        resolved = [x for x in e.alerts("resolved")]
        expect(len(resolved) == 1 and resolved[0]["id"] == a["id"] and resolved[0]["resolved_at"], resolved)
        # 29 days old is still inside the window
        e.scan("registry.example.com/team/api:2.0", d_new, days_ago(29))
        expect(e.compliance() == {}, e.compliance())
        expect(e.alerts("open") == [] and len(e.alerts("resolved")) == 2)
        # a shorter window makes that scan stale: the policy change re-evaluates
        e.policy(scan_window_days=14)
        expect(open_rules(e) == [("registry.example.com/team/api:2.0", "scan_window")], open_rules(e))
        # the alert history keeps one row per opening
        expect(len(e.alerts()) == 3)
        # filters and paging
        page = e.s.request("GET", "/api/v1/alerts?limit=1", token=e.viewer).json()
        expect(len(page["items"]) == 1 and page["next"], page)
        page2 = e.s.request("GET", "/api/v1/alerts?limit=1&cursor=" + page["next"], token=e.viewer).json()
        expect(page2["items"][0]["id"] > page["items"][0]["id"], page2)
        only = e.s.request("GET", "/api/v1/alerts?rule=scan_window&status=resolved", token=e.viewer).json()
        expect(len(only["items"]) == 2, only)
        expect_error(e.s.request("GET", "/api/v1/alerts?status=closed", token=e.viewer), 400)
        expect_error(e.s.request("GET", "/api/v1/alerts?rule=nope", token=e.viewer), 400)
    finally:
        e.stop()


def test_hardening_rule_and_documents():
    e = Env()
    try:
        d1, d2 = new_digest(), new_digest()
        r1 = e.scan("registry.example.com/base/debian:12.5", d1, days_ago(2))
        r2 = e.scan("registry.example.com/base/debian:12.6", d2, days_ago(2))
        e.snapshot("prod", [("default", "a", "registry.example.com/base/debian:12.5", d1),
                            ("default", "b", "registry.example.com/base/debian:12.6", d2)])
        expect(open_rules(e) == [("registry.example.com/base/debian:12.5", "hardening"),
                                 ("registry.example.com/base/debian:12.6", "hardening")], open_rules(e))
        comp = e.compliance()["registry.example.com/base/debian:12.5"]
        expect(comp["rules"] == ["hardening"] and
               comp["details"]["hardening"]["repository"] == "base/debian", comp)
        # an asset's own record resolves that asset only
        img1 = r1["image"]["id"]
        doc = {"baseline": "DISA STIG for Debian", "benchmark": "Debian 12 STIG V1R1",
               "validated_by": "ISSO", "validated_at": "2026-11-01T10:00:00Z",
               "evidence": "https://evidence.example.com/stig/1"}
        r = e.s.admin("PUT", "/api/v1/images/%d/hardening" % img1, doc)
        expect(r.status == 200, r)
        h = r.json()
        expect(h["current"]["baseline"] == "DISA STIG for Debian" and
               h["current"]["validated_at"] == "2026-11-01T10:00:00Z" and h["inherited"] is None, h)
        expect(open_rules(e) == [("registry.example.com/base/debian:12.6", "hardening")], open_rules(e))
        # a repository-wide record covers every version of it
        e.harden("registry.example.com/base/debian")
        expect(open_rules(e) == [], open_rules(e))
        expect(e.compliance() == {})
        # history: a second PUT closes the first row
        doc2 = dict(doc, baseline="DISA STIG for Debian, rev 2")
        expect(e.s.admin("PUT", "/api/v1/images/%d/hardening" % img1, doc2).status == 200)
        h = e.s.request("GET", "/api/v1/images/%d/hardening" % img1, token=e.viewer).json()
        expect(len(h["history"]) == 2 and h["history"][0]["valid_to"] is None and
               h["history"][1]["valid_to"] is not None and h["current"]["baseline"].endswith("rev 2"), h)
        expect(h["inherited"]["baseline"].startswith("CIS Docker"), h)
        expect(int(e.db.scalar("SELECT count(*) FROM hardening")) == 3)
        rh = e.s.request("GET", "/api/v1/repositories/registry.example.com/base/debian/hardening",
                         token=e.viewer).json()
        expect(rh["scope"] == {"registry": "registry.example.com", "repository": "base/debian"} and
               rh["current"]["validated_by"] == "J. Smith", rh)
        # Docker Hub short names are normalized
        e.harden("nginx")
        rh = e.s.request("GET", "/api/v1/repositories/docker.io/library/nginx/hardening", token=e.viewer).json()
        expect(rh["current"] is not None, rh)
        # validation: every field named
        before = e.db.snapshot(["hardening", "alerts"])
        for bad, field in (({"validated_by": "x", "validated_at": "2026-01-01"}, "baseline"),
                           ({"baseline": "x", "validated_at": "2026-01-01"}, "validated_by"),
                           ({"baseline": "x", "validated_by": "y"}, "validated_at"),
                           ({"baseline": "x", "validated_by": "y", "validated_at": "last week"}, "validated_at"),
                           ({"baseline": "x", "validated_by": "y", "validated_at": "2026-02-30"}, "validated_at"),
                           ({"baseline": "", "validated_by": "y", "validated_at": "2026-01-01"}, "baseline"),
                           ({"baseline": 5, "validated_by": "y", "validated_at": "2026-01-01"}, "baseline"),
                           ({"baseline": "x", "validated_by": "y", "validated_at": "2026-01-01", "extra": 1}, "extra")):
            err = expect_error(e.s.admin("PUT", "/api/v1/images/%d/hardening" % img1, bad), 422)
            expect(err["message"].startswith(field), (bad, err))
        expect_error(e.s.admin("PUT", "/api/v1/images/999999/hardening", doc), 404)
        expect_error(e.s.admin("PUT", "/api/v1/images/abc/hardening", doc), 404)
        expect_error(e.s.admin("PUT", "/api/v1/repositories/nginx:1.25/hardening", doc), 400)
        expect_error(e.s.admin("PUT", "/api/v1/repositories/Not%20A%20Repo/hardening", doc), 400)
        expect_error(e.s.admin("PUT", "/api/v1/images/%d/hardening" % img1, b"[1]",
                               headers={"Content-Type": "application/json"}), 400)
        expect(e.db.snapshot(["hardening", "alerts"]) == before)
        # the policy can turn the rule off
        e.snapshot("prod", [("default", "c", "quay.io/other/tool:1", d2)])
        expect(("quay.io/other/tool:1", "hardening") in open_rules(e), open_rules(e))
        e.policy(require_hardening=False)
        expect(open_rules(e) == [], open_rules(e))
        # the audit log has every write
        expect(int(e.db.scalar("SELECT count(*) FROM audit_log WHERE action = 'hardening.put'")) == 4)
    finally:
        e.stop()


def test_metadata_documents():
    e = Env()
    try:
        r = e.scan("registry.example.com/team/web:3.1", new_digest(), days_ago(1))
        img = r["image"]["id"]
        doc = {"owner": "Platform team", "application_owner": "Web team", "function": "Web front end",
               "diagram_label": "WEB-1", "vendor": "Example Corp", "software_name_version": "web 3.1",
               "public": True, "end_of_life": "2028-12-31", "location": "us-east-1",
               "comments": "internet facing", "vendor": "Example Corp"}
        r = e.s.admin("PUT", "/api/v1/images/%d/metadata" % img, doc)
        expect(r.status == 200 and r.json()["current"]["metadata"] == doc, r)
        # null members are absent; a new PUT replaces the document
        r = e.s.admin("PUT", "/api/v1/images/%d/metadata" % img, {"owner": "Ops", "comments": None})
        expect(r.json()["current"]["metadata"] == {"owner": "Ops"} and len(r.json()["history"]) == 2, r)
        got = e.s.request("GET", "/api/v1/images/%d/metadata" % img, token=e.viewer).json()
        expect(got["history"][1]["metadata"] == doc and got["history"][1]["valid_to"], got)
        rr = e.s.admin("PUT", "/api/v1/repositories/registry.example.com/team/web/metadata", {"vendor": "X"})
        expect(rr.status == 200 and rr.json()["scope"]["repository"] == "team/web", rr)
        got = e.s.request("GET", "/api/v1/images/%d/metadata" % img, token=e.viewer).json()
        expect(got["inherited"]["metadata"] == {"vendor": "X"}, got)
        for bad, field in (({"owner": "x", "color": "red"}, "color"),
                           ({"public": "yes"}, "public"),
                           ({"end_of_life": "2028-13-01"}, "end_of_life"),
                           ({"end_of_life": "2028-12-31T00:00:00Z"}, "end_of_life"),
                           ({"owner": 7}, "owner"),
                           ({"comments": "x" * 4001}, "comments")):
            err = expect_error(e.s.admin("PUT", "/api/v1/images/%d/metadata" % img, bad), 422)
            expect(err["message"].startswith(field), (bad, err))
        expect_error(e.s.admin("PUT", "/api/v1/images/424242/metadata", {"owner": "x"}), 404)
        expect_error(e.s.request("GET", "/api/v1/images/424242/metadata", token=e.viewer), 404)
        expect(int(e.db.scalar("SELECT count(*) FROM asset_metadata")) == 3)
    finally:
        e.stop()


def test_registry_rule_and_policy_documents():
    e = Env()
    try:
        # the default policy
        p = e.s.request("GET", "/api/v1/policy", token=e.viewer).json()
        expect(p["policy"] == {"scan_window_days": 30, "allowed_registries": [], "require_hardening": True,
                               "admission_mode": "enforce", "moving_tags": ["latest"]}, p)
        d1, d2 = new_digest(), new_digest()
        e.scan("registry.example.com/team/api:1.0", d1, days_ago(1))
        e.scan("quay.io/vendor/agent:5.2", d2, days_ago(1))
        e.harden("registry.example.com/team/api")
        e.harden("quay.io/vendor/agent")
        e.snapshot("prod", [("default", "a", "registry.example.com/team/api:1.0", d1),
                            ("default", "b", "quay.io/vendor/agent:5.2", d2)])
        expect(open_rules(e) == [], open_rules(e))
        # normalized: upper case host, duplicates
        r = e.policy(allowed_registries=["Registry.Example.com", "registry.example.com"])
        expect(r["policy"]["allowed_registries"] == ["registry.example.com"], r)
        expect(open_rules(e) == [("quay.io/vendor/agent:5.2", "registry")], open_rules(e))
        comp = e.compliance()["quay.io/vendor/agent:5.2"]
        expect(comp["details"]["registry"]["registry"] == "quay.io", comp)
        e.policy(allowed_registries=["registry.example.com", "quay.io"])
        expect(open_rules(e) == [], open_rules(e))
        expect(len(e.alerts("resolved")) == 1)
        # every field validated, the offending one named, nothing stored
        good = e.s.admin("GET", "/api/v1/policy").json()["policy"]
        versions = e.db.scalar("SELECT count(*) FROM policy_versions")
        for field, value in (("scan_window_days", 0), ("scan_window_days", 366), ("scan_window_days", "30"),
                             ("scan_window_days", 30.5), ("allowed_registries", "quay.io"),
                             ("allowed_registries", ["quay.io/vendor"]), ("allowed_registries", ["nohost"]),
                             ("allowed_registries", [7]), ("require_hardening", "yes"),
                             ("admission_mode", "audit"), ("moving_tags", ["bad tag"]),
                             ("moving_tags", "latest")):
            err = expect_error(e.s.admin("PUT", "/api/v1/policy", dict(good, **{field: value})), 422)
            expect(err["message"].startswith(field), (field, value, err))
        for missing in good:
            doc = dict(good)
            del doc[missing]
            err = expect_error(e.s.admin("PUT", "/api/v1/policy", doc), 422)
            expect(err["message"].startswith(missing) and "required" in err["message"], err)
        err = expect_error(e.s.admin("PUT", "/api/v1/policy", dict(good, window=3)), 422)
        expect(err["message"].startswith("window"), err)
        expect_error(e.s.admin("PUT", "/api/v1/policy", b"[]", headers={"Content-Type": "application/json"}), 400)
        expect(e.db.scalar("SELECT count(*) FROM policy_versions") == versions)
        # GET returns the latest version
        p = e.s.request("GET", "/api/v1/policy", token=e.viewer).json()
        expect(p["policy"] == good and p["version"] == int(versions), p)
    finally:
        e.stop()


def test_kev_rule_by_the_periodic_evaluator():
    # evaluation every second: the KEV rows below are inserted behind
    # muster's back, so only the evaluator thread can notice them
    e = Env(env={"MUSTER_EVALUATOR_SECONDS": "1"})
    try:
        body = read_fixture("trivy", "spring4shell-jre11.json")
        ref = "registry.example.com/apps/spring:1.0"
        r = e.s.request("POST", "/api/v1/scans?image=%s&scanned_at=%s" % (ref, ts(days_ago(2))), body,
                        token=e.scanner)
        expect(r.status == 201, r)
        digest = r.json()["build"]["digest"]
        e.harden("registry.example.com/apps/spring")
        e.snapshot("prod", [("shop", "spring-1", ref, digest)])
        expect(open_rules(e) == [], open_rules(e))
        kev = {v["cveID"]: v for v in json.loads(read_fixture("kev", "known_exploited_vulnerabilities.json"))["vulnerabilities"]}
        v = kev["CVE-2022-22965"]
        e.db.query("INSERT INTO kev_entries (cve, vendor, product, name, date_added, due_date) VALUES "
                   "('%s', '%s', '%s', '%s', '%s', '%s')" % (v["cveID"], v["vendorProject"], v["product"],
                                                             v["vulnerabilityName"], v["dateAdded"], v["dueDate"]))
        wait_for(lambda: open_rules(e) == [("registry.example.com/apps/spring:1.0", "kev")], "a kev alert")
        a = e.alerts("open")[0]
        expect(a["detail"]["builds"][0]["cves"] == ["CVE-2022-22965"] and
               a["detail"]["since"] == ts(days_ago(2)), a)
        comp = e.compliance()[ref]
        expect(comp["rules"] == ["kev"] and comp["since"]["kev"] == ts(days_ago(2)), comp)
        # a newer scan without the finding resolves it
        clean = json.loads(read_fixture("trivy", "spring4shell-jre11.json"))
        for res in clean["Results"]:
            res["Vulnerabilities"] = [x for x in res.get("Vulnerabilities") or []
                                      if x["VulnerabilityID"] != "CVE-2022-22965"]
        r = e.s.request("POST", "/api/v1/scans?image=%s&scanned_at=%s" % (ref, ts(days_ago(1))),
                        json.dumps(clean).encode(), token=e.scanner)
        expect(r.status == 201 and r.json()["build"]["digest"] == digest, r)
        expect(open_rules(e) == [], open_rules(e))
        # an alias matches too: a finding tracked as CVE-2019-1549 whose
        # report also names CVE-2021-44228 (Trivy's VendorIDs become aliases)
        tool, tool_digest = "registry.example.com/apps/tool:2", new_digest()
        doc = json.loads(trivy_report(tool, tool_digest))
        doc["Results"][0]["Vulnerabilities"][0]["VendorIDs"] = ["CVE-2021-44228"]
        expect(doc["Results"][0]["Vulnerabilities"][0]["VulnerabilityID"] == "CVE-2019-1549")
        r = e.s.request("POST", "/api/v1/scans?scanned_at=" + ts(days_ago(1)), json.dumps(doc).encode(),
                        token=e.scanner)
        expect(r.status == 201, r)
        expect(e.db.scalar("SELECT aliases[1] || ' ' || weakness FROM findings WHERE scan_id = %d AND ord = 0"
                           % r.json()["scan_id"]) == "CVE-2021-44228 CVE-2019-1549")
        e.harden("registry.example.com/apps/tool")
        e.snapshot("prod", [("shop", "spring-1", ref, digest), ("shop", "tool-1", tool, tool_digest)])
        expect(open_rules(e) == [], open_rules(e))
        v = kev["CVE-2021-44228"]
        e.db.query("INSERT INTO kev_entries (cve, vendor, product, date_added, due_date) VALUES "
                   "('%s', '%s', '%s', '%s', '%s')" % (v["cveID"], v["vendorProject"], v["product"],
                                                       v["dateAdded"], v["dueDate"]))
        wait_for(lambda: open_rules(e) == [(tool, "kev")], "a kev alert through an alias")
        expect(e.alerts("open")[0]["detail"]["builds"][0]["cves"] == ["CVE-2021-44228"], e.alerts("open"))
        e.db.query("DELETE FROM kev_entries WHERE cve = 'CVE-2021-44228'")
        wait_for(lambda: open_rules(e) == [], "the alias alert to resolve")
    finally:
        e.stop()


def test_non_production_never_counts():
    e = Env()
    try:
        d = new_digest()
        e.scan("registry.example.com/team/old:1.0", d, days_ago(90))
        ref = "registry.example.com/team/old:1.0"
        e.snapshot("dev", [("default", "old-1", ref, d)])
        e.snapshot("prod", [("sandbox-alice", "old-2", ref, d)])
        expect(e.compliance() == {} and e.alerts() == [], e.alerts())
        # a cluster nobody configured is not production either
        e.snapshot("unknown", [("default", "old-3", ref, d)])
        expect(e.compliance() == {} and e.alerts() == [])
        # the same image in a production namespace counts; dev copies do not add up
        e.snapshot("prod", [("sandbox-alice", "old-2", ref, d), ("default", "old-4", ref, d)])
        comp = e.compliance()
        expect(list(comp) == [ref] and comp[ref]["containers"] == 1 and comp[ref]["clusters"] == ["prod"], comp)
        expect(open_rules(e) == [(ref, "hardening"), (ref, "scan_window")], open_rules(e))
        # the production container goes away: the asset leaves the rules, alerts resolve
        e.snapshot("prod", [("sandbox-alice", "old-2", ref, d)])
        expect(e.compliance() == {} and open_rules(e) == [], open_rules(e))
        expect(len(e.alerts("resolved")) == 2)
    finally:
        e.stop()


class Receiver:
    """A webhook receiver on 127.0.0.1 that records every POST (or hangs)."""

    def __init__(self, hang=False, status=204):
        self.requests = []
        self.hang = hang
        self.status = status
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with outer.lock:
                    outer.requests.append((self.path, dict(self.headers), body))
                if outer.hang:
                    time.sleep(30)
                    return
                self.send_response(outer.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def got(self):
        with self.lock:
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_webhooks_receive_each_alert_once_signed():
    e = Env()
    signed, plain = Receiver(), Receiver()
    try:
        secret = "s3cret-" + secrets.token_hex(8)
        w1 = e.s.admin("POST", "/api/v1/webhooks", {"url": signed.url("/hook?team=sec"), "secret": secret})
        w2 = e.s.admin("POST", "/api/v1/webhooks", {"url": plain.url()})
        expect(w1.status == 201 and w1.json()["has_secret"] is True and "secret" not in w1.json(), w1)
        expect(w2.status == 201 and w2.json()["has_secret"] is False, w2)
        listed = e.s.admin("GET", "/api/v1/webhooks").json()["items"]
        expect([w["id"] for w in listed] == [w1.json()["id"], w2.json()["id"]] and
               all("secret" not in w for w in listed), listed)
        # one alert opens (stale scan) and then resolves (fresh scan)
        d = new_digest()
        ref = "registry.example.com/team/pay:4.2"
        e.harden("registry.example.com/team/pay")
        e.scan(ref, d, days_ago(40))
        e.snapshot("prod", [("pay", "pay-1", ref, d)])
        e.scan(ref, d, days_ago(1))
        expect(len(e.alerts("resolved")) == 1)
        alert = e.alerts("resolved")[0]
        for _ in range(2):   # more evaluations send nothing again
            expect(e.s.admin("POST", "/api/v1/alerts/evaluate").json() == {"opened": 0, "resolved": 0})
        wait_for(lambda: len(signed.got()) == 2 and len(plain.got()) == 2, "two deliveries to each receiver")
        for rcv, has_secret in ((signed, True), (plain, False)):
            got = rcv.got()
            events = [json.loads(b)["event"] for _, _, b in got]
            expect(events == ["alert.opened", "alert.resolved"], events)
            for path, headers, body in got:
                doc = json.loads(body)
                expect(doc["alert"]["id"] == alert["id"] and doc["alert"]["rule"] == "scan_window" and
                       doc["alert"]["image"]["uai"] == ref, doc)
                expect(headers["Content-Type"] == "application/json" and
                       headers["X-Muster-Event"] == doc["event"], headers)
                if has_secret:
                    want = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
                    expect(path == "/hook?team=sec" and hmac.compare_digest(headers["X-Muster-Signature"], want),
                           headers)
                else:
                    expect("X-Muster-Signature" not in headers, headers)
            expect(json.loads(got[1][2])["alert"]["status"] == "resolved" and
                   json.loads(got[1][2])["alert"]["resolved_at"], got[1])
        dl = e.s.admin("GET", "/api/v1/webhooks/%d/deliveries" % w1.json()["id"]).json()["items"]
        expect([(x["event"], x["status"], x["attempts"]) for x in dl] ==
               [("alert.opened", "delivered", 1), ("alert.resolved", "delivered", 1)], dl)
        # a deleted webhook gets nothing more
        expect(e.s.admin("DELETE", "/api/v1/webhooks/%d" % w2.json()["id"]).status == 200)
        expect_error(e.s.admin("DELETE", "/api/v1/webhooks/%d" % w2.json()["id"]), 404)
        e.policy(scan_window_days=1)
        wait_for(lambda: len(signed.got()) == 3, "the third delivery")
        time.sleep(1.5)   # one more sender round: nothing for the deleted webhook
        expect(len(plain.got()) == 2 and len(signed.got()) == 3)
        expect(int(e.db.scalar("SELECT count(*) FROM webhook_deliveries")) == 5)
        # validation
        for bad in ({"url": "ftp://x/"}, {"url": "http://"}, {"url": "http://a b/"}, {"url": "http://h:99999/"},
                    {"url": "http://user@h/"}, {"url": 5}, {}, {"url": "http://h/", "secret": ""},
                    {"url": "http://h/", "secret": 5}, {"url": "http://h/", "events": []}):
            expect_error(e.s.admin("POST", "/api/v1/webhooks", bad), 422)
        expect_error(e.s.admin("GET", "/api/v1/webhooks/999/deliveries"), 404)
        expect_error(e.s.admin("DELETE", "/api/v1/webhooks/0"), 404)
    finally:
        e.stop()
        signed.close()
        plain.close()


def test_two_servers_evaluate_and_deliver_each_alert_once():
    # both servers run the periodic evaluator and a sender, and requests
    # evaluate concurrently on both: one alert per (asset, rule), one
    # delivery per alert change
    e = Env(env={"MUSTER_EVALUATOR_SECONDS": "1"}, second_server=True)
    rcv = Receiver()
    try:
        e.s.admin("POST", "/api/v1/webhooks", {"url": rcv.url(), "secret": "k"})
        refs = ["registry.example.com/fleet/svc%d:1" % i for i in range(6)]
        digests = [new_digest() for _ in refs]
        for ref, d in zip(refs, digests):
            e.scan(ref, d, days_ago(60))
        errors = []

        def hammer(server, n):
            for _ in range(n):
                r = server.admin("POST", "/api/v1/alerts/evaluate")
                if r.status != 200:
                    errors.append(r)

        threads = [threading.Thread(target=hammer, args=(srv, 5)) for srv in (e.s, e.s2) * 4]
        for t in threads:
            t.start()
        e.snapshot("prod", [("fleet", "p%d" % i, ref, d) for i, (ref, d) in enumerate(zip(refs, digests))])
        for t in threads:
            t.join()
        expect(not errors, errors)
        want = sorted([(ref, rule) for ref in refs for rule in ("hardening", "scan_window")])
        expect(open_rules(e) == want, open_rules(e))
        # resolve them all from the second server
        for ref in refs:
            r = e.s2.admin("PUT", "/api/v1/repositories/%s/hardening" % ref.rsplit(":", 1)[0], {
                "baseline": "CIS", "validated_by": "x", "validated_at": "2026-01-01"})
            expect(r.status == 200, r)
        for ref, d in zip(refs, digests):
            r = e.s2.request("POST", "/api/v1/scans?scanned_at=" + ts(days_ago(1)), trivy_report(ref, d),
                             token=e.scanner)
            expect(r.status == 201, r)
        expect(open_rules(e) == [] and len(e.alerts("resolved")) == 12, open_rules(e))
        wait_for(lambda: e.db.scalar("SELECT count(*) FILTER (WHERE status = 'delivered') || '/' || count(*)"
                                     " FROM webhook_deliveries") == "24/24", "24 deliveries")
        time.sleep(2.5)   # more sender and evaluator rounds on both servers: nothing new
        got = [(json.loads(b)["alert"]["id"], json.loads(b)["event"]) for _, _, b in rcv.got()]
        expect(len(got) == 24 and len(set(got)) == 24, sorted(got))
        expect(int(e.db.scalar("SELECT count(*) FROM alerts")) == 12)
    finally:
        e.stop()
        rcv.close()


def test_failing_receiver_backs_off_then_gives_up():
    e = Env()
    rcv = Receiver(status=500)
    try:
        wid = e.s.admin("POST", "/api/v1/webhooks", {"url": rcv.url()}).json()["id"]
        d = new_digest()
        e.harden("registry.example.com/team/flaky")
        e.scan("registry.example.com/team/flaky:1", d, days_ago(50))
        e.snapshot("prod", [("x", "flaky-1", "registry.example.com/team/flaky:1", d)])

        def delivery():
            items = e.s.admin("GET", "/api/v1/webhooks/%d/deliveries" % wid).json()["items"]
            expect(len(items) == 1, items)
            return items[0]

        def after_attempt(n):
            return lambda: delivery()["attempts"] == n and delivery()["last_error"] and delivery()

        x = wait_for(after_attempt(1), "the first attempt")
        expect(x["status"] == "pending" and x["last_error"] == "the receiver answered HTTP 500", x)
        wait_s = (parse_ts(x["next_attempt_at"]) - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        expect(7 <= wait_s <= 11, wait_s)   # 10 s after the first attempt
        # make the third attempt due now: it backs off 40 s
        e.db.query("UPDATE webhook_deliveries SET attempts = 2, next_attempt_at = now()")
        x = wait_for(after_attempt(3), "the third attempt")
        wait_s = (parse_ts(x["next_attempt_at"]) - datetime.datetime.now(datetime.timezone.utc)).total_seconds()
        expect(36 <= wait_s <= 41, wait_s)
        # the eighth attempt is the last
        e.db.query("UPDATE webhook_deliveries SET attempts = 7, next_attempt_at = now()")
        x = wait_for(lambda: delivery()["status"] == "failed" and delivery(), "the delivery to fail")
        expect(x["attempts"] == 8 and x["next_attempt_at"] is None, x)
        expect(len(rcv.got()) == 3, len(rcv.got()))
    finally:
        e.stop()
        rcv.close()


def test_hanging_receiver_does_not_slow_ingest():
    e = Env()
    hang = Receiver(hang=True)
    try:
        e.s.admin("POST", "/api/v1/webhooks", {"url": hang.url(), "secret": "x"})
        d = new_digest()
        ref = "registry.example.com/team/batch:7"
        e.scan(ref, d, days_ago(45))
        e.snapshot("prod", [("jobs", "batch-1", ref, d)])   # opens two alerts
        wait_for(lambda: len(hang.got()) >= 1, "the receiver to be called")
        # the sender now waits on the receiver; ingest and reads stay fast
        t0 = time.time()
        for i in range(5):
            e.scan("registry.example.com/team/other:%d" % i, new_digest(), days_ago(1))
            e.snapshot("prod", [("jobs", "batch-1", ref, d),
                                ("jobs", "o-%d" % i, "registry.example.com/team/other:%d" % i, new_digest())])
            e.compliance()
        elapsed = time.time() - t0
        expect(elapsed < 4.0, "ingest took %.1f s while the receiver hangs" % elapsed)
        # the delivery times out and is retried later, with the reason kept
        wid = e.db.scalar("SELECT id FROM webhooks")
        def failed_once():
            items = e.s.admin("GET", "/api/v1/webhooks/%s/deliveries" % wid).json()["items"]
            return [x for x in items if x["last_error"]]
        items = wait_for(failed_once, "a timed-out delivery", timeout=30)
        x = items[0]
        expect(x["status"] == "pending" and x["attempts"] == 1 and "answer" in x["last_error"] and
               parse_ts(x["next_attempt_at"]) > datetime.datetime.now(datetime.timezone.utc), x)
        # the webhook's other deliveries wait for the retry instead of hanging one by one
        expect(len(hang.got()) == 1, len(hang.got()))
    finally:
        e.stop()
        hang.close()


def test_authorization():
    e = Env()
    try:
        img = e.scan("registry.example.com/x/y:1", new_digest(), days_ago(1))["image"]["id"]
        hdoc = {"baseline": "b", "validated_by": "v", "validated_at": "2026-01-01"}
        pdoc = e.s.admin("GET", "/api/v1/policy").json()["policy"]
        for tok in (e.viewer, e.sensor, e.scanner):
            expect_error(e.s.request("PUT", "/api/v1/policy", pdoc, token=tok), 403)
            expect_error(e.s.request("PUT", "/api/v1/images/%d/hardening" % img, hdoc, token=tok), 403)
            expect_error(e.s.request("PUT", "/api/v1/repositories/x.io/a/hardening", hdoc, token=tok), 403)
            expect_error(e.s.request("PUT", "/api/v1/images/%d/metadata" % img, {}, token=tok), 403)
            expect_error(e.s.request("PUT", "/api/v1/repositories/x.io/a/metadata", {}, token=tok), 403)
            expect_error(e.s.request("POST", "/api/v1/webhooks", {"url": "http://h/"}, token=tok), 403)
            expect_error(e.s.request("GET", "/api/v1/webhooks", token=tok), 403)
            expect_error(e.s.request("DELETE", "/api/v1/webhooks/1", token=tok), 403)
            expect_error(e.s.request("GET", "/api/v1/webhooks/1/deliveries", token=tok), 403)
            expect_error(e.s.request("POST", "/api/v1/alerts/evaluate", token=tok), 403)
        for tok in (e.sensor, e.scanner):
            for path in ("/api/v1/compliance", "/api/v1/alerts", "/api/v1/policy",
                         "/api/v1/images/%d/hardening" % img, "/api/v1/images/%d/metadata" % img,
                         "/api/v1/repositories/x.io/a/hardening", "/api/v1/repositories/x.io/a/metadata"):
                expect_error(e.s.request("GET", path, token=tok), 403)
        for path in ("/api/v1/compliance", "/api/v1/alerts", "/api/v1/policy",
                     "/api/v1/images/%d/hardening" % img, "/api/v1/images/%d/metadata" % img,
                     "/api/v1/repositories/x.io/a/hardening", "/api/v1/repositories/x.io/a/metadata"):
            expect(e.s.request("GET", path, token=e.viewer).status == 200, path)
            expect_error(e.s.request("GET", path), 401)
        expect_error(e.s.request("POST", "/api/v1/admission", b"{}", token=e.viewer), 403)
        expect_error(e.s.request("POST", "/api/v1/admission", b"{}", token=e.scanner), 403)
        expect_error(e.s.request("POST", "/api/v1/admission", b"{}"), 401)
        expect(e.s.request("POST", "/api/v1/admission", b"{}", token=e.sensor).status == 400)
        expect_error(e.s.request("DELETE", "/api/v1/policy", token=e.viewer), 405)
    finally:
        e.stop()


if __name__ == "__main__":
    main(globals())
