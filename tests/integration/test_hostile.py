"""test_hostile.py - hostile input against the real `muster serve`, table
driven from the route table (`muster routes`), so a new route is covered
the day it is added:

  - the authorization matrix: every route x (no token, a bad token, a
    revoked token, every role): 401 without a valid token, 403 for a role
    the route does not list, never 2xx for a forbidden role;
  - malformed, truncated, deeply nested, huge-number, invalid UTF-8 and
    NUL-containing JSON to every route that takes a body; bodies over the
    limit (413); wrong content types (415); oversized headers;
  - SQL metacharacters and path traversal in every path parameter and in
    every query parameter the handlers read (the names are taken from the
    handlers' source);
  - tokens in the query string (400); slow clients (closed within the
    request timeout while others keep being served).

Every answer must be a 4xx JSON error {"error":{"code","message"}} (or a
closed connection for a stalled client), and after every case the
database must be unchanged: all tables of the public schema are hashed
(Database.snapshot_all). At the end the server still answers /healthz and
exits 0 on SIGTERM (a sanitizer report would make it exit 86).
"""
import atexit
import concurrent.futures
import glob
import gzip
import json
import os
import posixpath
import re
import socket
import threading
import time
import urllib.parse

from harness import (ROOT, Database, Server, expect, main, muster_routes, parse_raw_response, raw_http,
                     read_fixture)

ROLES = ("admin", "scanner", "sensor", "viewer")
BODY_METHODS = ("POST", "PUT", "PATCH")
# Routes whose handler takes no body: an action. Hostile-body cases skip
# them (they would run the action); authorization cases still cover them.
BODYLESS = {("POST", "/api/v1/alerts/evaluate"), ("POST", "/api/v1/reports/inventory/finalize")}
MAX_BODY = 256 * 1024
TIMEOUT_MS = 1500
THREADS = 8


class Ctx:
    """One server and database shared by every case of this file."""

    def __init__(self):
        self.db = Database()
        self.s = Server(self.db, env={"MUSTER_MAX_BODY": str(MAX_BODY), "MUSTER_REQUEST_TIMEOUT_MS": str(TIMEOUT_MS),
                                      "MUSTER_EVALUATOR_SECONDS": "0", "MUSTER_THREADS": str(THREADS)})
        self.routes = muster_routes(self.s.binary)
        self.cases = {}
        self.failures = []
        self.tok = {"admin": self.s.admin_token}
        for role in ROLES[1:]:
            self.tok[role] = self.s.token(role)
        revoked = self.s.admin("POST", "/api/v1/tokens", {"name": "revoked", "role": "admin"}).json()
        expect(self.s.admin("DELETE", "/api/v1/tokens/%d" % revoked["id"]).status == 200)
        self.tok["revoked"] = revoked["token"]
        self.seed()
        self.tables = self.db.tables()
        self.baseline = self.db.snapshot_all(self.tables)

    def seed(self):
        """Real rows, so path parameters name things that exist."""
        scan = read_fixture("trivy", "alpine-310-registry.json")
        r = self.s.admin("POST", "/api/v1/scans", scan)
        expect(r.status == 201, r)
        out = r.json()
        self.scan_id, self.image_id = out["scan_id"], out["image"]["id"]
        self.repo = out["image"]["uai"].rsplit(":", 1)[0]
        r = self.s.admin("POST", "/api/v1/runtime?cluster=hostile-prod&observed_at=2026-10-01T00:00:00Z",
                         read_fixture("kubernetes", "honeycomb_pods.json"))
        expect(r.status == 201, r)
        self.token_id = int(self.db.scalar("SELECT min(id) FROM tokens WHERE role = 'viewer'"))

    # -- path parameters -------------------------------------------------
    def plausible(self, name, segment, wildcard):
        """(value, names a row that exists) for a path parameter."""
        if name == "id":
            known = {"scans": self.scan_id, "images": self.image_id, "tokens": self.token_id}
            if segment in known:
                return str(known[segment]), True
            for table in (segment, segment + "_items"):
                if table in self.tables:
                    v = self.db.scalar("SELECT min(id) FROM \"%s\"" % table)
                    if v:
                        return v, True
            return "1", False
        if segment == "clusters":
            return "hostile-prod", True
        if wildcard:
            return self.repo, True
        return "1", False

    def fill_real(self, pattern, value=None):
        """(path, every parameter names something that exists): the pattern
        with each parameter replaced by value, or by a plausible value."""
        real = [True]

        def rep(m):
            if value is not None:
                return value
            before = pattern[:m.start()].rstrip("/").rsplit("/", 1)[-1]
            v, ok = self.plausible(m.group(2), before, bool(m.group(1)))
            real[0] = real[0] and ok
            return v
        path = re.sub(r"\{(\*?)([A-Za-z_]+)\}", rep, pattern)
        return path, real[0]

    def fill(self, pattern, value=None):
        return self.fill_real(pattern, value)[0]

    # -- bookkeeping -----------------------------------------------------
    def count(self, kind, n=1):
        self.cases[kind] = self.cases.get(kind, 0) + n

    def fail(self, label, why):
        self.failures.append("%s: %s" % (label, why))

    def unchanged(self, label):
        now = self.db.snapshot_all(self.tables)
        if now != self.baseline:
            diff = sorted(t for t in now if now[t] != self.baseline.get(t))
            self.fail(label, "the database changed: tables %s" % diff)
            self.baseline = now

    def take_failures(self):
        f, self.failures = self.failures, []
        return f


