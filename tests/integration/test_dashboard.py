"""test_dashboard.py - the authorizing official's dashboard over real HTTP and
PostgreSQL (docs/dashboard.md): the exact figures of a small hand-built system
now and at past times (containers, scan age, violations, POA&M open/late by
risk, ages, KEV, deviations, escalations), the trend, parameter errors, the
cache never serving a stale answer after a write, the web UI (sign-in through
the form, the session cookie, CSRF on every form, security headers, pages
whose figures equal the API's, image pages, workbook downloads, sign-out,
revocation), /metrics parsed strictly against the Prometheus text format, and
`muster demo` checked against an independent fold of the raw history."""
import datetime
import hashlib
import http.client
import json
import os
import re
import subprocess
import time

from harness import MUSTER_BIN, Cluster, Database, Server, expect, expect_error, main

REG = "registry.example.com"
DAY = 86400
TOP_KEYS = {"as_of", "images", "containers", "scan_age", "violations", "poam", "kev", "deviations",
            "escalations"}
RISKS = ("High", "Moderate", "Low")


def iso(t):
    return datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def digest(name):
    return "sha256:" + hashlib.sha256(name.encode()).hexdigest()


def vuln(vid, pkg, severity, fixed="9.9"):
    return {"VulnerabilityID": vid, "PkgName": pkg, "InstalledVersion": "1.0", "FixedVersion": fixed,
            "Severity": severity, "Title": "%s in %s" % (vid, pkg)}


def trivy(ref, build, vulns, created):
    repo = ref.rsplit(":", 1)[0]
    return {"SchemaVersion": 2, "CreatedAt": created, "ArtifactName": ref, "ArtifactType": "container_image",
            "Metadata": {"OS": {"Family": "alpine", "Name": "3.19.1"}, "ImageID": digest("config:" + build),
                         "RepoTags": [ref], "RepoDigests": [repo + "@" + digest(build)]},
            "Results": [{"Target": ref, "Class": "os-pkgs", "Type": "alpine", "Vulnerabilities": vulns}]}


KEV = {"title": "CISA Catalog of Known Exploited Vulnerabilities", "catalogVersion": "2025.08.25",
       "dateReleased": "2025-08-25T17:04:19.9796Z", "count": 1, "vulnerabilities": [
           {"cveID": "CVE-2021-44228", "vendorProject": "Apache", "product": "Log4j2",
            "vulnerabilityName": "Apache Log4j2 Remote Code Execution Vulnerability",
            "dateAdded": "2021-12-10", "shortDescription": "Log4Shell", "requiredAction": "Apply updates.",
            "dueDate": "2021-12-24", "knownRansomwareCampaignUse": "Known", "notes": "", "cwes": ["CWE-20"]}]}


class System:
    """A server with production and staging clusters whose settings are dated
    back 100 days (the API records them from now), and helpers."""

    def __init__(self, env=None, db=None):
        self.db = db or Database()
        self.s = Server(self.db, env=env)
        self.scanner = self.s.token("scanner")
        self.sensor = self.s.token("sensor")
        self.viewer = self.s.token("viewer")
        for name, env in (("prod", "production"), ("stage", "staging")):
            r = self.s.admin("PUT", "/api/v1/clusters/" + name, {"environment": env})
            expect(r.status == 200, r)
        self.db.query("UPDATE environments SET valid_from = now() - interval '100 days'")

    def scan(self, ref, build, vulns, when):
        r = self.s.request("POST", "/api/v1/scans?scanned_at=" + iso(when),
                           json.dumps(trivy(ref, build, vulns, iso(when))).encode(), token=self.scanner,
                           headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)
        return r.json()

    def deploy(self, cluster, containers, when):
        """containers: [(pod, ref, build)], the whole truth of the cluster at `when`."""
        doc = {"observed_at": iso(when), "containers": [
            {"namespace": "web", "pod": pod, "container": "app", "image": ref, "image_id": digest(build)}
            for pod, ref, build in containers]}
        r = self.s.request("POST", "/api/v1/runtime?cluster=%s&observed_at=%s" % (cluster, iso(when)),
                           json.dumps(doc).encode(), token=self.sensor, headers={"Content-Type": "application/json"})
        expect(r.status == 201, r)

    def dash(self, query=""):
        r = self.s.request("GET", "/api/v1/dashboard" + query, token=self.viewer)
        expect(r.status == 200, r)
        return r.json()

    def stop(self):
        self.s.stop()


