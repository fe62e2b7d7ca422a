"""test_poam.py - the POA&M over real HTTP and PostgreSQL (RULES.md 5, docs/poam.md):
the lifecycle over time from scan and snapshot timestamps (open, extend across a
rebuild and a new tag, close when the container stops or the scan is clean, a
new item when a weakness comes back), original detection dates, due dates per
risk, KEV due dates and BOD 22-01 columns (matched on weakness or alias),
vendor dependency and the fix appearing, late items and vendor check-ins,
deviation requests and decisions, V-ids, the event history (state at a past
moment = fold of the events = the cache now), the workbook read back with
openpyxl against the official template, the CSV, the OSCAL document validated
against NIST's schema, reproducible past months, the CLI, and two servers
updating the same repository at once. Tests never sleep: times come from
?scanned_at= and ?observed_at=."""
import csv
import datetime
import hashlib
import io
import json
import os
import subprocess
import threading
import time

from harness import (MUSTER_BIN, WORK, Database, Server, expect, expect_error, fixture, main,
                     read_fixture)

REG = "registry.example.com"
REPO = "team/app"
D0 = datetime.date(2027, 1, 4)
TEMPLATE = fixture("fedramp", "FedRAMP-POAM-Template.xlsx")
OSCAL_SCHEMA = fixture("oscal", "oscal_poam_schema_v1.0.6.json")


def day(n):
    return D0 + datetime.timedelta(days=n)


def ts(n, hour=0):
    return "%sT%02d:00:00Z" % (day(n).isoformat(), hour)


def digest(name):
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def vuln(vid, pkg, installed, fixed, severity, aliases=None, title=None):
    v = {"VulnerabilityID": vid, "PkgName": pkg, "InstalledVersion": installed, "Severity": severity,
         "Title": title or ("%s in %s" % (vid, pkg))}
    if fixed:
        v["FixedVersion"] = fixed
    if aliases:
        v["VendorIDs"] = aliases
    return v


def trivy(ref, build, vulns, created):
    """A Trivy JSON report of image ref (registry/repo:tag) whose build is `build`."""
    repo = ref.rsplit(":", 1)[0]
    return {"SchemaVersion": 2, "CreatedAt": created, "ArtifactName": ref, "ArtifactType": "container_image",
            "Metadata": {"OS": {"Family": "alpine", "Name": "3.18.4"}, "ImageID": digest("config:" + build),
                         "RepoTags": [ref], "RepoDigests": [repo + "@" + digest(build)]},
            "Results": [{"Target": ref + " (alpine 3.18.4)", "Class": "os-pkgs", "Type": "alpine",
                         "Vulnerabilities": vulns}]}


class System:
    """A server with a production cluster and helpers to scan and deploy."""

    def __init__(self, db=None, env=None):
        self.db = db or Database()
        self.s = Server(self.db, env=env)
        self.scanner = self.s.token("scanner")
        self.sensor = self.s.token("sensor")
        self.viewer = self.s.token("viewer")
        r = self.s.admin("PUT", "/api/v1/clusters/prod", {"environment": "production"})
        expect(r.status == 200, r)
        r = self.s.admin("PUT", "/api/v1/clusters/dev", {"environment": "development"})
        expect(r.status == 200, r)

    def scan(self, ref, build, vulns, when):
        body = json.dumps(trivy(ref, build, vulns, when)).encode()
        r = self.s.request("POST", "/api/v1/scans?scanned_at=" + when, body, token=self.scanner,
                           headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)
        return r.json()

    def deploy(self, containers, when, cluster="prod"):
        """containers: [(pod, ref, build)] - the whole truth of the cluster at `when`."""
        doc = {"observed_at": when, "containers": [
            {"namespace": "web", "pod": pod, "container": "app", "image": ref, "image_id": digest(build)}
            for pod, ref, build in containers]}
        r = self.s.request("POST", "/api/v1/runtime?cluster=%s&observed_at=%s" % (cluster, when),
                           json.dumps(doc).encode(), token=self.sensor, headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)
        return r.json()

    def items(self, query=""):
        out, cursor = [], None
        while True:
            r = self.s.request("GET", "/api/v1/poam?limit=2" + query + ("&cursor=" + cursor if cursor else ""),
                               token=self.viewer)
            expect(r.status == 200, r)
            out += r.json()["items"]
            cursor = r.json()["next"]
            if not cursor:
                return out

    def item(self, ref):
        r = self.s.request("GET", "/api/v1/poam/" + ref, token=self.viewer)
        expect(r.status == 200, r)
        return r.json()

    def by_weakness(self, w, status=None):
        found = [i for i in self.items("&weakness=" + w) if status is None or i["status"] == status]
        return found

    def get(self, path):
        r = self.s.request("GET", path, token=self.viewer)
        expect(r.status == 200, r)
        return r

    def stop(self):
        self.s.stop()


def uai(tag):
    return "%s/%s:%s" % (REG, REPO, tag)


def one(items):
    expect(len(items) == 1, items)
    return items[0]


def fold_equals_cache(db):
    """The cache of every item equals the fold of its events."""
    bad = db.scalar("SELECT count(*) FROM poam_items it WHERE it.state IS DISTINCT FROM"
                    " (SELECT muster_jsonb_fold(e.delta ORDER BY e.at, e.id) FROM poam_events e WHERE e.item_id = it.id)")
    expect(bad == "0", "items whose cache differs from the fold of their events: %s" % bad)