CTX = None


def ctx():
    global CTX
    if CTX is None:
        CTX = Ctx()
        atexit.register(lambda: CTX.s.proc.poll() is None and CTX.s.stop())
    return CTX


def error_ok(r, statuses=None, web=False):
    """None when r is a JSON error of the documented shape (and, when given,
    one of statuses); otherwise what is wrong with it. Web pages (web=True)
    need only the status: their errors are pages."""
    if statuses is not None and r.status not in statuses:
        return "status %d, wanted %s: %r" % (r.status, sorted(statuses), r)
    if not 400 <= r.status < 500:
        return "status %d is not a 4xx: %r" % (r.status, r)
    if web:
        return None
    if not (r.header("Content-Type") or "").startswith("application/json"):
        return "not JSON: %r" % r
    try:
        e = json.loads(r.body).get("error")
    except ValueError:
        return "body is not JSON: %r" % r
    if not (isinstance(e, dict) and isinstance(e.get("code"), str) and isinstance(e.get("message"), str)):
        return "bad error shape: %r" % r
    return None


def finish(c):
    f = c.take_failures()
    expect(not f, "%d failing case(s):\n  " % len(f) + "\n  ".join(f[:40]))


def is_public(route):
    return "public" in route["roles"] or route.get("auth") == "none"


def is_session(route):
    """A web page behind a cookie session (no bearer tokens)."""
    return route.get("auth") == "session"


def is_web(route):
    return not route["pattern"].startswith("/api/")


def body_routes(c):
    """Routes that take a body: hostile bodies go there (as admin)."""
    return [rt for rt in c.routes if rt["method"] in BODY_METHODS and (rt["method"], rt["pattern"]) not in BODYLESS
            and not is_session(rt)]


def session_refused(r):
    """A page without a session: a redirect to the login page or a 401/403."""
    if r.status in (302, 303, 307):
        return None if "/login" in (r.header("Location") or "") else "redirect elsewhere: %r" % r.headers
    return error_ok(r, {401, 403}, web=True)


