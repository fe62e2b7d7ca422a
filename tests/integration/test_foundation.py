"""test_foundation.py - the service's ground rules over real HTTP and a real
PostgreSQL: health, readiness across a database restart, auth (401/403 by
role), the error shape, 404/405/413/415, token lifecycle, request ids,
migrations (idempotent and concurrent) and the bootstrap token."""
import concurrent.futures
import gzip
import os
import subprocess
import threading

from harness import (Cluster, Database, Server, expect, expect_error, main, MUSTER_BIN)


def with_server(fn, **kw):
    db = Database()
    s = Server(db, **kw)
    try:
        fn(s, db)
    finally:
        s.stop()


def test_health_and_request_id():
    def run(s, db):
        r = s.request("GET", "/healthz")
        expect(r.status == 200 and r.json() == {"status": "ok"}, r)
        expect(r.header("X-Request-Id"), "no request id")
        r = s.request("GET", "/healthz", headers={"X-Request-Id": "abc-123"})
        expect(r.header("X-Request-Id") == "abc-123", "client request id not echoed")
        r = s.request("GET", "/healthz", headers={"X-Request-Id": "bad id with spaces"})
        expect(r.header("X-Request-Id") != "bad id with spaces")
        expect(s.request("GET", "/readyz").status == 200)
    with_server(run)


def test_auth_roles_and_errors():
    def run(s, db):
        expect_error(s.request("GET", "/api/v1/tokens"), 401, "unauthorized")
        expect_error(s.request("GET", "/api/v1/tokens", token="nope"), 401)
        expect_error(s.request("GET", "/api/v1/tokens", headers={"Authorization": "Basic eDp5"}), 401)
        for role in ("viewer", "scanner", "sensor"):
            t = s.token(role)
            expect_error(s.request("GET", "/api/v1/tokens", token=t), 403, "forbidden")
            expect_error(s.request("POST", "/api/v1/tokens", {"name": "x", "role": "admin"}, token=t), 403)
        expect_error(s.admin("GET", "/api/v1/nothing-here"), 404, "not_found")
        r = s.admin("PATCH", "/api/v1/tokens")
        expect_error(r, 405, "method_not_allowed")
        expect("GET" in r.header("Allow") and "POST" in r.header("Allow"), r.headers)
        expect_error(s.admin("GET", "/api/v1/tokens?token=" + s.admin_token), 400, "token_in_query")
        expect_error(s.request("GET", "/api/v1/tokens?access_token=" + s.admin_token), 400)
    with_server(run)


