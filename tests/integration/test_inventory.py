"""test_inventory.py - the FedRAMP Integrated Inventory Workbook over real
HTTP: a system built from real scan fixtures and PodLists, downloaded as
.xlsx and read back with openpyxl (sheet, header cells equal to the
official v3.1 template's, one row per production asset with the stored
digests and values), history (a container that ended before the month, a
non-production cluster, scans after the month), a past month reproduced
byte for byte after later changes (HTTP and CLI), CSV rows equal to the
workbook's, the system settings API, parameters and authorization.

Dates: the fixtures are placed in September-October 2026, well before
"now". Environments, hardening and metadata keep history by the time they
were written (wall clock), so the test backdates the rows it means to be
in force since before the reported months.
"""
import csv
import datetime
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import openpyxl

from harness import (FIXTURES, MUSTER_BIN, ROOT, WORK, Database, Server, expect, expect_error,
                     fixture, main, read_fixture)

TEMPLATE = fixture("fedramp", "SSP-Appendix-M-Integrated-Inventory-Workbook-Template.xlsx")
CHECK_WORKBOOK = os.path.join(ROOT, "tests", "unit", "check_workbook.py")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

ALPINE = "docker.io/library/alpine:3.10"
JUICE = "docker.io/bkimminich/juice-shop:v12.10.2"
ALPINE39 = "ghcr.io/aquasecurity/trivy-test-images:alpine-39"
SPRING = "ghcr.io/aquasecurity/trivy-test-images:spring4shell-jre11"
UBI = "ghcr.io/aquasecurity/trivy-test-images:ubi-7"
JUICE_B2 = "sha256:" + "ab" * 32   # a second, never scanned build of the juice-shop asset


def fixture_json(*parts):
    return json.loads(read_fixture(*parts))


def repo_digest(doc):
    return doc["Metadata"]["RepoDigests"][0].split("@")[1]


ALPINE_DIGEST = repo_digest(fixture_json("trivy", "alpine-310-registry.json"))
JUICE_DIGEST = repo_digest(fixture_json("trivy", "securecodebox_juice-shop-v12.10.2.json"))
ALPINE39_DIGEST = fixture_json("trivy", "alpine-39.json")["Metadata"]["ImageID"]
SPRING_DIGEST = fixture_json("trivy", "spring4shell-jre11.json")["Metadata"]["ImageID"]
UBI_DIGEST = fixture_json("trivy", "ubi-7-comprehensive.json")["Metadata"]["ImageID"]


def pod(ns, name, image, digest):
    repo = image.rsplit(":", 1)[0]
    return {"metadata": {"namespace": ns, "name": name},
            "spec": {"containers": [{"name": "app", "image": image}]},
            "status": {"phase": "Running", "containerStatuses": [
                {"name": "app", "image": image, "imageID": "docker-pullable://%s@%s" % (repo, digest),
                 "state": {"running": {}}}]}}


def snapshot(s, token, cluster, when, pods):
    q = "/api/v1/runtime?cluster=%s" % cluster + ("&observed_at=%s" % when if when else "")
    r = s.request("POST", q, json.dumps({"kind": "PodList", "apiVersion": "v1", "items": pods}).encode(),
                  token=token)
    expect(r.status == 201, r)
    return r.json()


def scan(s, token, path, when):
    r = s.request("POST", "/api/v1/scans?scanned_at=%s" % when, read_fixture(*path.split("/")), token=token)
    expect(r.status == 201, r)
    return r.json()


def image_id(s, uai):
    r = s.admin("GET", "/api/v1/images?uai=" + uai)
    expect(r.status == 200 and len(r.json()["items"]) == 1, (uai, r))
    return r.json()["items"][0]["id"]


def put_ok(s, path, body):
    r = s.admin("PUT", path, body)
    expect(r.status == 200, (path, r))
    return r


def download(s, path, token=None):
    r = s.request("GET", path, token=token or s.admin_token)
    expect(r.status == 200, (path, r))
    return r


def cell_text(v):
    if v is None:
        return ""
    if isinstance(v, datetime.datetime):
        return v.date().isoformat()
    return v