# ---------------------------------------------------------------------------
def test_a_authorization_matrix():
    """Every route x every identity: 401 / 403 / allowed, from `muster routes`."""
    c = ctx()
    expect(len(c.routes) >= 10, c.routes)
    identities = ["none", "bad", "revoked"] + list(ROLES)
    for rt in c.routes:
        method, pattern = rt["method"], rt["pattern"]
        for who in identities:
            label = "authz %s %s as %s" % (method, pattern, who)
            token = {"none": None, "bad": "f" * 64}.get(who, c.tok.get(who))
            allowed = is_public(rt) or who in rt["roles"]
            (path, real), body, headers = c.fill_real(pattern), None, {}
            if method in BODY_METHODS:
                body, headers = b"{}", {"Content-Type": "application/json"}
            if is_session(rt):
                # a bearer token is no session: every identity is refused
                r = c.s.request(method, path, body=body, token=token, headers=headers)
                c.count("authz")
                why = session_refused(r)
                if why:
                    c.fail(label, why)
                continue
            if allowed and who in ROLES and method != "GET" and not is_public(rt):
                # prove the role gets past the router without writing:
                # a refused content type, or an id that does not exist
                if method == "DELETE":
                    path = c.fill(pattern, "987654321")
                    want = {404}
                elif (method, pattern) in BODYLESS:
                    c.count("authz (allowed action, not run)")
                    continue
                else:
                    body, headers = b"<x/>", {"Content-Type": "text/xml"}
                    want = {415} if real else {415, 404}
            elif allowed and is_public(rt) and method != "GET":
                want = set(range(400, 500))   # a public write (sign-in) refuses an empty form
            elif allowed:
                want = None
            elif who in ("none", "bad", "revoked"):
                want = {401}
            else:
                want = {403}
            try:
                r = c.s.request(method, path, body=body, token=token, headers=headers)
            except OSError as e:
                c.fail(label, "connection failed: %r" % e)
                continue
            c.count("authz")
            if want is None:
                if r.status in (401, 403) or r.status >= 500:
                    c.fail(label, "allowed identity refused or failed: %r" % r)
                elif r.status >= 400 and error_ok(r, web=is_web(rt)):
                    c.fail(label, error_ok(r, web=is_web(rt)))
            else:
                why = error_ok(r, want, web=is_web(rt))
                if why:
                    c.fail(label, why)
                elif want == {401} and "Bearer" not in (r.header("WWW-Authenticate") or ""):
                    c.fail(label, "401 without WWW-Authenticate: Bearer")
        c.unchanged("authz %s %s" % (method, pattern))
    # malformed Authorization headers on a protected read and a protected write
    forms = ["Basic YWRtaW46YWRtaW4=", "Bearer", "Bearer ", "Bearer  ", c.tok["admin"],
             "Bearer " + c.tok["admin"] + "x", "Bearer " + c.tok["admin"][:-1], "Bearer " + c.tok["admin"].upper(),
             "Bearer " + c.tok["admin"] + " extra", "Bearer ' OR 1=1 --", "Bearer \" OR \"\"=\"",
             "Bearer " + "A" * 5000, "Token " + c.tok["admin"], "Bearer %s%%00" % c.tok["viewer"]]
    for path, method in (("/api/v1/scans", "GET"), ("/api/v1/tokens", "POST")):
        for h in forms:
            label = "bad Authorization %r on %s %s" % (h[:40], method, path)
            r = c.s.request(method, path, body=b"{}" if method == "POST" else None,
                            headers={"Authorization": h, "Content-Type": "application/json"})
            c.count("authz")
            why = error_ok(r, {401})
            if why:
                c.fail(label, why)
    c.unchanged("bad Authorization headers")
    # traversal must not reach an admin route with a viewer token
    admin_only = [rt["pattern"] for rt in c.routes if rt["method"] == "GET" and rt["roles"] == ["admin"]
                  and "{" not in rt["pattern"]]
    for target in admin_only:
        tail = target[len("/api/v1/"):]
        for via in ("/api/v1/scans/../%s", "/api/v1/scans/%%2e%%2e/%s", "/api/v1/scans/..%%2f%s",
                    "/api/v1/images/%%2e%%2e%%2f%s", "/api/v1/x/../../v1/%s", "/api//v1/./%s", "/%%2e/api/v1/%s"):
            path = via % tail
            r = c.s.request("GET", path, token=c.tok["viewer"])
            c.count("authz traversal")
            if r.status < 400 or r.status >= 500:
                c.fail("viewer GET %s" % path, "reached %s: %r" % (target, r))
            elif error_ok(r):
                c.fail("viewer GET %s" % path, error_ok(r))
    c.unchanged("traversal")
    finish(c)


HOSTILE_BODIES = [
    ("empty", b""),
    ("truncated object", b"{"),
    ("truncated member", b'{"name": "x", "role": "vie'),
    ("truncated array", b'{"items": [1, 2'),
    ("not JSON", b"not json at all"),
    ("XML", b"<?xml version='1.0'?><a/>"),
    ("nested arrays 1001", b"[" * 1001 + b"]" * 1001),
    ("nested objects 1001", b'{"a":' * 1001 + b"1" + b"}" * 1001),
    ("nested 1500 in a member", b'{"kind": "PodList", "items": [' + b"[" * 1500 + b"]" * 1500 + b'], "Results": '
     + b'{"a":' * 1500 + b"1" + b"}" * 1500 + b"}"),
    ("unterminated nesting 5000", b"[" * 5000),
    ("nesting beyond the parser limit", b"[" * 3000 + b"]" * 3000),
    ("1e999999", b'{"name": 1e999999, "role": 1e999999, "url": 1e999999, "environment": 1e999999}'),
    ("-1e999999", b'{"limit": -1e999999}'),
    ("huge integer", b'{"name": 99999999999999999999999999, "SchemaVersion": 99999999999999999999999999}'),
    ("huge integer alone", b"99999999999999999999999999"),
    ("invalid UTF-8", b'{"name": "\xff\xfe\xc0\xaf", "role": "viewer", "environment": "\xed\xa0\x80"}'),
    ("overlong UTF-8 key", b'{"\xc0\xae\xc0\xae": 1}'),
    ("escaped NUL", b'{"name": "a\\u0000b", "role": "viewer", "url": "http://x/\\u0000", "environment": "prod\\u0000"}'),
    ("raw NUL in string", b'{"name": "a\x00b", "role": "viewer"}'),
    ("raw NUL after", b'{}\x00'),
    ("NUL bytes", b"\x00" * 64),
    ("lone surrogate", b'{"name": "\\ud800", "role": "viewer"}'),
    ("duplicate keys", b'{"name": "a", "name": "b", "role": "viewer", "role": "admin"}'),
    ("UTF-16 BOM", b"\xff\xfe{\x00}\x00"),
    ("array", b"[]"),
    ("string", b'"just a string"'),
    ("null", b"null"),
    ("number", b"12"),
    ("wrong types", b'{"name": ["x"], "role": {"r": 1}, "url": 7, "environment": [], "kind": 3, "items": "x"}'),
    ("trailing garbage", b'{"name": "x"} {"name": "y"}'),
    ("SQL in values", b'{"name": "\' OR 1=1 --", "role": "admin\'; DROP TABLE tokens; --",'
     b' "environment": "x\'); DELETE FROM images; --"}'),
]