def test_lifecycle_timeline():
    """scan day 0, fixed build day 20, re-tag day 40, fix day 50, clean scan day 60, back day 70."""
    sy = System()
    try:
        A = vuln("CVE-2027-1001", "libssl3", "3.1.0-r0", "3.1.4-r0", "HIGH")
        B = vuln("CVE-2027-1002", "libfoo", "1.0-r0", None, "MEDIUM")
        C = vuln("CVE-2027-1003", "libbar", "2.0-r0", "2.1-r0", "LOW")
        sy.scan(uai("1.0"), "b1", [A, B, C], ts(0))
        expect(sy.items() == [], "a scanned build that does not run opens nothing")
        # a non-production cluster opens nothing either
        sy.deploy([("app-0", uai("1.0"), "b1")], ts(0, 1), cluster="dev")
        expect(sy.items() == [])
        sy.deploy([("app-1", uai("1.0"), "b1")], ts(0, 1))
        items = {i["weakness"]: i for i in sy.items()}
        expect(sorted(items) == ["CVE-2027-1001", "CVE-2027-1002", "CVE-2027-1003"], items)
        # V-ids in weakness order, from 1
        expect([items[w]["poam_id"] for w in sorted(items)] == ["V-1", "V-2", "V-3"], items)
        for w, risk, days in (("CVE-2027-1001", "High", 30), ("CVE-2027-1002", "Moderate", 90),
                              ("CVE-2027-1003", "Low", 180)):
            it = items[w]
            expect(it["status"] == "open" and it["original_risk"] == risk, it)
            expect(it["detected"] == day(0).isoformat(), it)
            expect(it["scheduled"] == (day(0) + datetime.timedelta(days=days)).isoformat(), (w, it["scheduled"]))
            expect(it["assets"] == [uai("1.0")], it)
            expect(it["kev"] is False and it["kev_due"] is None, it)
            expect(it["source_id"] == w and it["detector"] == "trivy", it)
        expect(items["CVE-2027-1002"]["vendor_dependency"] is True, items)
        expect(items["CVE-2027-1002"]["vendor_product"] == "libfoo", items)
        expect(items["CVE-2027-1001"]["vendor_dependency"] is False, items)

        # day 20: a rebuild without A and C replaces the container
        sy.scan(uai("1.1"), "b2", [B], ts(20))
        expect(len(sy.items("&status=open")) == 3, "scanning a build that does not run changes nothing")
        sy.deploy([("app-2", uai("1.1"), "b2")], ts(20, 1))
        v1, v2, v3 = sy.item("V-1"), sy.item("V-2"), sy.item("V-3")
        expect(v1["status"] == "closed" and v1["status_date"] == day(20).isoformat(), v1)
        expect(v1["close_reason"] == "not_running", v1)
        expect(v3["status"] == "closed", v3)
        expect(v2["status"] == "open" and v2["detected"] == day(0).isoformat(), v2)
        expect(v2["assets"] == [uai("1.1")], "the item follows the rebuild: %r" % v2["assets"])
        expect(v2["status_date"] == day(20).isoformat(), v2)

        # day 40: the same build gets a new tag; both tags run
        sy.scan(uai("2.0"), "b2", [B], ts(40))
        sy.deploy([("app-2", uai("1.1"), "b2"), ("app-3", uai("2.0"), "b2")], ts(40, 1))
        v2 = sy.item("V-2")
        expect(v2["assets"] == [uai("1.1"), uai("2.0")], v2["assets"])
        expect(v2["detected"] == day(0).isoformat(), "a new tag does not restart the clock")
        expect(len(sy.items()) == 3, "no new item for a new tag")

        # day 50: the vendor publishes a fix: the window restarts from it
        sy.scan(uai("1.1"), "b2", [vuln("CVE-2027-1002", "libfoo", "1.0-r0", "1.0-r1", "MEDIUM")], ts(50))
        v2 = sy.item("V-2")
        expect(v2["vendor_dependency"] is False and v2["fix_available"] == day(50).isoformat(), v2)
        expect(v2["scheduled"] == (day(50) + datetime.timedelta(days=90)).isoformat(), v2["scheduled"])
        expect(day(50).isoformat() in v2["auto_comments"] and "libfoo 1.0-r1" in v2["auto_comments"], v2)
        expect("(1) Update %s" % day(50).isoformat() in v2["milestone_changes"], v2)
        expect(v2["vendor_product"] == "libfoo", "the product stays named: %r" % v2)

        # day 60: the latest scan of the running build no longer shows B
        sy.scan(uai("1.1"), "b2", [], ts(60))
        v2 = sy.item("V-2")
        expect(v2["status"] == "closed" and v2["close_reason"] == "remediated", v2)
        expect(v2["status_date"] == day(60).isoformat(), v2)

        # day 70: A comes back in a new build: a new item naming the old one
        sy.scan(uai("3.0"), "b3", [A], ts(70))
        sy.deploy([("app-4", uai("3.0"), "b3")], ts(70, 1))
        v4 = one(sy.by_weakness("CVE-2027-1001", "open"))
        expect(v4["poam_id"] == "V-4" and v4["reopens"] == "V-1", v4)
        expect(v4["detected"] == day(70).isoformat(), v4)
        expect("Seen again after V-1 was closed on %s." % day(20).isoformat() in v4["auto_comments"], v4)
        expect(sy.item("V-1")["status"] == "closed", "the old item stays closed")

        # history: every change with its time
        h = sy.item("V-2")["history"]
        expect([e["kind"] for e in h] == ["opened", "assets", "assets", "fix_available", "closed"], h)
        expect([e["at"] for e in h] == [ts(0, 1), ts(20, 1), ts(40, 1), ts(50), ts(60)], h)
        expect(h[1]["changes"]["assets"] == [uai("1.1")], h[1])
        # the V-n numbers are unique and never reused
        ids = sy.db.query("SELECT id, state->>'poam_id' FROM poam_items ORDER BY id")
        expect([r[1] for r in ids] == ["V-1", "V-2", "V-3", "V-4"], ids)
        expect(len(set(r[1] for r in ids)) == len(ids))
        expect(sy.item("4")["poam_id"] == "V-4", "items are found by number too")
        expect_error(sy.s.request("GET", "/api/v1/poam/V-99", token=sy.viewer), 404, "not_found")
        expect_error(sy.s.request("GET", "/api/v1/poam/X-1", token=sy.viewer), 404, "not_found")
        fold_equals_cache(sy.db)

        # an evaluation (e.g. the periodic one) finds nothing to change
        before = sy.db.snapshot(["poam_items", "poam_events"])
        r = sy.s.admin("PUT", "/api/v1/clusters/prod", {"environment": "production"})
        expect(r.status == 200, r)
        expect(sy.db.snapshot(["poam_items", "poam_events"]) == before, "re-evaluation is idempotent")

        # the cluster leaves production: every open item closes
        r = sy.s.admin("PUT", "/api/v1/clusters/prod", {"environment": "staging"})
        expect(r.status == 200, r)
        expect(sy.items("&status=open") == [], sy.items("&status=open"))
        expect(sy.item("V-4")["close_reason"] == "not_running")
    finally:
        sy.stop()