def test_body_limits_and_types():
    def run(s, db):
        big = b"{" + b" " * (70 * 1024) + b"}"
        expect_error(s.admin("POST", "/api/v1/tokens", big, headers={"Content-Type": "application/json"}), 413)
        bomb = gzip.compress(b"[" + b"0," * 100000 + b"0]")
        expect_error(s.admin("POST", "/api/v1/tokens", bomb,
                             headers={"Content-Type": "application/json", "Content-Encoding": "gzip"}), 413)
        expect_error(s.admin("POST", "/api/v1/tokens", b"name=x",
                             headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)
        expect_error(s.admin("POST", "/api/v1/tokens", b"{\"name\": ", headers={"Content-Type": "application/json"}),
                     400, "malformed_json")
        expect_error(s.admin("POST", "/api/v1/tokens", {"name": "x", "role": "root"}), 422)
        expect_error(s.admin("POST", "/api/v1/tokens", {"role": "viewer"}), 422)
        expect_error(s.admin("POST", "/api/v1/tokens", b"{}", headers={"Content-Type": "application/json",
                                                                     "Content-Encoding": "br"}), 415)
        # gzip bodies are accepted
        r = s.admin("POST", "/api/v1/tokens", gzip.compress(b'{"name":"gz","role":"viewer"}'),
                    headers={"Content-Type": "application/json", "Content-Encoding": "gzip"})
        expect(r.status == 201, r)
        # oversized headers: civetweb's own error, in our shape
        r = s.request("GET", "/healthz", headers={"X-Big": "a" * 20000})
        expect(400 <= r.status < 500, r)
    with_server(run, env={"MUSTER_MAX_BODY": "64K"})


def test_token_lifecycle_and_audit():
    def run(s, db):
        r = s.admin("POST", "/api/v1/tokens", {"name": "ci-scanner", "role": "scanner"})
        expect(r.status == 201, r)
        t = r.json()
        expect(set(t) == {"id", "name", "role", "token"} and len(t["token"]) == 64, t)
        stored = db.scalar("SELECT secret_sha256 FROM tokens WHERE id = %d" % t["id"])
        expect(stored != t["token"] and len(stored) == 64, "secret stored in clear")
        lst = s.admin("GET", "/api/v1/tokens").json()["items"]
        expect(any(x["name"] == "ci-scanner" for x in lst))
        expect(t["token"] not in s.admin("GET", "/api/v1/tokens").body.decode(), "secret listed")
        expect(s.admin("DELETE", "/api/v1/tokens/%d" % t["id"]).status == 200)
        expect_error(s.request("GET", "/api/v1/tokens", token=t["token"]), 401)
        expect_error(s.admin("DELETE", "/api/v1/tokens/%d" % t["id"]), 404)
        expect_error(s.admin("DELETE", "/api/v1/tokens/abc"), 404)
        expect_error(s.admin("DELETE", "/api/v1/tokens/1;DROP%20TABLE%20tokens"), 404)
        actions = [r[0] for r in db.query("SELECT action FROM audit_log ORDER BY id")]
        expect(actions.count("token.create") >= 1 and "token.revoke" in actions, actions)
        rid = db.scalar("SELECT request_id FROM audit_log WHERE action = 'token.revoke'")
        expect(rid, "audit row has no request id")
    with_server(run)


def test_cli_tokens_and_migrate_idempotent():
    db = Database()
    env = dict(os.environ, MUSTER_DATABASE_URL=db.url)
    out = subprocess.run([MUSTER_BIN, "migrate"], env=env, capture_output=True, text=True)
    expect(out.returncode == 0 and "applied" in out.stdout, out)
    n = db.scalar("SELECT count(*) FROM schema_migrations")
    out = subprocess.run([MUSTER_BIN, "migrate"], env=env, capture_output=True, text=True)
    expect(out.returncode == 0 and "applied 0" in out.stdout, out)
    expect(db.scalar("SELECT count(*) FROM schema_migrations") == n)
    out = subprocess.run([MUSTER_BIN, "token", "create", "ops", "viewer"], env=env, capture_output=True, text=True)
    expect(out.returncode == 0 and '"role":"viewer"' in out.stdout, out)
    out = subprocess.run([MUSTER_BIN, "token", "create", "ops", "king"], env=env, capture_output=True, text=True)
    expect(out.returncode != 0)
    out = subprocess.run([MUSTER_BIN, "token", "list"], env=env, capture_output=True, text=True)
    expect('"ops"' in out.stdout, out)
    out = subprocess.run([MUSTER_BIN, "serve", "--threads", "0"], env=env, capture_output=True, text=True)
    expect(out.returncode == 2 and "--threads" in out.stderr, out)
    out = subprocess.run([MUSTER_BIN, "serve"], env=dict(env, MUSTER_MAX_BODY="lots"), capture_output=True, text=True)
    expect(out.returncode == 2 and "MUSTER_MAX_BODY" in out.stderr, out)


def test_concurrent_migrations_and_bootstrap():
    db = Database()
    env = dict(os.environ, MUSTER_DATABASE_URL=db.url)
    with concurrent.futures.ThreadPoolExecutor(4) as ex:
        outs = list(ex.map(lambda _: subprocess.run([MUSTER_BIN, "migrate"], env=env, capture_output=True, text=True),
                           range(4)))
    expect(all(o.returncode == 0 for o in outs), outs)
    files = sorted(f for f in os.listdir(os.path.join(os.path.dirname(MUSTER_BIN), "..", "schema"))
                   if f.endswith(".sql")) if os.path.isdir(os.path.join(os.path.dirname(MUSTER_BIN), "..", "schema")) else None
    total = sum(int(o.stdout.split()[1]) for o in outs)
    expect(total == int(db.scalar("SELECT count(*) FROM schema_migrations")), (total, outs))
    # two servers starting at once: one bootstrap admin, both serve
    s1 = Server(db, bootstrap="secret-one-" + "x" * 20)
    s2 = Server(db, bootstrap="secret-two-" + "y" * 20)
    try:
        expect(db.scalar("SELECT count(*) FROM tokens WHERE role = 'admin'") == "1")
        expect(s1.admin("GET", "/api/v1/tokens").status == 200)
        # the second bootstrap secret was not created: an admin existed
        expect_error(s2.admin("GET", "/api/v1/tokens"), 401)
        expect(s2.request("GET", "/api/v1/tokens", token=s1.admin_token).status == 200)
    finally:
        s1.stop()
        s2.stop()


def test_generated_bootstrap_token_printed_once():
    db = Database()
    s = Server(db, env={"MUSTER_BOOTSTRAP_TOKEN": ""})
    try:
        log = s.log()
        tok = [l for l in log.splitlines() if len(l.strip()) == 64]
        expect(len(tok) == 1, log)
        expect(s.request("GET", "/api/v1/tokens", token=tok[0].strip()).status == 200)
    finally:
        s.stop()
    s = Server(db, env={"MUSTER_BOOTSTRAP_TOKEN": ""})
    try:
        expect(len([l for l in s.log().splitlines() if len(l.strip()) == 64]) == 0, "printed twice")
    finally:
        s.stop()


def test_readyz_follows_database_restart():
    c = Cluster()
    try:
        db = Database(host=c.run)
        s = Server(db)
        try:
            expect(s.request("GET", "/readyz").status == 200)
            t = s.token("viewer")
            c.stop()
            r = s.request("GET", "/readyz")
            expect_error(r, 503)
            expect(r.header("Retry-After"), r.headers)
            expect_error(s.request("GET", "/api/v1/tokens", token=s.admin_token), 503)
            expect(s.request("GET", "/healthz").status == 200)
            c.start()
            expect(s.request("GET", "/readyz").status == 200)
            expect(s.request("GET", "/api/v1/tokens", token=s.admin_token).status == 200)
            expect_error(s.request("GET", "/api/v1/tokens", token=t), 403)
        finally:
            s.stop()
    finally:
        c.destroy()


def test_access_log_lines():
    def run(s, db):
        import json as j
        import time
        s.request("GET", "/healthz", headers={"X-Request-Id": "log-probe-1"})
        # the line is written just after the answer: give it a moment
        for _ in range(50):
            lines = [j.loads(l) for l in s.log().splitlines() if l.startswith("{")]
            hit = [l for l in lines if l.get("request_id") == "log-probe-1"]
            if hit:
                break
            time.sleep(0.05)
        expect(hit and hit[0]["status"] == 200 and hit[0]["type"] == "access", lines[-3:])
    with_server(run)


if __name__ == "__main__":
    main(globals())