def read_rows(data):
    """(workbook, header row 2, data rows from row 3) of an .xlsx body."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb["Inventory"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=1, max_col=25)]
    return wb, rows[1], rows[2:]


def by_uai(rows):
    return {r[0]: r for r in rows}


def col(name):
    """0-based column of a header (names from the template, row 2)."""
    return HEADERS.index(name)


HEADERS = ["UNIQUE ASSET IDENTIFIER", "IPv4 or IPv6 Address", "Virtual", "Public", "DNS Name or URL",
           "NetBIOS Name", "MAC Address", "Authenticated Scan", "Baseline Configuration Name",
           "OS Name and Version", "Location", "Asset Type", "Hardware Make/Model", "In Latest Scan",
           "Software/ Database Vendor", "Software/ Database Name & Version", "Patch Level", "Diagram Label",
           "Comments", "Serial #/Asset Tag#", "VLAN/\nNetwork ID", "System Administrator/ Owner",
           "Application Administrator/ Owner", "Function", "End-of-Life "]


def row(**kw):
    """An expected data row: the given columns, blank elsewhere."""
    names = {"uai": 0, "ip": 1, "virtual": 2, "public": 3, "auth": 7, "baseline": 8, "os": 9, "location": 10,
             "asset_type": 11, "in_latest": 13, "vendor": 14, "software": 15, "diagram": 17, "comments": 18,
             "sysadmin": 21, "app_owner": 22, "function": 23, "eol": 24}
    out = [None] * 25
    out[2], out[11] = "Yes", "Container"
    for k, v in kw.items():
        out[names[k]] = v
    return out


class System:
    """The system every test reads: built once over HTTP."""

    def __init__(self):
        self.db = Database()
        self.s = Server(self.db)
        s = self.s
        self.scanner = s.token("scanner")
        self.sensor = s.token("sensor")
        self.viewer = s.token("viewer")
        put_ok(s, "/api/v1/system", {"system_name": "Acme Cloud / Prod", "csp_name": "Acme Corp",
                                     "impact_level": "Moderate"})
        for cluster, env in (("prod-east", "production"), ("prod-west", "production"), ("stage", "staging")):
            put_ok(s, "/api/v1/clusters/" + cluster, {"environment": env})
        # the clusters have been what they are since before the reported months
        self.db.query("UPDATE environments SET valid_from = '2026-01-01T00:00:00Z'")

        snapshot(s, self.sensor, "prod-east", "2026-09-01T00:00:00Z", [
            pod("web", "a-1", "alpine:3.10", ALPINE_DIGEST), pod("web", "a-2", "alpine:3.10", ALPINE_DIGEST),
            pod("jobs", "e-1", SPRING, SPRING_DIGEST)])
        snapshot(s, self.sensor, "prod-west", "2026-09-01T00:00:00Z", [
            pod("web", "a-3", "alpine:3.10", ALPINE_DIGEST),
            pod("web", "b-1", "bkimminich/juice-shop:v12.10.2", JUICE_DIGEST)])
        snapshot(s, self.sensor, "stage", "2026-09-01T00:00:00Z", [pod("web", "d-1", UBI, UBI_DIGEST)])
        # e-1 (spring4shell) ends on 2026-09-15
        out = snapshot(s, self.sensor, "prod-east", "2026-09-15T00:00:00Z", [
            pod("web", "a-1", "alpine:3.10", ALPINE_DIGEST), pod("web", "a-2", "alpine:3.10", ALPINE_DIGEST)])
        expect(out["ended"] == 1, out)
        snapshot(s, self.sensor, "prod-east", "2026-10-05T00:00:00Z", [
            pod("web", "a-1", "alpine:3.10", ALPINE_DIGEST), pod("web", "a-2", "alpine:3.10", ALPINE_DIGEST),
            pod("web", "c-1", ALPINE39, ALPINE39_DIGEST)])
        snapshot(s, self.sensor, "prod-west", "2026-10-20T00:00:00Z", [
            pod("web", "a-3", "alpine:3.10", ALPINE_DIGEST),
            pod("web", "b-1", "bkimminich/juice-shop:v12.10.2", JUICE_DIGEST),
            pod("web", "b-2", "bkimminich/juice-shop:v12.10.2", JUICE_B2)])

        self.alpine_scan = scan(s, self.scanner, "trivy/alpine-310-registry.json", "2026-10-10T00:00:00Z")
        self.juice_scan = scan(s, self.scanner, "trivy/securecodebox_juice-shop-v12.10.2.json",
                               "2026-09-01T12:00:00Z")
        expect(self.alpine_scan["image"]["uai"] == ALPINE and self.juice_scan["image"]["uai"] == JUICE,
               (self.alpine_scan, self.juice_scan))
        self.ids = {u: image_id(s, u) for u in (ALPINE, JUICE, ALPINE39, SPRING, UBI)}

        put_ok(s, "/api/v1/repositories/docker.io/library/alpine/metadata",
               {"owner": "Platform Team", "vendor": "Alpine Linux", "function": "Base image", "public": False})
        put_ok(s, "/api/v1/images/%d/metadata" % self.ids[ALPINE],
               {"diagram_label": "Web tier", "public": True, "end_of_life": "2027-05-01",
                "software_name_version": "Alpine Linux 3.10", "application_owner": "Web Team",
                "location": "us-east-1", "comments": "Pinned for the web tier"})
        put_ok(s, "/api/v1/images/%d/hardening" % self.ids[ALPINE],
               {"baseline": "CIS Docker Benchmark v1.6.0", "validated_by": "Jane Doe",
                "validated_at": "2026-08-01"})
        put_ok(s, "/api/v1/repositories/docker.io/bkimminich/juice-shop/hardening",
               {"baseline": "DISA Container Platform SRG V1R4", "validated_by": "Jane Doe",
                "validated_at": "2026-08-01"})
        # in force since before the reported months
        self.db.query("UPDATE hardening SET valid_from = '2026-01-01T00:00:00Z';"
                      " UPDATE asset_metadata SET valid_from = '2026-01-01T00:00:00Z'")

    def stop(self):
        self.s.stop()


OCTOBER = [
    row(uai=JUICE, ip=JUICE_DIGEST + "\n" + JUICE_B2, auth="No", baseline="DISA Container Platform SRG V1R4",
        os="alpine 3.11.12", in_latest="No", comments="2 production containers in prod-west"),
    row(uai=ALPINE, ip=ALPINE_DIGEST, public="Yes", auth="Yes", baseline="CIS Docker Benchmark v1.6.0",
        os="alpine 3.10.2", location="us-east-1", in_latest="Yes", vendor="Alpine Linux",
        software="Alpine Linux 3.10", diagram="Web tier",
        comments="3 production containers in prod-east, prod-west\nPinned for the web tier",
        sysadmin="Platform Team", app_owner="Web Team", function="Base image",
        eol=datetime.datetime(2027, 5, 1)),
    row(uai=ALPINE39, ip=ALPINE39_DIGEST, auth="No", in_latest="No",
        comments="1 production container in prod-east"),
]


def expected_json(rows, created):
    out = []
    for r in rows:
        out.append([{"date": v.date().isoformat()} if isinstance(v, datetime.datetime) else v for v in r])
    return {"created": created, "sheets": {"Inventory": out}}


def check_against_template(data, rows, created):
    """tests/unit/check_workbook.py: headers, group headers, merges, widths,
    panes, constant-memory output, creation time and every cell."""
    d = tempfile.mkdtemp(dir=WORK)
    try:
        path = os.path.join(d, "inventory.xlsx")
        with open(path, "wb") as f:
            f.write(data)
        exp = os.path.join(d, "expected.json")
        with open(exp, "w") as f:
            json.dump(expected_json(rows, created), f)
        p = subprocess.run(["/usr/bin/python3", CHECK_WORKBOOK, "inventory", path, TEMPLATE, exp],
                           capture_output=True, text=True)
        expect(p.returncode == 0, p.stdout + p.stderr)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def sha(b):
    return hashlib.sha256(b).hexdigest()


def cli_export(system, args):
    d = tempfile.mkdtemp(dir=WORK)
    try:
        out = os.path.join(d, "out")
        env = dict(system.s.env)
        p = subprocess.run([MUSTER_BIN, "export", "inventory"] + args + ["-o", out], env=env,
                           capture_output=True, text=True)
        expect(p.returncode == 0, p.stderr)
        expect(os.listdir(d) == ["out"], os.listdir(d))   # no temporary file left
        with open(out, "rb") as f:
            return f.read()
    finally:
        shutil.rmtree(d, ignore_errors=True)


def test_inventory_workbook_history_and_reproduction():
    system = System()
    s = system.s
    try:
        r = download(s, "/api/v1/reports/inventory.xlsx?month=2026-10", token=system.viewer)
        expect(r.header("Content-Type") == XLSX_TYPE, r.headers)
        expect(r.header("Content-Disposition") == 'attachment; filename="Acme-Cloud-Prod-inventory-2026-10.xlsx"',
               r.header("Content-Disposition"))
        expect(r.header("X-Muster-Rows") == "3", r.headers)
        october = r.body
        wb, headers, rows = read_rows(october)
        expect(wb.sheetnames == ["Inventory"], wb.sheetnames)
        # header cells equal the official template's (its column B is our A)
        tws = openpyxl.load_workbook(TEMPLATE)["Inventory"]
        expect(headers == [tws.cell(2, c + 2).value for c in range(25)], headers)
        expect(headers == HEADERS, headers)
        expect([rr[0] for rr in rows] == [JUICE, ALPINE, ALPINE39], [rr[0] for rr in rows])
        for got, want in zip(rows, OCTOBER):
            expect(got == want, "\n%r\n!=\n%r" % (got, want))
        # the spring4shell container ended before October; ubi-7 runs only in staging
        expect(SPRING not in by_uai(rows) and UBI not in by_uai(rows))
        # no optional cell says N/A
        expect(all(v != "N/A" for rr in rows for v in rr))
        check_against_template(october, OCTOBER, "2026-10-31T23:59:59Z")

        # September: the ended container counts, scans of October do not
        sep = by_uai(read_rows(download(s, "/api/v1/reports/inventory.xlsx?month=2026-09").body)[2])
        expect(set(sep) == {JUICE, ALPINE, SPRING}, sorted(sep))
        expect(sep[SPRING] == row(uai=SPRING, ip=SPRING_DIGEST, auth="No", in_latest="No",
                                  comments="1 production container in prod-east"), sep[SPRING])
        expect(sep[ALPINE][col("Authenticated Scan")] == "No" and sep[ALPINE][col("OS Name and Version")] is None,
               sep[ALPINE])
        expect(sep[JUICE][col("IPv4 or IPv6 Address")] == JUICE_DIGEST, sep[JUICE])
        expect(sep[JUICE][col("In Latest Scan")] == "Yes" and sep[JUICE][col("Authenticated Scan")] == "Yes",
               sep[JUICE])

        # as_of: from the first of the month to the end of that day
        r = download(s, "/api/v1/reports/inventory.xlsx?as_of=2026-10-12")
        expect(r.header("Content-Disposition").endswith('-inventory-2026-10-12.xlsx"'), r.headers)
        mid = by_uai(read_rows(r.body)[2])
        expect(set(mid) == {JUICE, ALPINE, ALPINE39}, sorted(mid))
        expect(mid[JUICE][col("IPv4 or IPv6 Address")] == JUICE_DIGEST, mid[JUICE])
        expect(mid[JUICE][col("Comments")] == "1 production container in prod-west", mid[JUICE])
        expect(mid[JUICE][col("In Latest Scan")] == "No", mid[JUICE])     # scanned 41 days before
        expect(mid[ALPINE][col("In Latest Scan")] == "Yes", mid[ALPINE])

        # the CLI writes the same bytes as HTTP
        expect(sha(cli_export(system, ["--month", "2026-10"])) == sha(october))

        # CSV: the same rows
        rc = download(s, "/api/v1/reports/inventory.csv?month=2026-10", token=system.viewer)
        expect(rc.header("Content-Type").startswith("text/csv"), rc.headers)
        expect(rc.header("Content-Disposition") == 'attachment; filename="Acme-Cloud-Prod-inventory-2026-10.csv"',
               rc.headers)
        expect(rc.body.count(b"\r\n") >= 4, rc.body[:200])
        crow = list(csv.reader(io.StringIO(rc.body.decode("utf-8"), newline="")))
        expect(crow[0] == HEADERS, crow[0])
        expect(crow[1:] == [[cell_text(v) for v in rr] for rr in rows], crow[1:])
        expect(cli_export(system, ["--month", "2026-10", "--csv"]) == rc.body)

        # ---- later changes: none of them may alter October ----
        snapshot(s, system.sensor, "prod-east", "2026-11-10T00:00:00Z",
                 [pod("web", "a-1", "alpine:3.10", ALPINE_DIGEST)])        # a-2 and c-1 end
        c_scan = scan(s, system.scanner, "trivy/alpine-39.json", "2026-11-12T00:00:00Z")
        expect(c_scan["build"]["digest"] == ALPINE39_DIGEST, c_scan)
        rescan = fixture_json("trivy", "alpine-310-registry.json")
        rescan["CreatedAt"] = "2026-11-20T00:00:00Z"   # other bytes: a new report, not a duplicate
        r = s.request("POST", "/api/v1/scans?scanned_at=2026-11-20T00:00:00Z", json.dumps(rescan).encode(),
                      token=system.scanner)
        expect(r.status == 201 and r.json()["image"]["uai"] == ALPINE, r)
        put_ok(s, "/api/v1/images/%d/metadata" % system.ids[ALPINE], {"diagram_label": "Changed"})
        put_ok(s, "/api/v1/images/%d/hardening" % system.ids[JUICE],
               {"baseline": "CIS Docker Benchmark v1.7.0", "validated_by": "John Roe", "validated_at": "2026-11-01"})
        put_ok(s, "/api/v1/repositories/docker.io/library/alpine/metadata", {"owner": "Someone Else"})
        put_ok(s, "/api/v1/clusters/stage", {"environment": "production"})
        put_ok(s, "/api/v1/system", {"system_name": "Renamed", "csp_name": "Acme Corp", "impact_level": "High"})
        policy = {"scan_window_days": 7, "allowed_registries": [], "require_hardening": True,
                  "admission_mode": "enforce", "moving_tags": ["latest"]}
        r = s.admin("PUT", "/api/v1/policy", policy)
        expect(r.status == 200, r)
        # now: the stage cluster (production from now on) and a-1 still run; sensors
        # report whole seconds, so let the environment change be a second old
        time.sleep(1.1)
        snapshot(s, system.sensor, "stage", None, [pod("web", "d-1", UBI, UBI_DIGEST)])
        snapshot(s, system.sensor, "prod-east", None, [pod("web", "a-1", "alpine:3.10", ALPINE_DIGEST)])

        again = download(s, "/api/v1/reports/inventory.xlsx?month=2026-10")
        expect(sha(again.body) == sha(october), "October changed after later changes")
        expect(again.header("Content-Disposition").endswith('-inventory-2026-10.xlsx"'), again.headers)
        expect(sha(cli_export(system, ["--month", "2026-10"])) == sha(october))
        expect(download(s, "/api/v1/reports/inventory.csv?month=2026-10").body == rc.body)

        # the current month (default) shows the changes
        r = download(s, "/api/v1/reports/inventory.xlsx")
        this_month = time.strftime("%Y-%m", time.gmtime())
        expect(r.header("Content-Disposition") == 'attachment; filename="Renamed-inventory-%s.xlsx"' % this_month,
               r.headers)
        now = by_uai(read_rows(r.body)[2])
        expect(UBI in now and ALPINE in now, sorted(now))
        expect(now[ALPINE][col("Diagram Label")] == "Changed", now[ALPINE])
        expect(now[ALPINE][col("System Administrator/ Owner")] == "Someone Else", now[ALPINE])
        expect(now[ALPINE][col("Public")] is None, now[ALPINE])   # the image's new metadata says nothing
        expect(now[UBI][col("Comments")] == "1 production container in stage", now[UBI])
    finally:
        system.stop()


def test_finalized_month_keeps_its_rows_through_retroactive_changes():
    system = System()
    s, db = system.s, system.db
    try:
        october = download(s, "/api/v1/reports/inventory.xlsx?month=2026-10", token=system.viewer)
        expect(october.header("X-Muster-Finalized") is None, october.headers)
        october_csv = download(s, "/api/v1/reports/inventory.csv?month=2026-10").body

        # who and what may be finalized; a refusal changes nothing
        before = db.snapshot(["inventory_finals", "inventory_final_rows"])
        for tok in (system.viewer, system.scanner, system.sensor):
            expect_error(s.request("POST", "/api/v1/reports/inventory/finalize?month=2026-10", b"", token=tok),
                         403, "forbidden")
        expect_error(s.request("POST", "/api/v1/reports/inventory/finalize?month=2026-10", b""), 401)
        this_month = time.strftime("%Y-%m", time.gmtime())
        expect_error(s.admin("POST", "/api/v1/reports/inventory/finalize?month=" + this_month, b""),
                     422, "period_running")
        for q in ("", "?month=2026-13", "?month=2099-01", "?as_of=2026-10-31"):
            expect_error(s.admin("POST", "/api/v1/reports/inventory/finalize" + q, b""), 400, "bad_parameter")
        expect(db.snapshot(["inventory_finals", "inventory_final_rows"]) == before)
        expect(s.request("GET", "/api/v1/reports/inventory/finals", token=system.viewer).json() == {"items": []})

        r = s.admin("POST", "/api/v1/reports/inventory/finalize?month=2026-10", b"")
        expect(r.status == 201, r)
        first = r.json()
        expect(first["month"] == "2026-10" and first["rows"] == 3 and first["replaced"] is False
               and first["current"] is True and first["superseded_at"] == ""
               and first["period_start"] == "2026-10-01T00:00:00Z" and first["period_end"] == "2026-11-01T00:00:00Z",
               first)
        expect(db.scalar("SELECT count(*) FROM audit_log WHERE action = 'inventory.finalize'") == "1")
        # the finalized month gives the same bytes, and says it is finalized
        r = download(s, "/api/v1/reports/inventory.xlsx?month=2026-10", token=system.viewer)
        expect(r.body == october.body, "finalizing changed October's workbook")
        expect(r.header("X-Muster-Finalized") == first["finalized_at"] and r.header("X-Muster-Rows") == "3",
               r.headers)
        expect(download(s, "/api/v1/reports/inventory.csv?month=2026-10").body == october_csv)

        # a backfilled October scan of alpine:3.9 reaches into the past ...
        scan(s, system.scanner, "trivy/alpine-39.json", "2026-10-20T00:00:00Z")
        computed = by_uai(read_rows(download(s, "/api/v1/reports/inventory.xlsx?as_of=2026-10-30").body)[2])
        expect(computed[ALPINE39][col("Authenticated Scan")] == "Yes"
               and computed[ALPINE39][col("OS Name and Version")].startswith("alpine 3.9"), computed[ALPINE39])
        # ... but not into the finalized month (HTTP, CSV and the CLI)
        r = download(s, "/api/v1/reports/inventory.xlsx?month=2026-10")
        expect(r.body == october.body, "the finalized October changed")
        expect(download(s, "/api/v1/reports/inventory.csv?month=2026-10").body == october_csv)
        expect(cli_export(system, ["--month", "2026-10"]) == october.body)

        # finalizing again takes the backfill in and keeps the superseded rows
        r = s.admin("POST", "/api/v1/reports/inventory/finalize?month=2026-10", b"")
        expect(r.status == 201 and r.json()["replaced"] is True and r.json()["rows"] == 3, r)
        second = r.json()
        now = by_uai(read_rows(download(s, "/api/v1/reports/inventory.xlsx?month=2026-10").body)[2])
        expect(now[ALPINE39][col("Authenticated Scan")] == "Yes", now[ALPINE39])
        items = s.request("GET", "/api/v1/reports/inventory/finals", token=system.viewer).json()["items"]
        expect([i["id"] for i in items] == [second["id"], first["id"]], items)
        expect(items[0]["current"] is True and items[1]["current"] is False and items[1]["superseded_at"] != "",
               items)
        expect(db.scalar("SELECT count(*) FROM inventory_final_rows") == "6")

        # the CLI: --finalize needs a month that is over
        p = subprocess.run([MUSTER_BIN, "export", "inventory", "--month", this_month, "--finalize", "-o",
                            os.path.join(WORK, "x.xlsx")], env=dict(s.env), capture_output=True, text=True)
        expect(p.returncode == 1 and "has not ended" in p.stderr, p.stderr)
        p = subprocess.run([MUSTER_BIN, "export", "inventory", "--as-of", "2026-10-30", "--finalize", "-o",
                            os.path.join(WORK, "x.xlsx")], env=dict(s.env), capture_output=True, text=True)
        expect(p.returncode == 2 and "usage" in p.stderr, p.stderr)
        third = cli_export(system, ["--month", "2026-09", "--finalize"])
        expect(third[:2] == b"PK")
        expect(db.scalar("SELECT count(*) FROM inventory_finals WHERE label = '2026-09' AND finalized_by = 'cli'")
               == "1")
    finally:
        system.stop()


def test_libreoffice_converts_the_workbook():
    # scripts/test installs libreoffice-calc-nogui: a missing one is a failure, not a skip
    office = shutil.which("libreoffice") or shutil.which("soffice")
    expect(office, "libreoffice is not installed (Debian's libreoffice-calc-nogui)")
    system = System()
    d = tempfile.mkdtemp(dir=WORK)
    try:
        data = download(system.s, "/api/v1/reports/inventory.xlsx?month=2026-10").body
        path = os.path.join(d, "inventory.xlsx")
        with open(path, "wb") as f:
            f.write(data)
        p = subprocess.run([office, "--headless", "--convert-to", "csv", "--outdir", d, path],
                           capture_output=True, text=True, timeout=180,
                           env=dict(os.environ, HOME=d))
        expect(p.returncode == 0, p.stdout + p.stderr)
        with open(os.path.join(d, "inventory.csv"), encoding="utf-8", errors="replace") as f:
            text = f.read()
        expect(ALPINE in text and JUICE_DIGEST in text, text[:500])
    finally:
        shutil.rmtree(d, ignore_errors=True)
        system.stop()


def test_system_settings_parameters_and_authorization():
    db = Database()
    s = Server(db)
    try:
        viewer, sensor, scanner = s.token("viewer"), s.token("sensor"), s.token("scanner")
        r = s.request("GET", "/api/v1/system", token=viewer)
        expect(r.status == 200 and r.json() == {"system_name": None, "csp_name": None, "impact_level": None,
                                                 "since": None}, r)
        # an empty inventory before anything is described: headers only, a generic file name
        r = download(s, "/api/v1/reports/inventory.xlsx?month=2026-10", token=viewer)
        expect(r.header("Content-Disposition") == 'attachment; filename="system-inventory-2026-10.xlsx"', r.headers)
        expect(read_rows(r.body)[2] == [], read_rows(r.body)[2])
        check_against_template(r.body, [], "2026-10-31T23:59:59Z")
        r = download(s, "/api/v1/reports/inventory.csv?month=2026-10", token=viewer)
        expect(r.body == (",".join('"%s"' % h if "\n" in h else h for h in HEADERS) + "\r\n").encode(), r.body)

        body = {"system_name": "Acme Cloud", "csp_name": "Acme Corp", "impact_level": "High"}
        r = s.admin("PUT", "/api/v1/system", body)
        expect(r.status == 200 and r.json()["system_name"] == "Acme Cloud" and r.json()["impact_level"] == "High", r)
        since = r.json()["since"]
        expect(s.request("GET", "/api/v1/system", token=viewer).json() == r.json())
        # the same values again change nothing
        expect(s.admin("PUT", "/api/v1/system", body).json()["since"] == since)
        expect(db.scalar("SELECT count(*) FROM system_settings") == "1")
        expect(db.scalar("SELECT count(*) FROM audit_log WHERE action = 'system.update'") == "1")
        before = db.snapshot(["system_settings"])
        for bad in ({"system_name": "A", "csp_name": "B", "impact_level": "Extreme"},
                    {"system_name": "A", "csp_name": "B"},
                    {"system_name": "", "csp_name": "B", "impact_level": "Low"},
                    {"system_name": "A" * 201, "csp_name": "B", "impact_level": "Low"},
                    {"system_name": "A\nB", "csp_name": "B", "impact_level": "Low"},
                    {"system_name": 7, "csp_name": "B", "impact_level": "Low"},
                    {"system_name": "A", "csp_name": "B", "impact_level": "low"},
                    {"system_name": "A", "csp_name": "B", "impact_level": "Low", "extra": 1}):
            expect_error(s.admin("PUT", "/api/v1/system", bad), 422)
        expect_error(s.admin("PUT", "/api/v1/system", b"[1]", headers={"Content-Type": "application/json"}), 400)
        expect_error(s.admin("PUT", "/api/v1/system", b"{", headers={"Content-Type": "application/json"}), 400)
        expect(db.snapshot(["system_settings"]) == before)
        # a name that is not a safe file name is reduced to one
        put_ok(s, "/api/v1/system", {"system_name": '../"evil" ñame;', "csp_name": "x", "impact_level": "Low"})
        r = download(s, "/api/v1/reports/inventory.xlsx")
        expect(r.header("Content-Disposition") == 'attachment; filename="evil-ame-inventory-%s.xlsx"'
               % time.strftime("%Y-%m", time.gmtime()), r.headers)
        # October (before the system was first described) keeps the first name
        r = download(s, "/api/v1/reports/inventory.xlsx?month=2026-10")
        expect(r.header("Content-Disposition") == 'attachment; filename="Acme-Cloud-inventory-2026-10.xlsx"', r.headers)
        expect(db.scalar("SELECT count(*) FROM system_settings") == "2")
        expect(db.scalar("SELECT count(*) FROM system_settings WHERE valid_to IS NULL") == "1")

        # parameters
        for q in ("month=2026-13", "month=2026-1", "month=26-10", "as_of=2026-02-30", "as_of=2026-10",
                  "month=2026-10&as_of=2026-10-01", "month=2099-01", "as_of=2099-01-01", "month=" + "9" * 40):
            for ext in ("xlsx", "csv"):
                expect_error(s.admin("GET", "/api/v1/reports/inventory.%s?%s" % (ext, q)), 400, "bad_parameter")

        # authorization: viewers read, sensors and scanners do not; only admins write
        for path in ("/api/v1/reports/inventory.xlsx", "/api/v1/reports/inventory.csv", "/api/v1/system"):
            for tok in (sensor, scanner):
                expect_error(s.request("GET", path, token=tok), 403, "forbidden")
            expect_error(s.request("GET", path), 401)
            expect(s.request("GET", path + ("?month=2026-10" if "reports" in path else ""), token=viewer).status == 200)
        for tok in (viewer, sensor, scanner):
            expect_error(s.request("PUT", "/api/v1/system", body, token=tok), 403, "forbidden")
        routes = json.loads(subprocess.run([MUSTER_BIN, "routes"], capture_output=True, text=True, check=True).stdout)
        roles = {(x["method"], x["pattern"]): x["roles"] for x in routes}
        expect(roles[("GET", "/api/v1/reports/inventory.xlsx")] == ["admin", "viewer"], roles)
        expect(roles[("PUT", "/api/v1/system")] == ["admin"], roles)
        # nothing is left in the data directory
        expect(not [n for n in os.listdir(s.data_dir) if n.startswith(".inventory-")], os.listdir(s.data_dir))
    finally:
        s.stop()


def test_cli_usage_and_errors():
    db = Database()
    s = Server(db)   # migrates the database
    try:
        env = dict(s.env)
        for args, status in ((["export"], 2), (["export", "poster"], 2), (["export", "inventory"], 2),
                             (["export", "inventory", "--month", "2026-13", "-o", "/tmp/x"], 2),
                             (["export", "inventory", "--bogus", "-o", "/tmp/x"], 2)):
            p = subprocess.run([MUSTER_BIN] + args, env=env, capture_output=True, text=True)
            expect(p.returncode == status, (args, p.returncode, p.stderr))
            expect("usage" in p.stderr or "month" in p.stderr, p.stderr)
        # an unwritable target fails without leaving anything behind
        p = subprocess.run([MUSTER_BIN, "export", "inventory", "--month", "2026-10", "-o", "/nonexistent/dir/x.xlsx"],
                           env=env, capture_output=True, text=True)
        expect(p.returncode == 1 and "could not" in p.stderr, p.stderr)
        data = cli_export(type("S", (), {"s": s})(), ["--as-of", "2026-10-03"])
        expect(data[:2] == b"PK", data[:10])
        expect(read_rows(data)[2] == [])
    finally:
        s.stop()


if __name__ == "__main__":
    main(globals())
