"""test_openapi.py - docs/openapi.yaml against the real server: every route of
`muster routes` is described (and nothing else), the JSON twin docs/openapi.json
has not drifted from the YAML, the server serves that JSON, and the answers of
real calls - the main reads, writes and the error bodies - validate against the
schemas of their documented status codes (python3-jsonschema, Draft 2020-12).

Regenerate the JSON twin after editing the YAML:
    python3 tests/integration/test_openapi.py --write-json
"""
import json
import os
import re
import subprocess
import sys
import time

import yaml

from harness import MUSTER_BIN, ROOT, Database, Server, expect, main

YAML_PATH = os.path.join(ROOT, "docs", "openapi.yaml")
JSON_PATH = os.path.join(ROOT, "docs", "openapi.json")


def load_spec():
    with open(YAML_PATH, encoding="utf-8") as f:
        return yaml.safe_load(f)


def write_json():
    with open(JSON_PATH, "w", encoding="utf-8") as f:
        json.dump(load_spec(), f, indent=1, ensure_ascii=False)
        f.write("\n")


def spec_path(pattern):
    """The OpenAPI path of a router pattern ({*repo} spans segments: {repo})."""
    return re.sub(r"\{\*(\w+)\}", r"{\1}", pattern)


def test_json_twin_has_not_drifted():
    with open(JSON_PATH, encoding="utf-8") as f:
        twin = json.load(f)
    expect(twin == load_spec(), "docs/openapi.json differs from docs/openapi.yaml: run "
           "python3 tests/integration/test_openapi.py --write-json")


def test_every_route_is_described_and_nothing_else():
    routes = json.loads(subprocess.run([MUSTER_BIN, "routes"], check=True, capture_output=True, text=True).stdout)
    spec = load_spec()
    documented = {(m.upper(), p) for p, ops in spec["paths"].items() for m in ops
                  if m in ("get", "post", "put", "patch", "delete")}
    actual = {(r["method"], spec_path(r["pattern"])) for r in routes}
    expect(actual - documented == set(), "routes missing from docs/openapi.yaml: %s" % sorted(actual - documented))
    expect(documented - actual == set(), "documented but not routed: %s" % sorted(documented - actual))
    ids = [op["operationId"] for ops in spec["paths"].values() for m, op in ops.items() if isinstance(op, dict)
           and "operationId" in op]
    expect(len(ids) == len(set(ids)) == len(documented), "operationIds missing or repeated")
    # the security of each operation matches the route's authentication
    for r in routes:
        op = spec["paths"][spec_path(r["pattern"])][r["method"].lower()]
        sec = op.get("security", spec["security"])
        want = {"bearer": [{"bearer": []}], "session": [{"session": []}], "none": []}[r["auth"]]
        expect(sec == want, "%s %s: security %r, route auth %s" % (r["method"], r["pattern"], sec, r["auth"]))


class Validator:
    """Validates answers against the operation's documented responses."""

    def __init__(self, spec):
        import jsonschema
        self.spec = spec
        self.jsonschema = jsonschema
        self.checked = 0

    def operation(self, method, path):
        """The documented operation of a concrete path; literal segments win."""
        bare, found = path.split("?")[0], []
        for template, ops in self.spec["paths"].items():
            rx = re.escape(template).replace(r"\{repo\}", ".+")
            rx = re.sub(r"\\\{\w+\\\}", "[^/]+", rx)
            if method.lower() in ops and re.fullmatch(rx, bare):
                found.append((template.count("{"), template, ops[method.lower()]))
        expect(found, "no documented operation for %s %s" % (method, path))
        _, template, op = min(found)
        return template, op

    def deref(self, obj):
        while isinstance(obj, dict) and "$ref" in obj:
            target = self.spec
            for part in obj["$ref"].lstrip("#/").split("/"):
                target = target[part]
            obj = target
        return obj

    def check(self, method, path, r):
        template, op = self.operation(method, path)
        resp = op["responses"].get(str(r.status))
        expect(resp is not None, "%s %s answered %d, not documented (%s)" % (method, path, r.status,
                                                                             sorted(op["responses"])))
        resp = self.deref(resp)
        content = resp.get("content", {})
        ctype = (r.header("Content-Type") or "").split(";")[0]
        if "application/json" in content and ctype == "application/json":
            # the response's schema as the root of a document that also holds
            # the components, so that its "#/components/..." references resolve
            schema = dict(content["application/json"]["schema"], components=self.spec["components"])
            validator = self.jsonschema.Draft202012Validator(schema)
            errors = sorted(validator.iter_errors(json.loads(r.body)), key=lambda e: list(e.path))
            expect(not errors, "%s %s (%d) does not match %s: %s" % (
                method, path, r.status, template, "; ".join("%s at %s" % (e.message[:300], list(e.path))
                                                           for e in errors[:3])))
            self.checked += 1
        else:
            expect(ctype in content or not content, "%s %s: %s is not a documented type %s"
                   % (method, path, ctype, sorted(content)))


def trivy(ref, build, vulns, created):
    import hashlib
    repo = ref.rsplit(":", 1)[0]
    d = lambda s: "sha256:" + hashlib.sha256(s.encode()).hexdigest()
    return {"SchemaVersion": 2, "CreatedAt": created, "ArtifactName": ref, "ArtifactType": "container_image",
            "Metadata": {"OS": {"Family": "alpine", "Name": "3.19.1"}, "ImageID": d("c" + build),
                         "RepoTags": [ref], "RepoDigests": [repo + "@" + d(build)]},
            "Results": [{"Target": ref, "Class": "os-pkgs", "Type": "alpine", "Vulnerabilities": vulns}]}