def figures(d):
    """A dashboard or trend point without its time (for comparisons)."""
    return {k: v for k, v in d.items() if k not in ("as_of", "month")}


def build_small(sys_, T):
    """Four images: a (scanned 59 days ago, a KEV weakness among four), b
    (scanned 20 days ago), c (staging, never scanned), d (deployed 10 days
    ago, never scanned). Deviation requests on two of a's items."""
    s = sys_
    r = s.s.admin("POST", "/api/v1/kev", KEV)
    expect(r.status in (200, 201), r)
    a, b, c, d = ("%s/app-%s:1.0" % (REG, n) for n in "abcd")
    s.deploy("prod", [("a-1", a, "A"), ("b-1", b, "B")], T - 60 * DAY)
    s.deploy("stage", [("c-1", c, "C")], T - 60 * DAY)
    s.scan(a, "A", [vuln("CVE-2021-44228", "log4j-core", "CRITICAL"), vuln("CVE-2024-0001", "openssl", "HIGH"),
                    vuln("CVE-2024-0002", "zlib", "MEDIUM"), vuln("CVE-2024-0003", "bash", "LOW")], T - 59 * DAY)
    s.scan(b, "B", [vuln("CVE-2024-0004", "curl", "HIGH")], T - 20 * DAY)
    s.deploy("prod", [("a-1", a, "A"), ("b-1", b, "B"), ("d-1", d, "D")], T - 10 * DAY)
    r = s.s.admin("POST", "/api/v1/alerts/evaluate")
    expect(r.status == 200, r)
    items = {i["weakness"]: i for i in s.s.admin("GET", "/api/v1/poam?status=open&limit=100").json()["items"]}
    expect(set(items) == {"CVE-2021-44228", "CVE-2024-0001", "CVE-2024-0002", "CVE-2024-0003", "CVE-2024-0004"},
           sorted(items))
    # a pending risk adjustment, an approved operational requirement
    r = s.s.admin("POST", "/api/v1/poam/%d/deviations" % items["CVE-2024-0001"]["id"],
                  {"type": "risk_adjustment", "adjusted_risk": "Moderate", "rationale": "not reachable",
                   "supporting_documents": ["review.pdf"]})
    expect(r.status == 201, r)
    r = s.s.admin("POST", "/api/v1/poam/%d/deviations" % items["CVE-2024-0002"]["id"],
                  {"type": "operational_requirement", "rationale": "required by the vendor integration",
                   "supporting_documents": ["memo.pdf"]})
    expect(r.status == 201, r)
    r = s.s.admin("POST", "/api/v1/poam/%d/deviations/1/decision" % items["CVE-2024-0002"]["id"],
                  {"approved": True, "official": "J. Smith, AO"})
    expect(r.status == 200, r)
    # an approved risk adjustment: the KEV item is Moderate from now on, but
    # was High at every earlier time
    kev = items["CVE-2021-44228"]["id"]
    r = s.s.admin("POST", "/api/v1/poam/%d/deviations" % kev,
                  {"type": "risk_adjustment", "adjusted_risk": "Moderate", "rationale": "mitigated by the WAF",
                   "supporting_documents": ["waf.pdf"]})
    expect(r.status == 201, r)
    r = s.s.admin("POST", "/api/v1/poam/%d/deviations/1/decision" % kev, {"approved": True, "official": "J. Smith, AO"})
    expect(r.status == 200, r)
    return items


