"""harness.py - integration test harness: a fresh database per test on the
throw-away PostgreSQL that scripts/test started (or a private cluster of
the test's own), the real `muster serve` on a free port, and HTTP helpers.

Standard library only; run with /usr/bin/python3. A test module calls
`main(globals())`, which runs every `test_*` function and prints a
'N passed, N failed' line; exit 77 means skipped (no PostgreSQL given).
"""
import gzip
import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import traceback

ROOT = os.environ.get("MUSTER_SOURCE_DIR") or os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(ROOT, "tests", "fixtures")
MUSTER_BIN = os.environ.get("MUSTER_BIN") or os.path.join(ROOT, "build", "muster")
PGHOST = os.environ.get("MUSTER_TEST_PGHOST")
PGUSER = os.environ.get("MUSTER_TEST_PGUSER", "muster")
PGBIN = os.environ.get("MUSTER_TEST_PGBIN", "/usr/lib/postgresql/15/bin")
WORK = os.environ.get("MUSTER_TEST_WORK") or tempfile.gettempdir()


def fixture(*parts):
    return os.path.join(FIXTURES, *parts)


def read_fixture(*parts):
    with open(fixture(*parts), "rb") as f:
        return f.read()


def trivy_report(n, seq, repo="registry.example.com/gen/app", text=200):
    """A generated Trivy JSON report (bytes): n findings on one image whose
    digest and tag derive from seq (equal seq, equal report). text sets the
    length of each description, hence the size of the report."""
    vulns = []
    for i in range(n):
        cve = "CVE-20%02d-%05d" % (10 + i % 15, i)
        vulns.append({
            "VulnerabilityID": cve, "PkgID": "pkg%d@1.%d" % (i % 900, i % 7), "PkgName": "pkg%d" % (i % 900),
            "InstalledVersion": "1.%d.%d" % (i % 7, i), "FixedVersion": "" if i % 5 == 0 else "1.%d.%d" % (i % 7 + 1, i),
            "Status": "fixed", "SeveritySource": "nvd", "PrimaryURL": "https://avd.aquasec.com/nvd/" + cve.lower(),
            "Title": "pkg%d: a weakness" % (i % 900), "Description": "x" * text,
            "Severity": ["LOW", "MEDIUM", "HIGH", "CRITICAL"][i % 4],
            "CVSS": {"nvd": {"V3Vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H", "V3Score": 9.8}},
            "PublishedDate": "2021-03-01T12:00:00Z"})
    digest = "%064x" % (0x5eed0000 + seq)
    return json.dumps({
        "SchemaVersion": 2, "CreatedAt": "2026-11-01T00:00:00Z", "ArtifactName": "%s:%d" % (repo, seq),
        "ArtifactType": "container_image",
        "Metadata": {"OS": {"Family": "debian", "Name": "12.1"}, "ImageID": "sha256:" + "%064x" % (0xc0f000 + seq),
                     "RepoTags": ["%s:%d" % (repo, seq)], "RepoDigests": ["%s@sha256:%s" % (repo, digest)]},
        "Results": [{"Target": "%s (debian 12.1)" % repo, "Class": "os-pkgs", "Type": "debian",
                     "Vulnerabilities": vulns}]}).encode()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def as_pg_user(cmd):
    if os.geteuid() == 0:
        return ["runuser", "-u", "muster", "--"] + cmd
    return cmd