def test_scan_first_or_deploy_first_and_detection():
    """Detection: the later of the first scan showing the weakness and the
    production start; an open item of the repository carries the date to
    new builds and tags."""
    sy = System()
    try:
        X = vuln("CVE-2027-4001", "zlib", "1.2.13-r0", "1.3-r0", "CRITICAL")
        # deployed first (never scanned): nothing; the scan on day 3 opens it
        sy.deploy([("a-1", uai("5.0"), "b5")], ts(0, 1))
        expect(sy.items() == [])
        sy.scan(uai("5.0"), "b5", [X], ts(3))
        it = one(sy.items())
        expect(it["detected"] == day(3).isoformat(), it)
        # another build of the same repository with X, deployed on day 9: same item, same date
        sy.scan(uai("5.1"), "b6", [X], ts(8))
        sy.deploy([("a-1", uai("5.0"), "b5"), ("a-2", uai("5.1"), "b6")], ts(9))
        it = one(sy.items())
        expect(it["assets"] == [uai("5.0"), uai("5.1")] and it["detected"] == day(3).isoformat(), it)
        # another repository with the same weakness: its own item (its own detection date)
        other = "%s/team/worker:1" % REG
        sy.scan(other, "w1", [X], ts(10))
        sy.deploy([("a-1", uai("5.0"), "b5"), ("a-2", uai("5.1"), "b6"), ("w-1", other, "w1")], ts(11))
        both = sy.by_weakness("CVE-2027-4001")
        expect(len(both) == 2 and sorted(b["repository"] for b in both) == ["team/app", "team/worker"], both)
        w = [b for b in both if b["repository"] == "team/worker"][0]
        expect(w["detected"] == day(11).isoformat() and w["assets"] == [other], w)
        # the image filter
        img = sy.db.scalar("SELECT id FROM images WHERE uai = '%s'" % other)
        expect([i["repository"] for i in sy.items("&image=" + img)] == ["team/worker"])
        # filters refuse nonsense
        for q in ("status=maybe", "risk=Critical", "late=perhaps", "kev=2", "image=x", "as_of=yesterday",
                  "limit=0", "cursor=abc"):
            expect_error(sy.s.request("GET", "/api/v1/poam?" + q, token=sy.viewer), 400, "bad_parameter")
        expect([i["current_risk"] for i in sy.items("&risk=High")] == ["High", "High"])
        expect(sy.items("&risk=low") == [])
        # a full evaluation from the history alone (as after an upgrade that
        # adds the POA&M to a system with scans and containers) finds the
        # same items and detection dates
        sy.db.query("TRUNCATE poam_events, poam_deviations, poam_checkins, poam_items")
        env = dict(os.environ, MUSTER_DATABASE_URL=sy.db.url)
        p = subprocess.run([MUSTER_BIN, "poam", "evaluate"], env=env, capture_output=True, text=True)
        expect(p.returncode == 0 and "2 opened" in p.stdout, p)
        got = sorted((i["repository"], i["detected"], tuple(i["assets"])) for i in sy.items())
        expect(got == [("team/app", day(3).isoformat(), (uai("5.0"), uai("5.1"))),
                       ("team/worker", day(11).isoformat(), (other,))], got)
        p = subprocess.run([MUSTER_BIN, "poam", "evaluate"], env=env, capture_output=True, text=True)
        expect(p.returncode == 0 and "0 opened, 0 changed, 0 closed" in p.stdout, p)
        p = subprocess.run([MUSTER_BIN, "poam"], env=env, capture_output=True, text=True)
        expect(p.returncode == 2, p)
    finally:
        sy.stop()


def test_periodic_full_evaluation_catches_up():
    """Each server's evaluator thread offers the full POA&M evaluation every
    MUSTER_POAM_EVALUATE_MINUTES; job_runs lets exactly one server run a
    round. It restores items an after-write update missed."""
    sy = System(env={"MUSTER_EVALUATOR_SECONDS": "0"})
    servers = []
    try:
        X = vuln("CVE-2027-4101", "zlib", "1.2.13-r0", "1.3-r0", "HIGH")
        sy.deploy([("a-1", uai("6.0"), "b60")], ts(0, 1))
        sy.scan(uai("6.0"), "b60", [X], ts(1))
        expect(len(sy.items()) == 1)
        expect(sy.db.scalar("SELECT count(*) FROM job_runs") == "0", "an evaluator that is off ran the job")
        sy.stop()

        def lose_updates():
            sy.db.query("TRUNCATE poam_events, poam_deviations, poam_checkins, poam_items")

        def items():
            return int(sy.db.scalar("SELECT count(*) FROM poam_items"))

        def runs():
            n = 0
            for x in servers:
                with open(x.log_path, "rb") as f:
                    n += f.read().decode(errors="replace").count("periodic POA&M evaluation")
            return n

        lose_updates()
        fast = {"MUSTER_EVALUATOR_SECONDS": "1"}
        servers.append(Server(sy.db, env=fast, bootstrap=sy.s.admin_token))
        deadline = time.time() + 20
        while time.time() < deadline and items() == 0:
            time.sleep(0.1)
        expect(items() == 1, "the periodic evaluation did not reopen the item")
        detail = json.loads(sy.db.scalar("SELECT detail FROM job_runs WHERE job = 'poam_evaluate'"
                                         " AND finished_at IS NOT NULL"))
        expect(detail["opened"] == 1, detail)
        # within the period no server runs it again, a new one included
        lose_updates()
        servers.append(Server(sy.db, env=fast, bootstrap=sy.s.admin_token))
        time.sleep(3)
        expect(items() == 0 and runs() == 1, (items(), runs()))
        # once the period is over, exactly one of the two runs the next round
        sy.db.query("UPDATE job_runs SET started_at = started_at - interval '2 days'")
        deadline = time.time() + 20
        while time.time() < deadline and items() == 0:
            time.sleep(0.1)
        time.sleep(3)
        expect(items() == 1 and runs() == 2, (items(), runs()))
    finally:
        for x in servers:
            x.stop()
        if sy.s.proc.poll() is None:
            sy.stop()