def test_small_system_now_and_as_of():
    s = System()
    try:
        T = int(time.time())
        build_small(s, T)
        now = s.dash()
        expect(set(now) == TOP_KEYS, sorted(now))
        expect(now["images"] == 4, now)
        expect(now["containers"] == {"production": 3, "other": 1}, now["containers"])
        expect(now["scan_age"] == {"0-7": 0, "8-30": 1, "over_30": 1, "never": 1}, now["scan_age"])
        # High: CVE-2024-0001 (a, 59 days) and CVE-2024-0004 (b, 20 days); Moderate:
        # CVE-2024-0002 and log4j, adjusted from High (both a, 59 days); Low: CVE-2024-0003
        expect(now["poam"]["open"] == {"High": 2, "Moderate": 2, "Low": 1}, now["poam"])
        # log4j: KEV due 2021-12-24; CVE-2024-0001: detected 59 days ago + 30; b's High: due in 10 days
        expect(now["poam"]["late"] == {"High": 1, "Moderate": 1, "Low": 0}, now["poam"])
        # the lower middle of 20 and 59 days
        expect(now["poam"]["age"]["High"] == {"median_days": 20, "oldest_days": 59}, now["poam"]["age"])
        expect(now["poam"]["age"]["Moderate"] == {"median_days": 59, "oldest_days": 59}, now["poam"]["age"])
        expect(now["poam"]["age"]["Low"] == {"median_days": 59, "oldest_days": 59}, now["poam"]["age"])
        expect(now["kev"] == {"open": 1, "overdue": 1}, now["kev"])
        expect(now["deviations"] == {"pending": 1, "approved": 2}, now["deviations"])
        esc = {(e["name"], e["risk"]): e for e in now["escalations"]}
        expect(esc[("detailed_finding_review", "High")]["count"] == 1, esc)
        expect(esc[("detailed_finding_review", "High")]["crossed"] is False, esc)
        expect(esc[("corrective_action_plan", "High")]["count"] == 0, esc)
        expect(esc[("detailed_finding_review", "Moderate")]["threshold"] == 10, esc)
        # violations: the open alerts, by rule
        alerts = s.s.request("GET", "/api/v1/alerts?status=open&limit=100", token=s.viewer).json()["items"]
        by_rule = {}
        for a in alerts:
            by_rule[a["rule"]] = by_rule.get(a["rule"], 0) + 1
        expect(now["violations"] == {r: by_rule.get(r, 0) for r in ("scan_window", "hardening", "registry", "kev")},
               (now["violations"], by_rule))
        expect(now["violations"]["kev"] == 1 and now["violations"]["scan_window"] == 2, now["violations"])

        # 30 days ago: d not there yet, b not scanned yet, a's scan 29 days old,
        # its four items open (log4j still High), only the KEV one late; no
        # alert had opened then
        past = s.dash("?as_of=" + iso(T - 30 * DAY))
        expect(past["as_of"] == iso(T - 30 * DAY), past)
        expect(past["images"] == 3 and past["containers"] == {"production": 2, "other": 1}, past)
        expect(past["scan_age"] == {"0-7": 0, "8-30": 1, "over_30": 0, "never": 1}, past["scan_age"])
        expect(past["poam"]["open"] == {"High": 2, "Moderate": 1, "Low": 1}, past["poam"])
        expect(past["poam"]["late"] == {"High": 1, "Moderate": 0, "Low": 0}, past["poam"])
        expect(past["kev"] == {"open": 1, "overdue": 1}, past["kev"])
        expect(past["deviations"] == {"pending": 0, "approved": 0}, past["deviations"])
        expect(sum(past["violations"].values()) == 0, past["violations"])
        # asking again gives the same answer; a date means the end of that day
        expect(s.dash("?as_of=" + iso(T - 30 * DAY)) == past)
        day = datetime.datetime.fromtimestamp(T - 30 * DAY, datetime.timezone.utc).strftime("%Y-%m-%d")
        expect(s.dash("?as_of=" + day)["as_of"] == day + "T23:59:59Z")
        # before anything happened
        empty = s.dash("?as_of=" + iso(T - 61 * DAY))
        expect(empty["images"] == 0 and empty["containers"] == {"production": 0, "other": 0}, empty)
        expect(sum(empty["poam"]["open"].values()) == 0 and empty["kev"] == {"open": 0, "overdue": 0}, empty)

        # the trend: oldest first, the last point is now
        tr = s.s.request("GET", "/api/v1/dashboard/trend?months=4", token=s.viewer)
        expect(tr.status == 200, tr)
        tr = tr.json()
        expect(tr["months"] == 4 and len(tr["points"]) == 4, tr)
        months = [p["month"] for p in tr["points"]]
        expect(months == sorted(months) and len(set(months)) == 4, months)
        expect(months[-1] == time.strftime("%Y-%m", time.gmtime()), months)
        expect(figures(tr["points"][-1]) == figures(s.dash()), (tr["points"][-1], s.dash()))
        for p in tr["points"][:-1]:
            expect(p["as_of"].endswith("T23:59:59Z"), p)
            expect(figures(p) == figures(s.dash("?as_of=" + p["as_of"])), p)
        expect(len(s.s.request("GET", "/api/v1/dashboard/trend", token=s.viewer).json()["points"]) == 12)
    finally:
        s.stop()


