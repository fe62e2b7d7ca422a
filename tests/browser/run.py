"""run.py - the browser test's driver (ctest browser_dashboard, run by
scripts/test): a fresh database, the real `muster serve`, three months of
history loaded through the API, then tests/browser/dashboard.test.mjs drives
Debian's headless Chromium against it. Screenshots and downloads go to
MUSTER_BROWSER_ARTIFACTS (build/browser-artifacts by default).

Exit 77 (skipped) when PostgreSQL, Chromium or the npm packages are missing,
unless MUSTER_REQUIRE_BROWSER=1 (scripts/test sets it): then that is a failure.
"""
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))

import harness  # noqa: E402
from harness import Database, Server, expect  # noqa: E402
from test_dashboard import DAY, KEV, REG, System, iso, vuln  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.environ.get("MUSTER_BROWSER_ARTIFACTS") or os.path.join(harness.ROOT, "build", "browser-artifacts")


def skip(why):
    if os.environ.get("MUSTER_REQUIRE_BROWSER") == "1":
        print("browser test cannot run: " + why)
        sys.exit(1)
    print("skipped: " + why)
    sys.exit(77)


def load_history(s, T):
    """Twelve images over three registries, deployed and scanned at four
    points of the last 90 days, with KEV, late items and deviations."""
    expect(s.s.admin("POST", "/api/v1/kev", KEV).status in (200, 201))
    pool = [("CVE-2024-1001", "openssl", "HIGH"), ("CVE-2024-1002", "zlib", "MEDIUM"),
            ("CVE-2024-1003", "bash", "LOW"), ("CVE-2024-1004", "curl", "CRITICAL"),
            ("CVE-2024-1005", "libxml2", "MEDIUM"), ("CVE-2024-1006", "expat", "HIGH"),
            ("CVE-2024-1007", "sqlite", "LOW"), ("CVE-2024-1008", "tar", "MEDIUM")]
    regs = [REG, "ghcr.io", "quay.io"]
    images = []
    for i in range(12):
        ref = "%s/team-%d/svc-%02d:1.%d" % (regs[i % 3], i % 4, i, i % 3)
        vulns = [vuln(*pool[(i + k) % len(pool)]) for k in range(2 + i % 4)]
        if i in (2, 7):
            vulns.append(vuln("CVE-2021-44228", "log4j-core", "CRITICAL"))
        images.append((ref, "B%d" % i, vulns))
    for step, days in enumerate((90, 60, 30, 6)):
        live = images[: 4 + step * 3 - (1 if step == 3 else 0)]
        s.deploy("prod", [("p-%d" % i, ref, b) for i, (ref, b, _) in enumerate(live)], T - days * DAY)
        s.deploy("stage", [("s-%d" % i, ref, b) for i, (ref, b, _) in enumerate(images[:6])], T - days * DAY)
        for i, (ref, b, vulns) in enumerate(live):
            if i % 5 != 4 and (step == 0 or i % 3 != 1 or days == 6):
                s.scan(ref, b, vulns, T - days * DAY + 3600)
    expect(s.s.admin("POST", "/api/v1/alerts/evaluate").status == 200)
    items = s.s.admin("GET", "/api/v1/poam?status=open&limit=200").json()["items"]
    highs = [it for it in items if it["original_risk"] == "High"]
    mods = [it for it in items if it["original_risk"] == "Moderate"]
    if highs:
        r = s.s.admin("POST", "/api/v1/poam/%d/deviations" % highs[0]["id"],
                      {"type": "risk_adjustment", "adjusted_risk": "Moderate", "rationale": "not reachable",
                       "supporting_documents": ["review.pdf"]})
        expect(r.status == 201, r)
    if mods:
        r = s.s.admin("POST", "/api/v1/poam/%d/deviations" % mods[0]["id"],
                      {"type": "operational_requirement", "rationale": "vendor integration",
                       "supporting_documents": ["memo.pdf"]})
        expect(r.status == 201, r)
        r = s.s.admin("POST", "/api/v1/poam/%d/deviations/1/decision" % mods[0]["id"],
                      {"approved": True, "official": "J. Smith, AO"})
        expect(r.status == 200, r)


def main():
    if not harness.PGHOST:
        skip("MUSTER_TEST_PGHOST is not set (run through scripts/test)")
    if not os.access(CHROMIUM, os.X_OK):
        skip("%s is missing (Debian package chromium)" % CHROMIUM)
    if not os.path.isdir(os.path.join(HERE, "node_modules", "playwright-core")) or not shutil.which("node"):
        skip("node or tests/browser/node_modules missing (cd tests/browser && npm ci --ignore-scripts)")
    os.makedirs(ARTIFACTS, exist_ok=True)
    s = System()
    try:
        T = int(time.time())
        load_history(s, T)
        dash = s.dash()
        print("data: %d images, %d production containers, %s open POA&M items"
              % (dash["images"], dash["containers"]["production"], sum(dash["poam"]["open"].values())))
        env = dict(os.environ, MUSTER_URL="http://127.0.0.1:%d" % s.s.port, MUSTER_VIEWER_TOKEN=s.viewer,
                   MUSTER_BROWSER_ARTIFACTS=ARTIFACTS, MUSTER_CHROMIUM=CHROMIUM)
        t0 = time.time()
        r = subprocess.run(["node", os.path.join(HERE, "dashboard.test.mjs")], env=env, cwd=HERE, timeout=300)
        print("browser test: exit %d in %.1f s; artifacts in %s" % (r.returncode, time.time() - t0, ARTIFACTS))
        rc = r.returncode
    finally:
        s.stop()
    sys.exit(1 if rc else 0)


if __name__ == "__main__":
    main()