def test_due_dates_kev_and_aliases():
    sy = System()
    try:
        spring = vuln("CVE-2022-22965", "spring-beans", "5.3.15", "5.3.18", "CRITICAL")
        alias = vuln("CVE-2027-3001", "log4j-core", "2.14.1", "2.17.1", "MEDIUM", aliases=["CVE-2021-44228"])
        plain = vuln("CVE-2027-3002", "libplain", "1.0", "1.1", "LOW")
        sy.scan(uai("7.0"), "k1", [spring, alias, plain], ts(0))
        sy.deploy([("k-1", uai("7.0"), "k1")], ts(0, 1))
        s, a, p = (one(sy.by_weakness(w)) for w in ("CVE-2022-22965", "CVE-2027-3001", "CVE-2027-3002"))
        expect(s["scheduled"] == day(30).isoformat() and not s["kev"], s)
        expect(a["scheduled"] == day(90).isoformat() and not a["kev"], a)
        expect(sy.items("&kev=true") == [])
        # the KEV catalog arrives: BOD 22-01 columns, and the earlier due date wins
        body = read_fixture("kev", "known_exploited_vulnerabilities.json")
        expect_error(sy.s.request("POST", "/api/v1/kev", body, token=sy.viewer,
                                  headers={"Content-Type": "application/json"}), 403)
        r = sy.s.admin("POST", "/api/v1/kev", body, headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)
        out = r.json()
        expect(out["entries"] == 1404 and out["catalog_version"] == "2025.08.25", out)
        expect(out["poam_items_changed"] == 2, out)
        s, a, p = (sy.item(x["poam_id"]) for x in (s, a, p))
        expect(s["kev"] is True and s["kev_due"] == "2022-04-25" and s["scheduled"] == "2022-04-25", s)
        # matched through the alias (weakness CVE-2027-3001, alias CVE-2021-44228)
        expect(a["kev"] is True and a["kev_due"] == "2021-12-24" and a["scheduled"] == "2021-12-24", a)
        expect(p["kev"] is False and p["scheduled"] == day(180).isoformat(), p)
        expect(sorted(i["weakness"] for i in sy.items("&kev=true")) == ["CVE-2022-22965", "CVE-2027-3001"])
        expect(sy.items("&weakness=CVE-2021-44228")[0]["poam_id"] == a["poam_id"], "alias lookup")
        expect(s["history"][-1]["kind"] == "kev", s["history"])
        # importing the same catalog again changes no item
        r = sy.s.admin("POST", "/api/v1/kev", body, headers={"Content-Type": "application/json"})
        expect(r.status == 201 and r.json()["poam_items_changed"] == 0, r)
        expect(sy.db.scalar("SELECT count(*) FROM kev_imports") == "2")
        expect(sy.db.scalar("SELECT count(*) FROM kev_entries") == "1404")
        # a catalog whose due date is later than the window: the window's date stays
        cat = json.loads(body)
        for v in cat["vulnerabilities"]:
            if v["cveID"] == "CVE-2022-22965":
                v["dueDate"] = "2027-12-31"
        q = vuln("CVE-2022-22965", "spring-beans", "5.3.15", "5.3.18", "CRITICAL")
        r = sy.s.admin("POST", "/api/v1/kev", json.dumps(cat).encode(), headers={"Content-Type": "application/json"})
        expect(r.status == 201 and r.json()["poam_items_changed"] == 1, r)
        other = "%s/team/other:1" % REG
        sy.scan(other, "k2", [q], ts(10))
        sy.deploy([("k-1", uai("7.0"), "k1"), ("o-1", other, "k2")], ts(10, 1))
        o = [i for i in sy.by_weakness("CVE-2022-22965") if i["repository"] == "team/other"][0]
        expect(o["kev"] and o["kev_due"] == "2027-12-31" and o["scheduled"] == day(40).isoformat(), o)
        # bad catalogs change nothing
        before = sy.db.snapshot(["kev_entries", "kev_imports", "poam_items"])
        for bad in (b"{", b"[]", b'{"vulnerabilities": 3}',
                    json.dumps({"catalogVersion": "x", "dateReleased": "y", "count": 5,
                                "vulnerabilities": []}).encode()):
            r = sy.s.admin("POST", "/api/v1/kev", bad, headers={"Content-Type": "application/json"})
            expect(r.status in (400, 422), r)
        expect(sy.db.snapshot(["kev_entries", "kev_imports", "poam_items"]) == before)
        fold_equals_cache(sy.db)
    finally:
        sy.stop()


def test_grype_kev_cross_reference():
    """SOURCES.md: CVE-2023-44487 appears once as a match id and once only as
    an alias of GHSA-qppj-fm5r-hxr3: one item, both packages, KEV."""
    sy = System()
    try:
        r = sy.s.admin("POST", "/api/v1/kev", read_fixture("kev", "known_exploited_vulnerabilities.json"),
                       headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)
        r = sy.s.request("POST", "/api/v1/scans?scanned_at=" + ts(0),
                         read_fixture("grype", "analysis-model_grype-report-wo-description.json"),
                         token=sy.scanner, headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)
        doc = {"containers": [{"namespace": "git", "pod": "gitea-0", "container": "gitea",
                               "image": "gitea/gitea:1.20.4",
                               "image_id": "sha256:928df2c283e29649ede73a58d79612c0d75bda7ec0f9d8f1706d7e24149a07f4"}]}
        r = sy.s.request("POST", "/api/v1/runtime?cluster=prod&observed_at=" + ts(0, 1), json.dumps(doc).encode(),
                         token=sy.sensor, headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)
        it = one(sy.by_weakness("CVE-2023-44487"))
        expect(it["kev"] is True and it["kev_due"] == "2023-10-31", it)
        expect(it["vendor_product"] is None and "golang.org/x/net" in it["weakness_description"]
               and "nghttp2-libs" in it["weakness_description"], it)
        expect(it["original_risk"] == "High" and it["assets"] == ["docker.io/gitea/gitea:1.20.4"], it)
        kev_items = sy.items("&kev=true")
        expect([i["weakness"] for i in kev_items] == ["CVE-2023-44487"], [i["weakness"] for i in kev_items])
        expect(len(sy.items()) == int(sy.db.scalar("SELECT count(DISTINCT weakness) FROM findings")),
               "one item per weakness")
    finally:
        sy.stop()