def test_parameters_and_roles():
    s = System()
    try:
        expect_error(s.s.request("GET", "/api/v1/dashboard"), 401, "unauthorized")
        expect_error(s.s.request("GET", "/api/v1/dashboard", token=s.sensor), 403, "forbidden")
        for q in ("as_of=yesterday", "as_of=2026-13-01", "as_of=", "as_of=2999-01-01"):
            expect_error(s.s.request("GET", "/api/v1/dashboard?" + q, token=s.viewer), 400, "bad_parameter")
        for q in ("months=0", "months=37", "months=x", "months=-1"):
            expect_error(s.s.request("GET", "/api/v1/dashboard/trend?" + q, token=s.viewer), 400, "bad_parameter")
        d = s.dash()
        expect(set(d) == TOP_KEYS and d["images"] == 0, d)
        expect(set(d["scan_age"]) == {"0-7", "8-30", "over_30", "never"}, d)
        expect(set(d["poam"]["open"]) == set(RISKS) and set(d["poam"]["late"]) == set(RISKS), d)
        expect(set(d["containers"]) == {"production", "other"} and set(d["kev"]) == {"open", "overdue"}, d)
        expect(set(d["deviations"]) == {"pending", "approved"} and len(d["escalations"]) == 4, d)
    finally:
        s.stop()


def test_cache_never_stale_after_a_write():
    # the cache key is the cluster's commit stamp: a private cluster and no
    # periodic evaluator, so that nothing else writes while we count hits
    cluster = Cluster()
    s = None
    try:
        s = System(env={"MUSTER_EVALUATOR_SECONDS": "0"}, db=Database(host=cluster.run))
        T = int(time.time())
        ref = "%s/app-x:1.0" % REG
        s.deploy("prod", [("x-1", ref, "X")], T - DAY)
        first = s.dash()
        expect(first["containers"]["production"] == 1, first)
        for _ in range(5):
            expect(figures(s.dash()) == figures(first))
        m = s.s.request("GET", "/metrics", token=s.viewer).body.decode()
        hits = int(re.search(r'^muster_dashboard_cache_total\{result="hit"\} (\d+)$', m, re.M).group(1))
        expect(hits >= 5, "cache hits: %d" % hits)
        # a write commits: the next answer includes it at once
        s.deploy("prod", [("x-1", ref, "X"), ("x-2", ref, "X")], T - 60)
        expect(s.dash()["containers"]["production"] == 2)
        s.scan(ref, "X", [], T - 30)
        expect(s.dash()["scan_age"]["0-7"] == 1)
    finally:
        if s:
            s.stop()
        cluster.destroy()


# --- the web UI ---

class Browser:
    """Cookies and forms over http.client (the real browser test is
    tests/browser/dashboard.test.mjs)."""

    def __init__(self, server):
        self.s = server
        self.cookies = {}

    def request(self, method, path, form=None, headers=None):
        h = dict(headers or {})
        body = None
        if self.cookies:
            h["Cookie"] = "; ".join("%s=%s" % kv for kv in self.cookies.items())
        if form is not None:
            from urllib.parse import urlencode
            body = urlencode(form).encode()
            h["Content-Type"] = "application/x-www-form-urlencoded"
        r = self.s.request(method, path, body=body, headers=h)
        for k, v in r.headers:
            if k.lower() == "set-cookie":
                name, val = v.split(";")[0].split("=", 1)
                if "Max-Age=0" in v:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = val
        return r


def hidden(html, name="csrf"):
    m = re.search(r'name="%s" value="([0-9a-f]{64})"' % name, html)
    expect(m, "no %s field in %s" % (name, html[:500]))
    return m.group(1)


def page_headers_ok(r):
    csp = r.header("Content-Security-Policy") or ""
    expect("default-src 'self'" in csp and "script-src 'none'" in csp and "frame-ancestors 'none'" in csp, csp)
    expect(r.header("X-Content-Type-Options") == "nosniff", r.headers)
    expect(r.header("Referrer-Policy") == "no-referrer", r.headers)
    expect((r.header("Content-Type") or "").startswith("text/html"), r.headers)
    expect(b"<script" not in r.body.lower() and b" style=" not in r.body.lower(), "inline script or style")


def sign_in(b, token):
    r = b.request("GET", "/login")
    expect(r.status == 200, r)
    page_headers_ok(r)
    expect("muster_login" in b.cookies, b.cookies)
    return b.request("POST", "/login", form={"csrf": hidden(r.body.decode()), "token": token})