def test_b_hostile_bodies():
    """Every hostile body to every route that takes one: a 4xx JSON error, nothing stored."""
    c = ctx()
    routes = body_routes(c)
    expect(routes, "no body routes")
    for rt in routes:
        path = c.fill(rt["pattern"])
        for name, body in HOSTILE_BODIES:
            label = "body %s %s: %s" % (rt["method"], rt["pattern"], name)
            try:
                r = c.s.request(rt["method"], path, body=body, token=c.tok["admin"],
                                headers={"Content-Type": "application/json"})
            except OSError as e:
                c.fail(label, "connection failed: %r" % e)
                continue
            c.count("hostile body")
            why = error_ok(r, web=is_web(rt))
            if why:
                c.fail(label, why)
            c.unchanged(label)
    # the same through gzip, to the ingest routes
    for path in ("/api/v1/scans", "/api/v1/runtime?cluster=hostile-gz", "/api/v1/tokens"):
        for name, body in HOSTILE_BODIES[::3]:
            label = "gzip body POST %s: %s" % (path, name)
            r = c.s.request("POST", path, body=gzip.compress(body), token=c.tok["admin"],
                            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
            c.count("hostile body")
            why = error_ok(r)
            if why:
                c.fail(label, why)
            c.unchanged(label)
        for name, body in (("not gzip", b"\x1f\x8b\x08\x00garbage"), ("truncated gzip", gzip.compress(b"{}" * 100)[:20])):
            r = c.s.request("POST", path, body=body, token=c.tok["admin"],
                            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
            c.count("hostile body")
            why = error_ok(r, {400})
            if why:
                c.fail("POST %s: %s" % (path, name), why)
            c.unchanged(path)
    finish(c)


def chunked(body, size=65536):
    out = b""
    for i in range(0, len(body), size):
        part = body[i:i + size]
        out += b"%x\r\n" % len(part) + part + b"\r\n"
    return out + b"0\r\n\r\n"


def test_c_limits_types_and_headers():
    """413 over the body limit (declared, chunked, gzip bomb), 415 for a
    wrong content type, 4xx for oversized headers."""
    c = ctx()
    big = b'{"name": "' + b"x" * MAX_BODY + b'"}'
    for rt in body_routes(c):
        path, real = c.fill_real(rt["pattern"])
        also = set() if real else {404}   # a resource that does not exist may be named first
        head = "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n" % (
            rt["method"], path, c.tok["admin"])
        cases = [("declared", (head + "Content-Length: %d\r\nConnection: close\r\n\r\n" % len(big)).encode() + big),
                 ("chunked", (head + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n").encode() + chunked(big))]
        for name, data in cases:
            label = "413 %s %s (%s)" % (rt["method"], rt["pattern"], name)
            got, closed, _ = raw_http(c.s.port, data, timeout=10)
            r = parse_raw_response(got)
            c.count("body limit")
            why = error_ok(r, {413} | also, web=is_web(rt)) if r else "no HTTP answer: %r" % got[:200]
            if why:
                c.fail(label, why)
            c.unchanged(label)
        if is_web(rt):
            continue   # web forms are not JSON routes
        for ctype in ("text/xml", "image/png", "multipart/form-data; boundary=zz", "application/javascript",
                      "application/xml; charset=utf-8"):
            label = "415 %s %s (%s)" % (rt["method"], rt["pattern"], ctype)
            r = c.s.request(rt["method"], path, body=b'{"a": 1}', token=c.tok["admin"], headers={"Content-Type": ctype})
            c.count("content type")
            why = error_ok(r, {415} | also)
            if why:
                c.fail(label, why)
            c.unchanged(label)
    bomb = gzip.compress(b"[" + b"0," * (MAX_BODY * 4) + b"0]")
    for path in ("/api/v1/scans", "/api/v1/runtime?cluster=hostile-bomb", "/api/v1/tokens"):
        r = c.s.request("POST", path, body=bomb, token=c.tok["admin"],
                        headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        c.count("body limit")
        why = error_ok(r, {413})
        if why:
            c.fail("gzip bomb to %s" % path, why)
        c.unchanged("gzip bomb")
    # oversized and odd headers: civetweb's own errors, in muster's shape
    auth = "Authorization: Bearer %s\r\n" % c.tok["viewer"]
    header_cases = [
        ("one 20 KiB header", "GET /api/v1/scans HTTP/1.1\r\nHost: x\r\n%sX-Big: %s\r\n\r\n" % (auth, "a" * 20000)),
        ("40 headers of 1 KiB", "GET /api/v1/scans HTTP/1.1\r\nHost: x\r\n%s%s\r\n" % (
            auth, "".join("X-H%d: %s\r\n" % (i, "b" * 1000) for i in range(40)))),
        ("20 KiB URI", "GET /api/v1/scans?limit=%s HTTP/1.1\r\nHost: x\r\n%s\r\n" % ("9" * 20000, auth)),
        ("17 KiB Authorization", "GET /api/v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % ("c" * 17000)),
        ("10 KiB Authorization", "GET /api/v1/scans HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n" % ("c" * 10000)),
        ("garbage request line", "GARBAGE\r\n\r\n"),
        ("no version", "GET /healthz\r\n\r\n"),
        ("HTTP/9.9", "GET /healthz HTTP/9.9\r\nHost: x\r\n\r\n"),   # 505 is the right answer
        ("negative Content-Length", "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n%sContent-Length: -5\r\n\r\n" % auth),
        ("huge Content-Length", "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n%sContent-Length: 99999999999999999999999\r\n\r\n" % auth),
        ("two Content-Lengths", "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n%sContent-Length: 2\r\nContent-Length: 40\r\n\r\n{}" % auth),
        ("bad chunk size", "POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n%sTransfer-Encoding: chunked\r\n"
         "Content-Type: application/json\r\n\r\nzz\r\n{}\r\n0\r\n\r\n" % ("Authorization: Bearer %s\r\n" % c.tok["admin"])),
        ("header without colon", "GET /api/v1/scans HTTP/1.1\r\nHost: x\r\n%sNoColonHere\r\n\r\n" % auth),
    ]
    for name, data in header_cases:
        got, closed, _ = raw_http(c.s.port, data.encode("latin-1"), timeout=TIMEOUT_MS / 1000 + 5)
        r = parse_raw_response(got)
        c.count("headers")
        if r is None:
            if not closed:
                c.fail("headers: " + name, "no answer and the connection stayed open")
            continue
        if r.status == 505 and name == "HTTP/9.9":
            r.status = 400   # HTTP Version Not Supported: a client error in all but number
        why = error_ok(r)
        if why:
            c.fail("headers: " + name, why)
    c.unchanged("headers")
    finish(c)


PATH_PAYLOADS = ["..", "../../../../etc/passwd", "%2e%2e", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%2f..%2ftokens",
                 "%00", "1'%20OR%201=1%20--", "'%20OR%20'1'='1", "1;DROP%20TABLE%20tokens",
                 "%3BDROP%20TABLE%20findings%3B--", "1%20UNION%20SELECT%20secret_sha256%20FROM%20tokens",
                 "-1", "0", "99999999999999999999999999", "1e3", "0x10", "%252e%252e", "%ff%fe", "%c0%ae%c0%ae",
                 "%22%3E%3Cscript%3E", "$(id)", "%0d%0aX-Injected:%201"]


def pattern_re(pattern):
    out = ""
    for part in re.split(r"(\{\*?[A-Za-z_]+\})", pattern):
        out += (".+" if part.startswith("{*") else "[^/]+") if part.startswith("{") else re.escape(part)
    return re.compile("^" + out + "$")


def moved(path, pattern):
    """Does the path, once its dot segments are resolved, leave the pattern?"""
    norm = posixpath.normpath(path.split("?")[0])
    return not pattern_re(pattern).match(norm)


def id_only(pattern):
    """Every parameter of the pattern is a numeric id."""
    return all(p in ("id", "n") for p in re.findall(r"\{\*?([A-Za-z_]+)\}", pattern))


def test_d_path_parameters():
    """SQL metacharacters and traversal in every path parameter: a 4xx
    JSON error (a read may also find nothing), never a write."""
    c = ctx()
    param_routes = [rt for rt in c.routes if "{" in rt["pattern"] and not is_session(rt)]
    expect(param_routes, "no route has a path parameter")
    for rt in param_routes:
        for p in PATH_PAYLOADS:
            path = c.fill(rt["pattern"], p)
            label = "path %s %s" % (rt["method"], path)
            body = b"{" if rt["method"] in BODY_METHODS else None
            try:
                r = c.s.request(rt["method"], path, body=body, token=c.tok["admin"],
                                headers={"Content-Type": "application/json"} if body else {})
            except OSError as e:
                c.fail(label, "connection failed: %r" % e)
                continue
            c.count("path parameter")
            if rt["method"] == "GET" and (moved(path, rt["pattern"]) or not id_only(rt["pattern"])):
                # a traversal that lands on another route (the caller may
                # read that one too), or a value that is a valid name
                why = "server error %r" % r if r.status >= 500 else \
                    error_ok(r, web=is_web(rt)) if r.status >= 400 else None
            else:
                why = error_ok(r, web=is_web(rt))
            if why:
                c.fail(label, why)
            if rt["method"] != "GET":
                c.unchanged(label)
        c.unchanged("path %s %s" % (rt["method"], rt["pattern"]))
    # a NUL after a real id must not serve the id's resource as if it were whole
    for rt in param_routes:
        if rt["method"] != "GET" or "{id}" not in rt["pattern"]:
            continue
        real = c.fill(rt["pattern"])
        m = re.search(r"/(\d+)(/|$)", real)
        if not m:
            continue
        path = real[:m.end(1)] + "%00" + real[m.end(1):]
        r = c.s.request("GET", path, token=c.tok["admin"])
        c.count("path parameter")
        why = error_ok(r, web=is_web(rt))
        if why:
            c.fail("path GET %s" % path, why)
    finish(c)


QUERY_PAYLOADS = ["' OR 1=1 --", "' OR '1'='1", "1;DROP TABLE tokens", "x'); DELETE FROM images; --",
                  "1 UNION SELECT secret_sha256 FROM tokens", "../../../../etc/passwd", "%2e%2e%2f%2e%2e",
                  "\x00", "a\x00b", "\"><script>alert(1)</script>", "\\", "%", "*", "9" * 30]


def c_functions(text):
    """{name: body} of the functions of a C file in this code base's style
    (name and parameters on one line, braces alone on their lines)."""
    out = {}
    for m in re.finditer(r"^[A-Za-z_][^;{}=\n]*?\b([A-Za-z_]\w*)\([^;{}]*\)\s*\n\{\n(.*?)^\}", text, re.M | re.S):
        out[m.group(1)] = m.group(2)
    for m in re.finditer(r"^[A-Za-z_][^;{}=\n]*?\b([A-Za-z_]\w*)\([^;{}\n]*\)\s*\{(.*)\}\s*$", text, re.M):
        out.setdefault(m.group(1), m.group(2))   # one-line wrappers
    return out


def route_query_names():
    """{(method, pattern): query parameter names its handler reads}, found in
    the source: routes.c names each route's handler, and the handler and
    the functions it calls (transitively) read req_query(r, "NAME", ...).
    A route whose handler cannot be found gets every name seen anywhere."""
    funcs = {}
    for f in glob.glob(os.path.join(ROOT, "server", "http", "*.c")):
        with open(f, errors="replace") as fh:
            funcs.update(c_functions(fh.read()))
    direct = {n: set(re.findall(r'req_query\(\s*r\s*,\s*"([A-Za-z0-9_]+)"', b)) for n, b in funcs.items()}
    calls = {n: set(re.findall(r"\b([A-Za-z_]\w*)\s*\(", b)) & set(funcs) for n, b in funcs.items()}
    everything = set().union(*direct.values()) - TOKEN_NAMES

    def reads(fn, seen):
        if fn in seen:
            return set()
        seen.add(fn)
        out = set(direct.get(fn, ()))
        for g in calls.get(fn, ()):
            out |= reads(g, seen)
        return out

    with open(os.path.join(ROOT, "server", "http", "routes.c"), errors="replace") as fh:
        table = re.findall(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,[^,]*,\s*(\w+)', fh.read())
    out = {}
    for method, pattern, handler in table:
        out[(method, pattern)] = (reads(handler, set()) - TOKEN_NAMES) if handler in funcs else everything
    return out, everything


TOKEN_NAMES = {"token", "access_token", "api_key", "apikey", "bearer"}


def items_count(r):
    try:
        d = json.loads(r.body)
    except ValueError:
        return None
    return len(d["items"]) if isinstance(d, dict) and isinstance(d.get("items"), list) else None


def test_e_query_parameters():
    """SQL metacharacters and traversal in every query parameter of every
    read: a 4xx JSON error, or an answer no wider than a harmless value
    gets (a filter that matches nothing must still match nothing)."""
    c = ctx()
    per_route, everything = route_query_names()
    expect(len(everything) >= 5, everything)
    reads = [rt for rt in c.routes if rt["method"] == "GET" and not is_public(rt) and not is_session(rt)]
    token = c.tok["admin"]

    def probe(path, name, value):
        q = urllib.parse.urlencode({name: value})
        return c.s.request("GET", path + ("&" if "?" in path else "?") + q, token=token)

    def one_route(rt):
        path = c.fill(rt["pattern"])
        fails, n = [], 0
        # the names the handler reads, and one it does not (ignored harmlessly)
        for name in sorted(per_route.get((rt["method"], rt["pattern"]), everything) | {"q"}):
            ctrl = probe(path, name, "zz-no-such-value-7246")
            for v in QUERY_PAYLOADS:
                r = probe(path, name, v)
                n += 1
                label = "query GET %s ?%s=%r" % (path, name, v)
                if r.status >= 500:
                    fails.append("%s: server error %r" % (label, r))
                elif r.status >= 400:
                    why = error_ok(r)
                    if why:
                        fails.append("%s: %s" % (label, why))
                elif ctrl.status == 200 and items_count(r) is not None and items_count(ctrl) is not None \
                        and items_count(r) > items_count(ctrl):
                    fails.append("%s: %d items where a harmless value gets %d" % (label, items_count(r), items_count(ctrl)))
        return fails, n

    with concurrent.futures.ThreadPoolExecutor(THREADS // 2) as ex:
        for fails, n in ex.map(one_route, reads):
            c.failures += fails
            c.count("query parameter", n)
    c.unchanged("query parameters on reads")
    # the same names on the writes, with a body they refuse: nothing stored
    for rt in body_routes(c):
        path = c.fill(rt["pattern"])
        for name in sorted(per_route.get((rt["method"], rt["pattern"]), everything)):
            for v in QUERY_PAYLOADS:
                q = urllib.parse.urlencode({name: v})
                r = c.s.request(rt["method"], path + "?" + q, body=b"{", token=token,
                                headers={"Content-Type": "application/json"})
                c.count("query parameter")
                why = error_ok(r, web=is_web(rt))
                if why:
                    c.fail("query %s %s?%s" % (rt["method"], path, q), why)
        c.unchanged("query parameters on %s %s" % (rt["method"], rt["pattern"]))
    finish(c)


def test_f_token_in_query_refused():
    """A token in the query string is refused on every route, before anything else."""
    c = ctx()
    for rt in c.routes:
        for name in ("token", "access_token", "api_key"):
            path = c.fill(rt["pattern"]) + "?" + name + "=" + c.tok["admin"]
            body = b"{}" if rt["method"] in BODY_METHODS else None
            r = c.s.request(rt["method"], path, body=body, token=c.tok["admin"],
                            headers={"Content-Type": "application/json"} if body else {})
            c.count("token in query")
            why = error_ok(r, {400}, web=is_web(rt))
            if not why and r.json()["error"]["code"] != "token_in_query":
                why = "code %r" % r.json()["error"]["code"]
            if why:
                c.fail("token in query %s %s" % (rt["method"], path.split("?")[0]), why)
        c.unchanged("token in query %s %s" % (rt["method"], rt["pattern"]))
    finish(c)


def stall(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(data)
    return s


def wait_closed(sock, limit):
    """Seconds until the server closed sock (reading what it sends), or None."""
    t0 = time.time()
    sock.settimeout(0.2)
    got = b""
    while time.time() - t0 < limit:
        try:
            b = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            return time.time() - t0, got
        if not b:
            return time.time() - t0, got
        got += b
    return None, got


def test_g_slow_clients():
    """Clients that send headers (or part of them, or a trickle of body)
    and stall are cut off within the request timeout; meanwhile others
    are served, and no database connection is held by a stalled client."""
    c = ctx()
    limit = TIMEOUT_MS / 1000.0
    auth = "Authorization: Bearer %s\r\n" % c.tok["admin"]
    kinds = [
        ("partial headers", b"GET /api/v1/scans HTTP/1.1\r\nHost: x\r\n"),
        ("headers then no body", ("POST /api/v1/scans HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\n"
                                  "Content-Length: 5000\r\n\r\n" % auth).encode()),
        ("headers then part of the body", ("POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\n"
                                           "Content-Length: 5000\r\n\r\n{\"name\":" % auth).encode()),
        ("chunked body that stops", ("POST /api/v1/runtime?cluster=slow HTTP/1.1\r\nHost: x\r\n%s"
                                     "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"kind\":\"PodLis" % auth).encode()),
    ]
    socks = [(name, stall(c.s.port, data)) for name, data in kinds]
    c.count("slow client", len(kinds))
    # a body that trickles in one byte every 0.4 s: each read is quick,
    # the whole never arrives; it must not slow anyone else down
    trickle = stall(c.s.port, ("POST /api/v1/tokens HTTP/1.1\r\nHost: x\r\n%sContent-Type: application/json\r\n"
                               "Content-Length: 100000\r\n\r\n" % auth).encode())
    c.count("slow client")
    stop = threading.Event()

    def drip():
        while not stop.is_set():
            try:
                trickle.send(b" ")
            except OSError:
                return
            time.sleep(0.4)
    t = threading.Thread(target=drip, daemon=True)
    t.start()
    t0 = time.time()
    try:
        # others are served meanwhile, including reads that need the database
        for i in range(5):
            a = time.time()
            r = c.s.request("GET", "/healthz", timeout=5)
            r2 = c.s.request("GET", "/api/v1/scans", token=c.tok["viewer"], timeout=5)
            expect(r.status == 200 and r2.status == 200, (r, r2))
            expect(time.time() - a < 1.0, "served slowly while clients stall: %.2fs" % (time.time() - a))
        for name, s in socks:
            took, got = wait_closed(s, limit * 2 + 2)
            s.close()
            if took is None:
                c.fail("slow client: " + name, "still open after %.1fs" % (time.time() - t0))
            elif time.time() - t0 > limit * 1.5 + 1.0:
                c.fail("slow client: " + name, "closed only after %.1fs (timeout %.1fs)" % (time.time() - t0, limit))
            elif got:
                r = parse_raw_response(got)
                why = error_ok(r) if r else "answered something not HTTP: %r" % got[:100]
                if why:
                    c.fail("slow client: " + name, why)
        # Known limit (docs/operations.md): civetweb 1.15 times each read,
        # not the whole body, so a trickle that never pauses for a full
        # timeout keeps its worker; only the service of others is checked.
    finally:
        stop.set()
        trickle.close()
    # more stalled clients than worker threads: service resumes once they time out
    many = [stall(c.s.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n") for _ in range(THREADS + 2)]
    c.count("slow client", len(many))
    try:
        a = time.time()
        r = c.s.request("GET", "/healthz", timeout=limit * 4 + 5)
        expect(r.status == 200, r)
        expect(time.time() - a < limit * 2 + 1, "a flood of stalled clients blocked service for %.1fs" % (time.time() - a))
    finally:
        for s in many:
            s.close()
    c.unchanged("slow clients")
    finish(c)


def test_h_values_are_stored_verbatim():
    """Metacharacters in values that are stored are data, not SQL: they come
    back byte for byte (the only case of this file that writes)."""
    c = ctx()
    evil = "x' OR 1=1; DROP TABLE images; --\"\\%_*"
    r = c.s.admin("POST", "/api/v1/runtime?" + urllib.parse.urlencode({"cluster": evil}),
                  read_fixture("kubernetes", "honeycomb_pods.json"))
    c.count("stored verbatim")
    expect(r.status == 201 and r.json()["cluster"] == evil, r)
    r = c.s.admin("GET", "/api/v1/containers?" + urllib.parse.urlencode({"cluster": evil, "limit": "1000"}))
    expect(r.status == 200 and r.json()["items"] and all(x["cluster"] == evil for x in r.json()["items"]), r)
    c.count("stored verbatim")
    r = c.s.admin("GET", "/api/v1/containers?" + urllib.parse.urlencode({"cluster": "x' OR '1'='1", "limit": "1000"}))
    expect(r.status == 200 and r.json()["items"] == [], r)
    c.count("stored verbatim")
    expect(c.db.scalar("SELECT count(*) FROM images") not in (None, "0"), "images are gone")
    c.baseline = c.db.snapshot_all(c.tables)


def test_z_server_survived():
    """After everything: the server answers, and exits 0 on SIGTERM."""
    c = ctx()
    r = c.s.request("GET", "/healthz")
    expect(r.status == 200, r)
    expect(c.s.request("GET", "/readyz").status == 200)
    total = sum(c.cases.values())
    print("hostile cases: %d (%s)" % (total, ", ".join("%s %d" % kv for kv in sorted(c.cases.items()))))
    rc = c.s.stop()
    expect(rc == 0, "muster exited with %s" % rc)
    expect(total >= 100, total)


if __name__ == "__main__":
    main(globals())