def test_late_items_and_vendor_checkins():
    sy = System()
    try:
        X = vuln("CVE-2027-5001", "libx", "1", "2", "HIGH")
        Y = vuln("CVE-2027-5002", "liby", "1", None, "MEDIUM")
        sy.scan(uai("9.0"), "l1", [X, Y], ts(0))
        sy.deploy([("l-1", uai("9.0"), "l1")], ts(0, 1))
        late = lambda when: sorted(i["weakness"] for i in sy.items("&late=true&as_of=" + when))
        expect(late(day(30).isoformat()) == [], "due today is not late")
        expect(late(day(31).isoformat()) == ["CVE-2027-5001"])
        expect(late(day(91).isoformat()) == ["CVE-2027-5001", "CVE-2027-5002"])
        expect([i["weakness"] for i in sy.items("&late=false&as_of=" + day(31).isoformat())] == ["CVE-2027-5002"])
        y = one(sy.by_weakness("CVE-2027-5002"))
        # a vendor check-in within 30 days keeps a vendor-dependent item on time
        r = sy.s.admin("POST", "/api/v1/poam/%s/checkins" % y["poam_id"],
                       {"at": ts(80), "note": "vendor: fix planned for the next release"})
        expect(r.status == 201 and r.json()["last_checkin"] == day(80).isoformat(), r)
        expect(late(day(91).isoformat()) == ["CVE-2027-5001"])
        expect(late(day(110).isoformat()) == ["CVE-2027-5001"])
        expect(late(day(111).isoformat()) == ["CVE-2027-5001", "CVE-2027-5002"])
        # only admins record check-ins; bodies are checked
        expect_error(sy.s.request("POST", "/api/v1/poam/%s/checkins" % y["poam_id"], {}, token=sy.viewer), 403)
        expect_error(sy.s.admin("POST", "/api/v1/poam/%s/checkins" % y["poam_id"], {"at": "soon"}), 422)
        expect_error(sy.s.admin("POST", "/api/v1/poam/V-77/checkins", {}), 404)
        # the workbook for a date keeps only the late ones with late_only=true
        wb = workbook(sy.get("/api/v1/reports/poam.xlsx?as_of=%s&late_only=true" % day(91).isoformat()).body)
        expect([r[0] for r in rows(wb["Open POA&M Items"])] == [one(sy.by_weakness("CVE-2027-5001"))["poam_id"]])
        wb = workbook(sy.get("/api/v1/reports/poam.xlsx?as_of=%s" % day(91).isoformat()).body)
        open_rows = rows(wb["Open POA&M Items"])
        expect(len(open_rows) == 2, open_rows)
        yrow = [r for r in open_rows if r[29] == "CVE-2027-5002"][0]
        expect(yrow[15] == "Yes" and yrow[17] == "liby" and yrow[16] == datetime.datetime(2027, 3, 25), yrow)
        # check-ins on a closed item are refused
        sy.deploy([], ts(120))
        expect_error(sy.s.admin("POST", "/api/v1/poam/%s/checkins" % y["poam_id"], {"at": ts(121)}), 409, "closed")
    finally:
        sy.stop()


def test_deviation_requests():
    sy = System()
    try:
        vulns = [vuln("CVE-2027-2001", "h1", "1", "2", "HIGH"), vuln("CVE-2027-2002", "h2", "1", "2", "CRITICAL"),
                 vuln("CVE-2027-2003", "m1", "1", "2", "MEDIUM"), vuln("CVE-2027-2004", "l1", "1", "2", "LOW")]
        sy.scan(uai("4.0"), "d1", vulns, ts(0))
        sy.deploy([("d-1", uai("4.0"), "d1")], ts(0, 1))
        h1, h2, m1, l1 = (one(sy.by_weakness(v["VulnerabilityID"]))["poam_id"] for v in vulns)
        dev = lambda ref, body: sy.s.admin("POST", "/api/v1/poam/%s/deviations" % ref, body)
        decide = lambda ref, n, body: sy.s.admin("POST", "/api/v1/poam/%s/deviations/%d/decision" % (ref, n), body)

        # no operational requirement for a High item
        e = expect_error(dev(h1, {"type": "operational_requirement", "rationale": "needed"}), 422,
                         "high_operational_requirement")
        expect("High" in e["message"], e)
        # a risk adjustment first: Pending, then Yes with the adjusted rating
        r = dev(h1, {"type": "risk_adjustment", "adjusted_risk": "Moderate",
                     "rationale": "Reachable only from the management network",
                     "supporting_documents": ["Deviation Request : DR-2027-001.pdf"], "at": ts(5)})
        expect(r.status == 201, r)
        it = r.json()
        expect(it["risk_adjustment"] == "Pending" and it["adjusted_risk"] is None, it)
        expect(it["deviations"][0]["status"] == "pending" and it["deviations"][0]["n"] == 1, it)
        r = decide(h1, 1, {"approved": True, "official": "Jane Roe, AO", "at": ts(7)})
        expect(r.status == 200, r)
        it = r.json()
        expect(it["risk_adjustment"] == "Yes" and it["adjusted_risk"] == "Moderate", it)
        expect(it["current_risk"] == "Moderate" and it["original_risk"] == "High", it)
        expect(it["deviations"][0]["official"] == "Jane Roe, AO", it)
        expect(it["scheduled"] == day(30).isoformat(), "the scheduled date is set once")
        # now an operational requirement is possible, and stays open when approved
        r = dev(h1, {"type": "operational_requirement", "rationale": "The service needs TLS 1.0 clients",
                     "at": ts(8)})
        expect(r.status == 201 and r.json()["operational_requirement"] == "Pending", r)
        r = decide(h1, 2, {"approved": True, "official": "Jane Roe, AO", "at": ts(9)})
        it = r.json()
        expect(r.status == 200 and it["operational_requirement"] == "Yes" and it["status"] == "open", r)
        expect(it["deviation_rationale"] == "Risk Adjustment : Reachable only from the management network\n\n"
               "Operational Requirement : The service needs TLS 1.0 clients", it["deviation_rationale"])
        expect(it["supporting_documents"] == "Deviation Request : DR-2027-001.pdf", it)
        expect(it["auto_approve"] == "No", it)
        expect_error(decide(h1, 2, {"approved": False, "official": "x"}), 409, "already_decided")
        expect_error(decide(h1, 9, {"approved": False, "official": "x"}), 404)

        # an approved false positive closes the item, and the weakness stays closed
        expect(dev(h2, {"type": "false_positive", "rationale": "The package is not loaded", "at": ts(10)}).status == 201)
        r = decide(h2, 1, {"approved": True, "official": "Jane Roe, AO", "at": ts(12)})
        it = r.json()
        expect(r.status == 200 and it["status"] == "closed" and it["close_reason"] == "false_positive", it)
        expect(it["status_date"] == day(12).isoformat() and it["false_positive"] == "Yes", it)
        expect_error(dev(h2, {"type": "false_positive", "rationale": "again"}), 409, "closed")
        sy.scan(uai("4.0"), "d1", vulns, ts(14))
        sy.deploy([("d-2", uai("4.0"), "d1")], ts(15))
        expect(len(sy.by_weakness("CVE-2027-2002")) == 1, "an approved false positive is not reopened")

        # a rejected operational requirement: "No"
        expect(dev(m1, {"type": "operational_requirement", "rationale": "legacy"}).status == 201)
        r = decide(m1, 1, {"approved": False, "official": "Jane Roe, AO"})
        it = r.json()
        expect(r.status == 200 and it["operational_requirement"] == "No" and it["status"] == "open", it)
        expect(it["deviation_rationale"] is None, "rejected requests are not the item's rationale")
        # a rejected false positive keeps the item open
        expect(dev(m1, {"type": "false_positive", "rationale": "maybe"}).status == 201)
        it = decide(m1, 2, {"approved": False, "official": "AO"}).json()
        expect(it["status"] == "open" and it["false_positive"] == "No", it)

        # refused requests
        expect_error(dev(l1, {"type": "risk_adjustment", "adjusted_risk": "Low", "rationale": "x"}), 422)
        expect_error(dev(l1, {"type": "risk_adjustment", "rationale": "x"}), 422)
        expect_error(dev(l1, {"type": "false_positive", "adjusted_risk": "Low", "rationale": "x"}), 422)
        expect_error(dev(l1, {"type": "waiver", "rationale": "x"}), 422)
        expect_error(dev(l1, {"type": "false_positive"}), 422)
        expect_error(dev(l1, {"type": "false_positive", "rationale": "x", "supporting_documents": "a"}), 422)
        expect_error(dev(l1, {"type": "false_positive", "rationale": "x", "at": "later"}), 422)
        expect_error(dev("V-999", {"type": "false_positive", "rationale": "x"}), 404)
        expect_error(decide(l1, 1, {"approved": "yes", "official": "AO"}), 422)
        expect_error(decide(l1, 1, {"approved": True}), 422)
        expect_error(sy.s.request("POST", "/api/v1/poam/%s/deviations" % l1,
                                  {"type": "false_positive", "rationale": "x"}, token=sy.viewer), 403)
        expect_error(sy.s.request("POST", "/api/v1/poam/%s/deviations/1/decision" % l1,
                                  {"approved": True, "official": "x"}, token=sy.scanner), 403)
        expect(sy.item(l1)["deviations"] == [], "nothing stored by refused requests")

        # the planning fields are editable; history records it
        r = sy.s.admin("PATCH", "/api/v1/poam/" + l1, {
            "point_of_contact": "Sam Lee - Platform team", "resources_required": "None",
            "planned_milestones": "(1) %s: rebuild on the new base image" % day(20).isoformat(),
            "comments": "Tracked in JIRA SEC-12", "at": ts(16)})
        expect(r.status == 200, r)
        it = r.json()
        expect(it["point_of_contact"] == "Sam Lee - Platform team" and it["comments"] == "Tracked in JIRA SEC-12", it)
        expect(it["history"][-1]["kind"] == "updated" and it["history"][-1]["actor"] == "bootstrap", it["history"][-1])
        expect_error(sy.s.admin("PATCH", "/api/v1/poam/" + l1, {"scheduled": "2030-01-01"}), 422)
        expect_error(sy.s.admin("PATCH", "/api/v1/poam/" + l1, {"comments": 5}), 422)
        expect_error(sy.s.admin("PATCH", "/api/v1/poam/" + l1, {"comments": "a\x1fb"}), 422)
        expect_error(sy.s.admin("PATCH", "/api/v1/poam/" + l1, {"comments": "x" * 32768}), 422)
        expect_error(sy.s.admin("PATCH", "/api/v1/poam/" + l1, {}), 422)
        expect_error(sy.s.request("PATCH", "/api/v1/poam/" + l1, {"comments": "x"}, token=sy.viewer), 403)

        # the workbook's deviation columns
        wb = workbook(sy.get("/api/v1/reports/poam.xlsx?as_of=" + day(20).isoformat()).body)
        open_rows = {r[0]: r for r in rows(wb["Open POA&M Items"])}
        r1 = open_rows[h1]
        expect(r1[18:23] == ("High", "Moderate", "Yes", "No", "Yes"), r1[18:23])
        expect(r1[23].startswith("Risk Adjustment : ") and r1[26] == "No", r1)
        expect(open_rows[l1][19] == "N/A" and open_rows[l1][7] == "Sam Lee - Platform team", open_rows[l1])
        closed = {r[0]: r for r in rows(wb["Closed POA&M Items"])}
        expect(closed[h2][21] == "Yes" and closed[h2][14] == datetime.datetime(2027, 1, 16), closed[h2])
        fold_equals_cache(sy.db)
        expect(sy.db.scalar("SELECT count(*) FROM audit_log WHERE action LIKE 'poam.%'") == "11",
               sy.db.query("SELECT action FROM audit_log WHERE action LIKE 'poam.%'"))
    finally:
        sy.stop()