def test_web_sign_in_pages_and_sign_out():
    s = System()
    try:
        T = int(time.time())
        build_small(s, T)
        b = Browser(s.s)
        r = b.request("GET", "/")
        expect(r.status == 303 and r.header("Location") == "/login", r)
        r = b.request("GET", "/images/1")
        expect(r.status == 303 and r.header("Location") == "/login", r)
        css = b.request("GET", "/static/app.css")
        expect(css.status == 200 and css.header("Content-Type").startswith("text/css"), css)

        # the sign-in form: CSRF (double submit), bad token, machine tokens refused
        r = b.request("GET", "/login")
        token_field = hidden(r.body.decode())
        r = b.request("POST", "/login", form={"csrf": "0" * 64, "token": s.viewer})
        expect(r.status == 403 and "muster_session" not in b.cookies, r)
        r = b.request("POST", "/login", form={"csrf": hidden(r.body.decode()), "token": "nope"})
        expect(r.status == 401 and b"not valid" in r.body, r)
        expect(token_field not in r.body.decode(), "a new form token after a failure")
        r = b.request("POST", "/login", form={"csrf": hidden(r.body.decode()), "token": s.sensor})
        expect(r.status == 403 and "muster_session" not in b.cookies, r)
        r = sign_in(b, s.viewer)
        expect(r.status == 303 and r.header("Location") == "/", r)
        set_cookie = [v for k, v in r.headers if k.lower() == "set-cookie" and v.startswith("muster_session=")][0]
        expect("HttpOnly" in set_cookie and "SameSite=Strict" in set_cookie and "Path=/" in set_cookie, set_cookie)
        sid = b.cookies["muster_session"]
        expect(re.fullmatch(r"[0-9a-f]{64}", sid) and sid != s.viewer, sid)
        # stored hashed, never the token
        expect(s.db.scalar("SELECT count(*) FROM sessions WHERE sid_sha256 = '%s'"
                           % hashlib.sha256(sid.encode()).hexdigest()) == "1")
        expect(s.db.scalar("SELECT count(*) FROM sessions WHERE sid_sha256 = '%s' OR sid_sha256 = '%s'"
                           % (sid, s.viewer)) == "0")
        # the cookie opens no API route: /api/ stays bearer-only
        expect_error(b.request("GET", "/api/v1/dashboard"), 401, "unauthorized")

        # the dashboard page shows the API's figures
        api = s.dash()
        r = b.request("GET", "/")
        expect(r.status == 200, r)
        page_headers_ok(r)
        html = r.body.decode()

        def figure(name):
            m = re.search(r'data-figure="%s">(\d+)<' % re.escape(name), html)
            expect(m, "no figure %s" % name)
            return int(m.group(1))

        expect(figure("images") == api["images"] == 4, html)
        expect(figure("containers.production") == 3 and figure("containers.other") == 1)
        expect(figure("poam.open") == sum(api["poam"]["open"].values()) == 5)
        expect(figure("poam.late") == 2 and figure("kev.open") == 1 and figure("kev.overdue") == 1)
        expect(figure("deviations.pending") == 1 and figure("deviations.approved") == 2)
        for k, v in api["scan_age"].items():
            expect('data-key="%s" data-value="%d"' % (k, v) in html, (k, v))
        for k, v in api["poam"]["late"].items():
            expect('data-key="%s" data-value="%d"' % (k, v) in html, (k, v))
        month = time.strftime("%Y-%m", time.gmtime())
        for k, v in api["poam"]["open"].items():
            expect('data-series="%s" data-x="%s" data-value="%d"' % (k, month, v) in html, (k, v))
        expect('id="download-inventory" href="/reports/inventory.xlsx?month=%s"' % month in html)
        expect('id="download-poam" href="/reports/poam.xlsx?month=%s"' % month in html)
        # violations link to image pages
        links = sorted(set(re.findall(r'href="/images/(\d+)"', html)))
        expect(len(links) >= 1, html)
        csrf = hidden(html)

        r = b.request("GET", "/images/" + links[0])
        expect(r.status == 200, r)
        page_headers_ok(r)
        img = s.s.request("GET", "/api/v1/images/" + links[0], token=s.viewer).json()
        expect(('data-image-id="%s">%s<' % (links[0], img["uai"])) in r.body.decode(), r.body[:3000])
        expect(b.request("GET", "/images/999999").status == 404)
        expect(b.request("GET", "/images/x").status == 404)

        # workbooks through the session, never a token in the URL
        x = b.request("GET", "/reports/inventory.xlsx?month=" + month)
        expect(x.status == 200 and x.body[:2] == b"PK", x)
        x = b.request("GET", "/reports/poam.xlsx?month=" + month)
        expect(x.status == 200 and x.body[:2] == b"PK", x)

        # sign-out needs the session's CSRF token
        r = b.request("POST", "/logout", form={"csrf": "f" * 64})
        expect(r.status == 403, r)
        r = b.request("POST", "/logout", form={})
        expect(r.status == 403, r)
        expect(b.request("GET", "/").status == 200)
        r = b.request("POST", "/logout", form={"csrf": csrf})
        expect(r.status == 303 and r.header("Location") == "/login", r)
        expect("muster_session" not in b.cookies)
        # the old id is dead even if replayed
        b.cookies["muster_session"] = sid
        expect(b.request("GET", "/").status == 303)
        expect(s.db.scalar("SELECT count(*) FROM sessions") == "0")

        # revoking the token ends its sessions; admins may sign in too
        tok = s.s.admin("POST", "/api/v1/tokens", {"name": "ao", "role": "viewer"}).json()
        b2 = Browser(s.s)
        expect(sign_in(b2, tok["token"]).status == 303)
        expect(b2.request("GET", "/").status == 200)
        expect(s.s.admin("DELETE", "/api/v1/tokens/%d" % tok["id"]).status in (200, 204))
        expect(b2.request("GET", "/").status == 303)
        b3 = Browser(s.s)
        expect(sign_in(b3, s.s.admin_token).status == 303 and b3.request("GET", "/").status == 200)
        # a session cannot be made to expire later than its stored expiry
        s.db.query("UPDATE sessions SET expires_at = now() - interval '1 second'")
        expect(b3.request("GET", "/").status == 303)
    finally:
        s.stop()