def test_answers_validate_against_the_spec():
    spec = load_spec()
    v = Validator(spec)
    db = Database()
    s = Server(db)
    try:
        viewer, scanner, sensor = s.token("viewer"), s.token("scanner"), s.token("sensor")
        T = int(time.time())
        iso = lambda t: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
        calls = []

        def call(method, path, body=None, token=None, headers=None, status=None):
            r = s.request(method, path, body=body, token=token, headers=headers)
            if status is not None:
                expect(r.status == status, "%s %s: %r" % (method, path, r))
            v.check(method, path, r)
            calls.append((method, path, r.status))
            return r

        admin = s.admin_token
        call("GET", "/healthz", status=200)
        call("GET", "/readyz", status=200)
        call("PUT", "/api/v1/clusters/prod", {"environment": "production"}, token=admin, status=200)
        db.query("UPDATE environments SET valid_from = now() - interval '30 days'")
        call("PUT", "/api/v1/system", {"system_name": "Demo", "csp_name": "CSP", "impact_level": "Moderate"},
             token=admin, status=200)
        ref = "registry.example.com/team/app:1.0"
        doc = {"observed_at": iso(T - 86400), "containers": [
            {"namespace": "web", "pod": "app-1", "container": "app", "image": ref,
             "image_id": "sha256:" + __import__("hashlib").sha256(b"B").hexdigest()}]}
        call("POST", "/api/v1/runtime?cluster=prod&observed_at=" + iso(T - 86400), json.dumps(doc).encode(),
             token=sensor, headers={"Content-Type": "application/json"}, status=201)
        rep = trivy(ref, "B", [{"VulnerabilityID": "CVE-2024-1111", "PkgName": "openssl", "InstalledVersion": "3.0",
                                "FixedVersion": "3.1", "Severity": "HIGH"}], iso(T - 3600))
        call("POST", "/api/v1/scans?scanned_at=" + iso(T - 3600), json.dumps(rep).encode(), token=scanner,
             headers={"Content-Type": "application/json"}, status=201)
        call("POST", "/api/v1/alerts/evaluate", token=admin, status=200)
        for path in ("/api/v1/tokens", "/api/v1/scans", "/api/v1/scans/1", "/api/v1/scans/1/findings",
                     "/api/v1/images", "/api/v1/images/1", "/api/v1/images/1/findings", "/api/v1/images/1/containers",
                     "/api/v1/containers", "/api/v1/clusters", "/api/v1/policy", "/api/v1/images/1/hardening",
                     "/api/v1/images/1/metadata", "/api/v1/repositories/registry.example.com/team/app/hardening",
                     "/api/v1/compliance", "/api/v1/alerts", "/api/v1/webhooks", "/api/v1/system",
                     "/api/v1/poam", "/api/v1/poam/1", "/api/v1/poam/V-1", "/api/v1/dashboard",
                     "/api/v1/dashboard?as_of=" + iso(T - 7200), "/api/v1/dashboard/trend?months=2",
                     "/api/v1/openapi.json"):
            call("GET", path, token=admin, status=200)
        call("GET", "/api/v1/dashboard", token=viewer, status=200)
        last_month = time.strftime("%Y-%m", time.gmtime(T - 40 * 86400))
        call("POST", "/api/v1/reports/inventory/finalize?month=" + last_month, b"", token=admin, status=201)
        call("POST", "/api/v1/reports/inventory/finalize?month=" + time.strftime("%Y-%m", time.gmtime(T)), b"",
             token=admin, status=422)
        call("GET", "/api/v1/reports/inventory/finals", token=viewer, status=200)
        # errors: every documented error answer has the one error body
        call("GET", "/api/v1/dashboard", status=401)
        call("GET", "/api/v1/dashboard", token=sensor, status=403)
        call("GET", "/api/v1/dashboard?as_of=nope", token=viewer, status=400)
        call("GET", "/api/v1/dashboard/trend?months=99", token=viewer, status=400)
        call("GET", "/api/v1/images/424242", token=viewer, status=404)
        call("GET", "/api/v1/scans/424242", token=viewer, status=404)
        call("GET", "/api/v1/images?limit=0", token=viewer, status=400)
        call("GET", "/api/v1/poam/V-999999", token=viewer, status=404)
        call("POST", "/api/v1/tokens", {"name": "x", "role": "emperor"}, token=admin, status=422)
        call("POST", "/api/v1/tokens", {"name": "x", "role": "viewer"}, token=viewer, status=403)
        call("GET", "/metrics", token=viewer, status=200)
        call("GET", "/metrics", status=401)
        call("GET", "/", status=303)
        call("GET", "/login", status=200)
        call("GET", "/static/app.css", status=200)
        # the served document is the JSON twin
        r = s.request("GET", "/api/v1/openapi.json", token=scanner)
        with open(JSON_PATH, "rb") as f:
            expect(json.loads(r.body) == json.load(f), "the server serves another document than docs/openapi.json")
        expect(v.checked >= 40, v.checked)
    finally:
        s.stop()


if __name__ == "__main__":
    if sys.argv[1:] == ["--write-json"]:
        write_json()
        print("wrote", JSON_PATH)
        sys.exit(0)
    main(globals())