# ---- the deliverables ----

def workbook(data):
    import openpyxl
    return openpyxl.load_workbook(io.BytesIO(data))


def rows(ws):
    return [tuple(c.value for c in r) for r in ws.iter_rows(min_row=6) if any(c.value is not None for c in r)]


def template_headers():
    import warnings
    import openpyxl
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wb = openpyxl.load_workbook(TEMPLATE)
    out = {}
    for name in ("Open POA&M Items", "Closed POA&M Items", "Configuration Findings"):
        ws = wb[name]
        out[name] = [ws.cell(row=5, column=c).value for c in range(1, 32)]
    return out, [wb["Open POA&M Items"].cell(row=2, column=c).value for c in range(1, 5)]


def build_history(sy):
    """Items over two months: V-1 (High, closes in February), V-2 (Moderate,
    vendor-dependent, open), V-3 (Low, two assets). Returns the three vulns."""
    r = sy.s.admin("PUT", "/api/v1/system", {"system_name": "Acme Cloud", "csp_name": "Acme Corp",
                                             "impact_level": "Moderate"})
    expect(r.status == 200, r)
    a = vuln("CVE-2027-6001", "openssl", "3.0.1", "3.0.8", "CRITICAL", title="openssl: a remote overflow")
    b = vuln("CVE-2027-6002", "busybox", "1.36.0", None, "MEDIUM")
    c = vuln("GHSA-aaaa-bbbb-cccc", "lodash", "4.17.20", "4.17.21", "LOW", aliases=["CVE-2027-6003"])
    sy.scan(uai("1"), "r1", [a, b, c], ts(0))
    sy.scan(uai("1-debug"), "r2", [c], ts(0))
    sy.deploy([("r-1", uai("1"), "r1"), ("r-2", uai("1-debug"), "r2")], ts(0, 1))
    sy.scan(uai("2"), "r3", [b, c], ts(30))
    sy.deploy([("r-3", uai("2"), "r3"), ("r-2", uai("1-debug"), "r2")], ts(30, 1))
    return a, b, c