def test_pagination_of_violations():
    s = System()
    try:
        T = int(time.time())
        # 30 production images, never scanned, no hardening: 60 open alerts
        s.deploy("prod", [("p-%d" % i, "%s/svc-%02d:1.0" % (REG, i), "S%d" % i) for i in range(30)], T - DAY)
        expect(s.s.admin("POST", "/api/v1/alerts/evaluate").status == 200)
        total = len(s.s.request("GET", "/api/v1/alerts?status=open&limit=1000", token=s.viewer).json()["items"])
        expect(total == 60, total)
        b = Browser(s.s)
        expect(sign_in(b, s.viewer).status == 303)
        seen, path, pages = [], "/", 0
        while path:
            html = b.request("GET", path).body.decode()
            table = re.search(r'id="violations-table">(.*?)</table>', html, re.S).group(1)
            rows = re.findall(r'<tr><td class="mono"><a class="image-link" href="/images/(\d+)">[^<]*</a></td><td>(\w+)</td>',
                              table)
            expect(len(rows) == (25 if pages < 2 else 10), (pages, len(rows)))
            seen += rows
            pages += 1
            m = re.search(r'id="violations-next" href="([^"]+)"', html)
            path = m.group(1).replace("&amp;", "&").split("#")[0] if m else None
        expect(pages == 3 and len(set(seen)) == 60, (pages, len(set(seen))))
        expect(b.request("GET", "/?vcursor=abc").status == 400)
        expect(b.request("GET", "/?lpage=0").status == 400)
    finally:
        s.stop()


# --- metrics ---

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\["\\n])*",?)*\})? '
                    r'(-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_exposition(text):
    """Strict parse of the text format: families with HELP and TYPE before
    their samples, valid names, labels and values. {family: (type, [(name,
    labels, value)])}."""
    fams, current = {}, None
    expect(text.endswith("\n"), "no final newline")
    for line in text.split("\n")[:-1]:
        if line.startswith("# HELP "):
            name = line.split(" ")[2]
            expect(name not in fams, "family %s twice" % name)
            fams[name] = [None, []]
            current = name
        elif line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ")
            expect(name == current and typ in ("counter", "gauge", "histogram"), line)
            fams[name][0] = typ
        else:
            m = SAMPLE.match(line)
            expect(m, "bad sample line: %r" % line)
            name = m.group(1)
            base = re.sub(r"_(bucket|sum|count)$", "", name) if fams.get(current, [None])[0] == "histogram" else name
            expect(base == current and fams[current][0], "sample %s outside its family %s" % (name, current))
            labels = dict(LABEL.findall(m.group(2) or ""))
            fams[current][1].append((name, labels, float(m.group(3))))
    for name, (typ, samples) in fams.items():
        if typ == "histogram":
            series = {}
            for n, labels, v in samples:
                key = tuple(sorted((k, x) for k, x in labels.items() if k != "le"))
                series.setdefault(key, {"buckets": [], "count": None})
                if n.endswith("_bucket"):
                    series[key]["buckets"].append((labels["le"], v))
                elif n.endswith("_count"):
                    series[key]["count"] = v
            for key, ser in series.items():
                vals = [v for _, v in ser["buckets"]]
                expect(vals == sorted(vals), "buckets not cumulative: %s %s" % (name, key))
                expect(ser["buckets"][-1][0] == "+Inf" and vals[-1] == ser["count"], (name, key, ser))
    return fams