class Database:
    """A fresh database on a cluster reachable through a socket directory."""

    def __init__(self, host=None, name=None):
        self.host = host or PGHOST
        self.name = name or "t_" + secrets.token_hex(6)
        self.psql_admin("CREATE DATABASE %s" % self.name)

    @property
    def url(self):
        return "host=%s dbname=%s user=%s" % (self.host, self.name, PGUSER)

    def psql_admin(self, sql):
        subprocess.run([os.path.join(PGBIN, "psql"), "-h", self.host, "-U", PGUSER, "-d", "postgres",
                        "-v", "ON_ERROR_STOP=1", "-qAtc", sql], check=True, capture_output=True)

    def query(self, sql):
        """Rows of a query as lists of strings (psql unaligned output)."""
        out = subprocess.run([os.path.join(PGBIN, "psql"), "-h", self.host, "-U", PGUSER, "-d", self.name,
                              "-v", "ON_ERROR_STOP=1", "-qAt", "-F", "\x1f", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [line.split("\x1f") for line in out.splitlines()]

    def scalar(self, sql):
        rows = self.query(sql)
        return rows[0][0] if rows else None

    def reltuples(self, table):
        """The row count the planner's statistics claim for table."""
        return float(self.scalar("SELECT reltuples FROM pg_class WHERE oid = '%s'::regclass" % table))

    def stale_statistics(self, table, fill_sql):
        """Leave table as an ANALYZE leaves it while a large write is in
        flight or after it was rolled back: pages, but statistics saying no
        rows. fill_sql writes those rows; it is rolled back."""
        self.query("BEGIN; %s; ROLLBACK" % fill_sql)
        self.query("ANALYZE %s" % table)
        expect(self.scalar("SELECT relpages > 0 AND reltuples = 0 FROM pg_class WHERE oid = '%s'::regclass"
                           % table) == "t", "%s statistics are not stale" % table)

    def snapshot(self, tables):
        """Row counts and a content hash of each table, to prove nothing changed."""
        return {t: self.scalar("SELECT count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') FROM %s x" % t)
                for t in tables}

    def tables(self):
        """Every base table of the public schema (new migrations included)."""
        return [r[0] for r in self.query("SELECT table_name FROM information_schema.tables"
                                         " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                                         " ORDER BY table_name")]

    def snapshot_all(self, tables=None):
        """Like snapshot() over every table (or the given ones), in one query."""
        tables = tables if tables is not None else self.tables()
        sql = " UNION ALL ".join(
            "SELECT '%s', count(*) || ':' || coalesce(md5(string_agg(x::text, ',' ORDER BY x::text)), '') FROM \"%s\" x"
            % (t, t) for t in tables)
        return dict((r[0], r[1]) for r in self.query(sql)) if tables else {}


class Cluster:
    """A private PostgreSQL cluster of the test's own (for stop/start tests)."""

    def __init__(self, parent=None):
        self.dir = tempfile.mkdtemp(prefix="muster-pg-", dir=parent or WORK)
        os.chmod(self.dir, 0o755)
        self.run = os.path.join(self.dir, "run")
        os.mkdir(self.run)
        if os.geteuid() == 0:
            shutil.chown(self.dir, "muster")
            shutil.chown(self.run, "muster")
        subprocess.run(as_pg_user([os.path.join(PGBIN, "initdb"), "-D", os.path.join(self.dir, "data"),
                                   "-U", PGUSER, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        self.start()

    def start(self):
        subprocess.run(as_pg_user([os.path.join(PGBIN, "pg_ctl"), "-D", os.path.join(self.dir, "data"),
                                   "-l", os.path.join(self.dir, "log"), "-w", "start", "-o",
                                   "-c listen_addresses='' -c unix_socket_directories='%s' -c fsync=off" % self.run]),
                       check=True, capture_output=True)

    def stop(self, mode="fast"):
        subprocess.run(as_pg_user([os.path.join(PGBIN, "pg_ctl"), "-D", os.path.join(self.dir, "data"),
                                   "-m", mode, "-w", "stop"]), capture_output=True)

    def destroy(self):
        self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return "<%d %s>" % (self.status, self.body[:300])


class Server:
    """The real `muster serve` on a free loopback port."""

    def __init__(self, db, env=None, args=None, port=None, bootstrap=None, binary=None, tls_ca=None):
        self.db = db
        self.tls_ca = tls_ca   # HTTPS, trusting this CA file, when set
        self.port = port or free_port()
        self.admin_token = bootstrap or secrets.token_hex(32)
        self.log_path = os.path.join(WORK, "muster-%d-%s.log" % (self.port, secrets.token_hex(4)))
        # a data folder of its own: tests run in parallel and check what is left in it
        self.data_dir = tempfile.mkdtemp(prefix="data-", dir=WORK)
        e = dict(os.environ)
        e.update({
            "MUSTER_DATABASE_URL": db.url,
            "MUSTER_LISTEN": "127.0.0.1:%d" % self.port,
            "MUSTER_BOOTSTRAP_TOKEN": self.admin_token,
            "MUSTER_DATA_DIR": self.data_dir,
            "MUSTER_THREADS": "8",
            "MUSTER_DB_POOL": "4",
        })
        e.update(env or {})
        self.env = e
        self.args = args or []
        self.binary = binary or MUSTER_BIN
        self.proc = None
        self.start()

    def start(self):
        self.logf = open(self.log_path, "ab")
        self.proc = subprocess.Popen([self.binary, "serve"] + self.args, env=self.env,
                                     stdout=self.logf, stderr=self.logf)
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("muster exited with %s:\n%s" % (self.proc.returncode, self.log()))
            try:
                if self.request("GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("muster did not answer /healthz:\n" + self.log())

    def log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")[-4000:]

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError("muster did not stop on SIGTERM")
        rc = self.proc.returncode if self.proc else 0
        self.logf.close()
        # sanitizer reports (exit code 86) fail the test
        if rc not in (0, -signal.SIGKILL) and sig != signal.SIGKILL:
            raise RuntimeError("muster exited with %s:\n%s" % (rc, self.log()))
        return rc

    def request(self, method, path, body=None, token=None, headers=None, timeout=60):
        h = dict(headers or {})
        if token:
            h["Authorization"] = "Bearer " + token
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        if self.tls_ca:
            ctx = ssl.create_default_context(cafile=self.tls_ca)
            conn = http.client.HTTPSConnection("127.0.0.1", self.port, timeout=timeout, context=ctx)
        else:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=h)
            r = conn.getresponse()
            return Response(r.status, r.getheaders(), r.read())
        finally:
            conn.close()

    def admin(self, method, path, body=None, **kw):
        return self.request(method, path, body=body, token=self.admin_token, **kw)

    def token(self, role, name=None):
        r = self.admin("POST", "/api/v1/tokens", {"name": name or role + "-" + secrets.token_hex(3), "role": role})
        assert r.status == 201, r
        return r.json()["token"]


def muster_routes(binary=None):
    """The route table as `muster routes` prints it: [{method, pattern, roles}]."""
    out = subprocess.run([binary or MUSTER_BIN, "routes"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def raw_http(port, data, timeout=10, host="127.0.0.1"):
    """Send raw bytes on a fresh connection and read until the server closes
    it or timeout passes. Returns (bytes received, closed by the server,
    seconds taken). For requests http.client refuses to send."""
    t0 = time.time()
    got = b""
    closed = False
    c = socket.create_connection((host, port), timeout=timeout)
    try:
        try:
            c.sendall(data)
        except OSError:
            pass   # the server may answer and close before reading it all
        deadline = t0 + timeout
        while time.time() < deadline:
            c.settimeout(max(0.01, deadline - time.time()))
            try:
                b = c.recv(65536)
            except socket.timeout:
                break
            except OSError:
                closed = True
                break
            if not b:
                closed = True
                break
            got += b
    finally:
        c.close()
    return got, closed, time.time() - t0


def parse_raw_response(data):
    """The first HTTP response in raw bytes as a Response (None if there is none)."""
    head, sep, rest = data.partition(b"\r\n\r\n")
    if not sep or not head.startswith(b"HTTP/1."):
        return None
    lines = head.decode("latin-1").split("\r\n")
    try:
        status = int(lines[0].split(" ", 2)[1])
    except (IndexError, ValueError):
        return None
    headers = [tuple(x.strip() for x in l.split(":", 1)) for l in lines[1:] if ":" in l]
    n = None
    for k, v in headers:
        if k.lower() == "content-length" and v.isdigit():
            n = int(v)
    return Response(status, headers, rest[:n] if n is not None else rest)


def expect(cond, msg="expectation failed"):
    if not cond:
        raise AssertionError(msg)


def expect_error(r, status, code=None):
    """A JSON error of the documented shape with the given status."""
    expect(r.status == status, "expected %d, got %r" % (status, r))
    expect((r.header("Content-Type") or "").startswith("application/json"), "error is not JSON: %r" % r)
    e = r.json().get("error")
    expect(isinstance(e, dict) and isinstance(e.get("code"), str) and isinstance(e.get("message"), str),
           "bad error shape: %r" % r)
    if code:
        expect(e["code"] == code, "expected code %s, got %r" % (code, r))
    return e


def main(ns):
    if not PGHOST:
        print("MUSTER_TEST_PGHOST is not set: run through scripts/test")
        sys.exit(77)
    os.makedirs(WORK, exist_ok=True)
    only = sys.argv[1:] or None
    tests = [(n, f) for n, f in sorted(ns.items()) if n.startswith("test_") and callable(f)
             and (not only or n in only)]
    passed = failed = 0
    for name, fn in tests:
        t0 = time.time()
        try:
            fn()
            passed += 1
            print("ok   %s (%.1fs)" % (name, time.time() - t0), flush=True)
        except Exception:
            failed += 1
            print("FAIL %s" % name, flush=True)
            traceback.print_exc()
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed or not tests else 0)