def test_workbook_csv_and_reproducible_months():
    sy = System()
    try:
        a, b, c = build_history(sy)
        headers, labels = template_headers()
        # January (the day-30 changes are in February)
        jan = sy.get("/api/v1/reports/poam.xlsx?month=2027-01")
        expect(jan.header("Content-Type").startswith("application/vnd.openxmlformats"), jan.headers)
        expect('filename="Acme-Cloud-poam-2027-01.xlsx"' in jan.header("Content-Disposition"), jan.headers)
        wb = workbook(jan.body)
        expect(wb.sheetnames[:3] == ["Open POA&M Items", "Closed POA&M Items", "Configuration Findings"], wb.sheetnames)
        for name, want in headers.items():
            got = [wb[name].cell(row=5, column=c).value for c in range(1, 32)]
            expect(got == want, (name, got, want))
            expect([wb[name].cell(row=2, column=c).value for c in range(1, 5)] == labels)
            expect([wb[name].cell(row=3, column=c).value for c in range(1, 4)] == ["Acme Corp", "Acme Cloud", "Moderate"])
            expect(wb[name].cell(row=3, column=4).value == datetime.datetime(2027, 1, 31), wb[name].cell(row=3, column=4).value)
        expect(rows(wb["Configuration Findings"]) == [] and rows(wb["Closed POA&M Items"]) == [])
        o = {r[0]: r for r in rows(wb["Open POA&M Items"])}
        expect(sorted(o) == ["V-1", "V-2", "V-3"], o)
        v1 = o["V-1"]
        expect(v1[1] == "RA-5" and v1[2] == "openssl: a remote overflow" and v1[4] == "trivy" and v1[5] == "CVE-2027-6001", v1)
        expect(v1[6] == uai("1") and v1[10] == datetime.datetime(2027, 1, 4) and v1[11] == datetime.datetime(2027, 2, 3), v1)
        expect(v1[14] == datetime.datetime(2027, 1, 4) and v1[15] == "No" and v1[18] == "High" and v1[19] == "N/A", v1)
        expect(v1[20:23] == ("No", "No", "No") and v1[27] == "No" and v1[28] is None and v1[29] == "CVE-2027-6001", v1)
        v3 = o["V-3"]
        # the scanner's ID, the CVE as the weakness, the UAIs one per line
        expect(v3[5] == "GHSA-aaaa-bbbb-cccc" and v3[29] == "CVE-2027-6003", v3)
        expect(v3[6] == uai("1") + "\n" + uai("1-debug"), v3[6])
        expect(o["V-2"][15] == "Yes" and o["V-2"][17] == "busybox" and o["V-2"][18] == "Moderate", o["V-2"])
        # February: V-1 closed on day 30 (2027-02-03)
        feb1 = sy.get("/api/v1/reports/poam.xlsx?month=2027-02").body
        wb = workbook(feb1)
        closed = rows(wb["Closed POA&M Items"])
        expect([r[0] for r in closed] == ["V-1"] and closed[0][14] == datetime.datetime(2027, 2, 3), closed)
        expect("no production container runs the affected builds" in closed[0][25], closed[0][25])
        o = {r[0]: r for r in rows(wb["Open POA&M Items"])}
        expect(sorted(o) == ["V-2", "V-3"] and o["V-3"][6] == uai("1-debug") + "\n" + uai("2"), o)
        # asking again gives the same bytes, also after later changes
        sy.scan(uai("2"), "r3", [c], ts(70))
        expect(sy.get("/api/v1/reports/poam.xlsx?month=2027-02").body == feb1, "a past month is reproducible")
        expect(sy.get("/api/v1/reports/poam.xlsx?month=2027-01").body == jan.body)
        march = workbook(sy.get("/api/v1/reports/poam.xlsx?month=2027-03").body)
        expect([r[0] for r in rows(march["Closed POA&M Items"])] == ["V-1", "V-2"])
        # CSV: the open items of the period, the template's headers
        text = sy.get("/api/v1/reports/poam.csv?as_of=2027-02-15").body.decode()
        got = list(csv.reader(io.StringIO(text)))
        expect(got[0] == headers["Open POA&M Items"], got[0])
        expect([r[0] for r in got[1:]] == ["V-2", "V-3"] and got[1][10] == "2027-01-04", got)
        expect(sy.get("/api/v1/reports/poam.csv?as_of=2027-02-15").body.decode() == text)
        # parameters
        for q in ("month=2027-13", "month=2027-02&as_of=2027-02-01", "as_of=soon", "late_only=maybe"):
            expect_error(sy.s.request("GET", "/api/v1/reports/poam.xlsx?" + q, token=sy.viewer), 400, "bad_parameter")
        expect_error(sy.s.request("GET", "/api/v1/reports/poam.xlsx", token=sy.sensor), 403)
        # the state at any moment is the fold of the events; now, it is the cache
        fold_equals_cache(sy.db)
        # the CLI writes the same workbook and CSV
        out = os.path.join(WORK, "poam-%s.xlsx" % os.getpid())
        env = dict(os.environ, MUSTER_DATABASE_URL=sy.db.url)
        p = subprocess.run([MUSTER_BIN, "export", "poam", "--month", "2027-02", "-o", out], env=env,
                           capture_output=True, text=True)
        expect(p.returncode == 0, p)
        with open(out, "rb") as f:
            expect(f.read() == feb1, "the CLI and the API write the same bytes")
        p = subprocess.run([MUSTER_BIN, "export", "poam", "--as-of", "2027-02-15", "--csv", "-o", out], env=env,
                           capture_output=True, text=True)
        with open(out, "rb") as f:
            expect(p.returncode == 0 and f.read().decode() == text, p)
        p = subprocess.run([MUSTER_BIN, "export", "poam", "--month", "2027-02"], env=env, capture_output=True)
        expect(p.returncode == 2, p)
        os.unlink(out)
    finally:
        sy.stop()


def oscal_validator():
    import jsonschema
    with open(OSCAL_SCHEMA) as f:
        raw = f.read()
    # NIST writes Unicode classes (\p{L}, \p{N}) that Python's re lacks:
    # the equivalent classes for str patterns.
    raw = raw.replace("\\\\p{L}", "[^\\\\W\\\\d_]").replace("\\\\p{N}", "\\\\d")
    return jsonschema.Draft7Validator(json.loads(raw), format_checker=jsonschema.FormatChecker())