def test_metrics():
    s = System()
    try:
        expect_error(s.s.request("GET", "/metrics"), 401, "unauthorized")
        expect_error(s.s.request("GET", "/metrics", token=s.sensor), 403, "forbidden")
        T = int(time.time())
        ref = "%s/app-m:1.0" % REG
        body = json.dumps(trivy(ref, "M", [vuln("CVE-2024-0009", "openssl", "HIGH")], iso(T - 60))).encode()
        expect(s.s.request("POST", "/api/v1/scans", body, token=s.scanner,
                           headers={"Content-Type": "application/json"}).status == 201)
        expect(s.s.request("POST", "/api/v1/scans", body, token=s.scanner,
                           headers={"Content-Type": "application/json"}).status == 200)
        expect(s.s.request("POST", "/api/v1/scans", b"{}", token=s.scanner,
                           headers={"Content-Type": "application/json"}).status >= 400)
        for _ in range(3):
            s.dash()
        s.s.request("GET", "/no/such/route")
        # a request is counted just after its answer is sent: wait until the
        # last one shows (bounded), then read everything from one scrape
        for _ in range(100):
            r = s.s.request("GET", "/metrics", token=s.viewer)
            expect(r.status == 200 and r.header("Content-Type").startswith("text/plain; version=0.0.4"), r)
            fams = parse_exposition(r.body.decode())
            if any(l.get("route") == "unmatched" for n, l, v in fams.get("muster_http_requests_total", (None, []))[1]):
                break
            time.sleep(0.02)

        def value(family, name=None, **labels):
            for n, l, v in fams[family][1]:
                if (name or family) == n and all(l.get(k) == x for k, x in labels.items()):
                    return v
            raise AssertionError("no sample %s %s" % (family, labels))

        expect(value("muster_http_requests_total", method="GET", route="/api/v1/dashboard", code="200") == 3)
        expect(value("muster_http_requests_total", route="unmatched", code="404") == 1)
        expect(value("muster_http_request_duration_seconds", "muster_http_request_duration_seconds_count",
                     method="GET", route="/api/v1/dashboard") == 3)
        expect(value("muster_ingest_requests_total", kind="scan", result="stored") == 1)
        expect(value("muster_ingest_requests_total", kind="scan", result="duplicate") == 1)
        expect(value("muster_ingest_requests_total", kind="scan", result="rejected") == 1)
        expect(value("muster_ingest_bytes_total", kind="scan") == 2 * len(body) + 2)
        expect(value("muster_findings_stored") == 1 and value("muster_scans_stored") == 1)
        expect(value("muster_db_pool_connections", state="size") == 4)
        expect(value("muster_webhook_deliveries", status="pending") == 0)
        for fam in ("muster_rule_evaluations_total", "muster_rule_evaluation_duration_seconds",
                    "muster_dashboard_cache_total", "muster_alerts_open", "muster_web_sessions", "muster_images"):
            expect(fam in fams, fam)
    finally:
        s.stop()


# --- the demo, checked against an independent fold of the raw history ---

def reference_figures(db, t):
    """The POA&M, KEV and container figures at epoch t, from raw rows: each
    item's state is the fold of its events up to t (not the cached columns)."""
    when = "to_timestamp(%d)" % t
    day = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).date()
    events = db.query("SELECT e.item_id, e.delta::text, e.kind, extract(epoch FROM e.at)::bigint,"
                      " extract(epoch FROM i.detected_at)::bigint FROM poam_events e JOIN poam_items i"
                      " ON i.id = e.item_id WHERE e.at <= %s ORDER BY e.item_id, e.at, e.id" % when)
    state, checkin, detected = {}, {}, {}
    for item, delta, kind, at, det in events:
        state.setdefault(item, {}).update(json.loads(delta))
        detected[item] = int(det)
        if kind == "checkin":
            checkin[item] = datetime.datetime.fromtimestamp(int(at), datetime.timezone.utc).date()
    open_ = {r: 0 for r in RISKS}
    late = {r: 0 for r in RISKS}
    kev = {"open": 0, "overdue": 0}
    for item, st in state.items():
        if st.get("status") != "open":
            continue
        risk = st.get("adjusted_risk") or st["original_risk"]
        open_[risk] += 1
        sched = datetime.date.fromisoformat(st["scheduled"])
        grace = st.get("vendor_dependency") and item in checkin and checkin[item] >= day - datetime.timedelta(30)
        if sched < day and not grace:
            late[risk] += 1
        if st.get("kev_due"):
            kev["open"] += 1
            if datetime.date.fromisoformat(st["kev_due"]) < day:
                kev["overdue"] += 1
    running = db.query("SELECT coalesce(muster_environment(cluster, namespace, %s) = 'production', false)"
                       " FROM container_instances WHERE first_seen <= %s AND (ended_at IS NULL OR ended_at > %s)"
                       % (when, when, when))
    prod = sum(1 for (p,) in running if p == "t")
    return {"open": open_, "late": late, "kev": kev, "containers": {"production": prod, "other": len(running) - prod}}


def test_demo_fills_an_empty_database_and_matches_the_history():
    db = Database()
    env = dict(os.environ, MUSTER_DATABASE_URL=db.url)
    t0 = time.time()
    out = subprocess.run([MUSTER_BIN, "demo", "--days", "42", "--seed", "11"], env=env,
                         capture_output=True, text=True, timeout=900)
    expect(out.returncode == 0, out.stdout + out.stderr)
    expect(re.search(r"100 repositories, \d+ scans \(\d+ findings\), \d+ snapshots", out.stdout), out.stdout)
    print("  demo: %.1f s" % (time.time() - t0))
    before = db.snapshot(["images", "scans", "container_instances", "poam_items"])
    again = subprocess.run([MUSTER_BIN, "demo"], env=env, capture_output=True, text=True, timeout=60)
    expect(again.returncode == 0 and "nothing done" in again.stderr, again.stdout + again.stderr)
    expect(db.snapshot(["images", "scans", "container_instances", "poam_items"]) == before, "a second demo wrote")
    bad = subprocess.run([MUSTER_BIN, "demo", "--scale", "0"], env=env, capture_output=True, text=True)
    expect(bad.returncode == 2, bad.stderr)
    s = Server(db)
    try:
        v = s.token("viewer")
        now = s.request("GET", "/api/v1/dashboard", token=v).json()
        expect(now["images"] >= 150 and now["containers"]["production"] > 50, now)
        expect(sum(now["scan_age"].values()) > 50 and now["scan_age"]["never"] > 0, now["scan_age"])
        expect(sum(now["poam"]["open"].values()) > 50 and sum(now["poam"]["late"].values()) > 0, now["poam"])
        expect(now["kev"]["open"] > 0 and sum(now["violations"].values()) > 0, now)
        regs = db.query("SELECT DISTINCT registry FROM images ORDER BY 1")
        expect(len(regs) == 4, regs)
        trend = s.request("GET", "/api/v1/dashboard/trend?months=3", token=v).json()["points"]
        checked = 0
        for p in trend:
            t = int(datetime.datetime.strptime(p["as_of"], "%Y-%m-%dT%H:%M:%SZ")
                    .replace(tzinfo=datetime.timezone.utc).timestamp())
            ref = reference_figures(db, t)
            expect(p["poam"]["open"] == ref["open"], (p["month"], p["poam"]["open"], ref["open"]))
            expect(p["poam"]["late"] == ref["late"], (p["month"], p["poam"]["late"], ref["late"]))
            expect(p["kev"] == ref["kev"], (p["month"], p["kev"], ref["kev"]))
            expect(p["containers"] == ref["containers"], (p["month"], p["containers"], ref["containers"]))
            checked += sum(ref["open"].values())
        expect(checked > 0, "the history had no open item at any month's end")
    finally:
        s.stop()


if __name__ == "__main__":
    main(globals())