def test_oscal_validates_and_is_reproducible():
    sy = System()
    try:
        r = sy.s.admin("POST", "/api/v1/kev", read_fixture("kev", "known_exploited_vulnerabilities.json"),
                       headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)
        v = oscal_validator()
        # no items at all: still a valid document
        empty = json.loads(sy.get("/api/v1/reports/poam.oscal.json?month=2026-12").body)
        expect(list(v.iter_errors(empty)) == [], [e.message for e in v.iter_errors(empty)][:5])
        build_history(sy)
        spring = vuln("CVE-2022-22965", "spring-beans", "5.3.15", "5.3.18", "CRITICAL")
        sy.scan(uai("k"), "rk", [spring], ts(31))
        sy.deploy([("r-3", uai("2"), "r3"), ("r-2", uai("1-debug"), "r2"), ("r-k", uai("k"), "rk")], ts(31, 1))
        kev = one(sy.by_weakness("CVE-2022-22965"))
        b = one(sy.by_weakness("CVE-2027-6002"))
        r = sy.s.admin("POST", "/api/v1/poam/%s/deviations" % b["poam_id"],
                       {"type": "risk_adjustment", "adjusted_risk": "Low", "rationale": "internal only", "at": ts(32)})
        expect(r.status == 201, r)
        body = sy.get("/api/v1/reports/poam.oscal.json?month=2027-02").body
        doc = json.loads(body)
        errs = list(v.iter_errors(doc))
        expect(errs == [], [(e.message[:200], list(e.path)) for e in errs][:5])
        p = doc["plan-of-action-and-milestones"]
        expect(p["metadata"]["oscal-version"] == "1.0.6" and "Acme Cloud" in p["metadata"]["title"], p["metadata"])
        expect(p["metadata"]["last-modified"] == "2027-02-28T23:59:59Z", p["metadata"])
        items = {next(pr["value"] for pr in i["props"] if pr["name"] == "POAM-ID"): i for i in p["poam-items"]}
        expect(sorted(items) == ["V-1", "V-2", "V-3", kev["poam_id"]], sorted(items))
        risks = {r["uuid"]: r for r in p["risks"]}
        props = lambda ref: {pr["name"]: pr["value"] for pr in risks[items[ref]["related-risks"][0]["risk-uuid"]]["props"]}
        expect(props(kev["poam_id"])["kev-catalog"] == "yes" and props(kev["poam_id"])["kev-due-date"] == "2022-04-25",
               props(kev["poam_id"]))
        expect(props("V-2")["vendor-dependency"] == "tracking" and props("V-2")["risk-adjustment"] == "pending")
        expect(risks[items["V-2"]["related-risks"][0]["risk-uuid"]]["status"] == "deviation-requested")
        expect(risks[items["V-1"]["related-risks"][0]["risk-uuid"]]["status"] == "closed")
        expect("kev-catalog" not in props("V-1"))
        r1 = risks[items["V-1"]["related-risks"][0]["risk-uuid"]]
        expect(r1["deadline"] == "2027-02-03T00:00:00Z", r1)
        expect([e["title"] for e in r1["risk-log"]["entries"]] == ["Risk Opened", "Risk Closed"], r1["risk-log"])
        r2 = risks[items["V-2"]["related-risks"][0]["risk-uuid"]]
        plan = one(r2["remediations"])
        expect(plan["lifecycle"] == "planned" and plan["description"].startswith("Rebuild the"), plan)
        expect(plan["tasks"][0]["timing"]["on-date"]["date"] == "2027-04-04T00:00:00Z", plan)
        expect([e["description"] for e in r2["risk-log"]["entries"]][1:] ==
               ["Affected assets: %s." % uai("2"),
                "A deviation was requested. Risk Adjustment: Pending; False Positive: No;"
                " Operational Requirement: No."], r2["risk-log"])
        assets = [i["props"][0]["value"] for i in p["local-definitions"]["inventory-items"]]
        expect(assets == sorted([uai("1"), uai("1-debug"), uai("2"), uai("k")]), assets)
        expect([c["title"] for c in p["local-definitions"]["components"]] == ["trivy"])
        # reproducible
        expect(sy.get("/api/v1/reports/poam.oscal.json?month=2027-02").body == body)
        out = os.path.join(WORK, "poam-%s.json" % os.getpid())
        pr = subprocess.run([MUSTER_BIN, "export", "poam", "--month", "2027-02", "--oscal", "-o", out],
                            env=dict(os.environ, MUSTER_DATABASE_URL=sy.db.url), capture_output=True)
        with open(out, "rb") as f:
            expect(pr.returncode == 0 and f.read() == body, pr)
        os.unlink(out)
    finally:
        sy.stop()


def test_cli_kev_import():
    db = Database()
    s = Server(db)
    try:
        env = dict(os.environ, MUSTER_DATABASE_URL=db.url)
        p = subprocess.run([MUSTER_BIN, "kev", "import", fixture("kev", "known_exploited_vulnerabilities.json")],
                           env=env, capture_output=True, text=True)
        expect(p.returncode == 0 and "2025.08.25 (1404 entries)" in p.stdout, p)
        expect(db.scalar("SELECT count(*) FROM kev_entries") == "1404")
        p = subprocess.run([MUSTER_BIN, "kev", "import", fixture("kev", "known_exploited_vulnerabilities_schema.json")],
                           env=env, capture_output=True, text=True)
        expect(p.returncode == 1 and "not a usable KEV catalog" in p.stderr, p)
        p = subprocess.run([MUSTER_BIN, "kev", "import"], env=env, capture_output=True, text=True)
        expect(p.returncode == 2, p)
        expect(db.scalar("SELECT count(*) FROM kev_imports") == "1")
    finally:
        s.stop()


def test_two_servers_one_repository():
    """Two instances ingesting builds of one repository at the same moment
    open one item per weakness, never two."""
    db = Database()
    sy = System(db)
    s2 = Server(db)
    try:
        shared = [vuln("CVE-2027-7%03d" % i, "pkg%d" % i, "1", "2", "HIGH") for i in range(20)]
        builds = ["c%d" % i for i in range(8)]
        for i, b in enumerate(builds):
            sy.scan(uai("c%d" % i), b, shared, ts(0))
        sy.deploy([("p-%d" % i, uai("c%d" % i), b) for i, b in enumerate(builds)], ts(0, 1))
        expect(len(sy.items()) == 20)
        # both servers rescan every build with a new weakness at once
        extra = shared + [vuln("CVE-2027-8000", "newpkg", "1", "2", "HIGH")]
        errors = []

        def post(server, i):
            body = json.dumps(trivy(uai("c%d" % i), builds[i], extra, ts(1))).encode()
            r = server.request("POST", "/api/v1/scans?scanned_at=" + ts(1), body, token=sy.scanner,
                               headers={"Content-Type": "application/json"})
            if r.status != 201:
                errors.append(r)

        threads = [threading.Thread(target=post, args=(sy.s if i % 2 else s2, i)) for i in range(len(builds))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        expect(errors == [], errors)
        new = sy.by_weakness("CVE-2027-8000")
        expect(len(new) == 1, new)
        expect(new[0]["assets"] == sorted(uai("c%d" % i) for i in range(8)), new[0]["assets"])
        expect(db.scalar("SELECT count(*) FROM poam_items") == "21")
        fold_equals_cache(db)
    finally:
        s2.stop()
        sy.stop()


if __name__ == "__main__":
    main(globals())
