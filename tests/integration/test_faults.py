"""test_faults.py - faults in the middle of real work, each ending with
nothing lost and nothing partial:

  - PostgreSQL stopped (-m immediate) while a large report is being stored:
    the client gets 503 with Retry-After (or a failed connection); once
    PostgreSQL is back the same report is accepted by the same muster
    process, exactly once;
  - muster killed with SIGKILL while a large report streams into findings:
    no reports/scans/findings rows from it; after a restart it is accepted;
  - the connection pool exhausted (one connection, held by an ingest that
    waits on a table lock taken from psql): other requests get a fast 503,
    /healthz keeps answering, and everything completes once the lock goes;
  - a webhook receiver that accepts and never answers: scan ingest latency
    stays what it was without it;
  - a statement that runs past MUSTER_DB_STATEMENT_MS (a read and an
    ingest, each blocked on a table lock taken from psql) is cancelled: the
    client gets 503 database_timeout, nothing is stored, the backend is
    idle again and the same pooled connection serves the next request;
  - SIGTERM while a request waits on such a lock: the server stops once
    MUSTER_STOP_GRACE_MS has passed (the stuck statement is cancelled),
    instead of waiting for the lock, and leaves no backend behind;
  - the disk of a private cluster full (a small tmpfs): the write fails
    with 500/503, nothing partial is stored, reads keep working while
    PostgreSQL is up, and the write succeeds once there is room.
"""
import hashlib
import json
import os
import signal
import socket
import statistics
import subprocess
import threading
import time

from harness import (PGBIN, PGUSER, WORK, Cluster, Database, Server, expect, expect_error, main,
                     trivy_report)

BIG = 60000   # findings in the large report (about 45 MB of JSON)


def counts(db):
    return tuple(int(db.scalar("SELECT count(*) FROM %s" % t)) for t in ("reports", "scans", "findings"))


def wait_for(fn, limit=30, step=0.02, what="condition"):
    deadline = time.time() + limit
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    raise AssertionError("timed out waiting for " + what)


def muster_backends(db, where):
    return int(db.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'muster'"
                         " AND datname = current_database() AND " + where))


class LockHolder:
    """A psql session holding a lock until release()."""

    def __init__(self, db, sql):
        self.p = subprocess.Popen([os.path.join(PGBIN, "psql"), "-h", db.host, "-U", PGUSER, "-d", db.name,
                                   "-v", "ON_ERROR_STOP=1", "-qAt"], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.p.stdin.write("BEGIN;\n%s;\nSELECT 'locked';\n" % sql)
        self.p.stdin.flush()
        expect(self.p.stdout.readline().strip() == "locked", "psql did not take the lock")

    def release(self):
        if self.p.poll() is None:
            try:
                self.p.stdin.write("COMMIT;\n")
                self.p.stdin.close()
            except OSError:
                pass
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


def post_in_thread(s, body, token=None, timeout=120):
    """Start POST /api/v1/scans in a thread; returns (thread, result dict)."""
    out = {}

    def run():
        t0 = time.time()
        try:
            out["r"] = s.request("POST", "/api/v1/scans", body, token=token or s.admin_token, timeout=timeout)
        except OSError as e:
            out["err"] = e
        out["seconds"] = time.time() - t0
    t = threading.Thread(target=run, daemon=True)
    t.start()
    return t, out


def test_postgres_stopped_mid_ingest():
    c = Cluster()
    try:
        db = Database(host=c.run)
        s = Server(db, env={"MUSTER_MAX_BODY": "1G", "MUSTER_EVALUATOR_SECONDS": "0"})
        try:
            pid = s.proc.pid
            body = trivy_report(BIG, 1)
            # the ingest's COPY into findings waits on this lock: the
            # transaction is open, its reports and scans rows written
            hold = LockHolder(db, "LOCK TABLE findings IN ACCESS EXCLUSIVE MODE")
            t, out = post_in_thread(s, body)
            wait_for(lambda: muster_backends(db, "wait_event_type = 'Lock'"), what="the ingest to wait on the lock")
            c.stop("immediate")
            hold.release()
            t.join(60)
            expect(not t.is_alive(), "the client is still waiting after PostgreSQL went away")
            print("the client of the interrupted ingest got %s after %.1fs"
                  % (out["r"] if "r" in out else repr(out["err"]), out["seconds"]))
            if "r" in out:
                expect_error(out["r"], 503)
                expect(out["r"].header("Retry-After"), "503 without Retry-After: %r" % out["r"].headers)
            else:
                expect(isinstance(out["err"], OSError), out)
            expect(s.request("GET", "/healthz").status == 200, "muster stopped answering")
            c.start()
            # the client's retry, honouring Retry-After
            attempts, r = 0, None
            while attempts < 5:
                attempts += 1
                r = s.admin("POST", "/api/v1/scans", body, timeout=120)
                if r.status != 503:
                    break
                print("retry %d: %r" % (attempts, r))
                time.sleep(min(float(r.header("Retry-After") or 1), 1.0))
            expect(r.status == 201 and r.json()["findings"] == BIG, r)
            expect(attempts == 1, "the first retry after PostgreSQL came back failed (%d attempts)" % attempts)
            expect(counts(db) == (1, 1, BIG), counts(db))
            expect(s.proc.pid == pid and s.proc.poll() is None, "muster was restarted")
            # the same report again: the stored scan, not a second one
            r = s.admin("POST", "/api/v1/scans", body, timeout=120)
            expect(r.status == 200, r)
            expect(counts(db) == (1, 1, BIG), counts(db))
        finally:
            s.stop()
    finally:
        c.destroy()


def test_sigkill_mid_ingest():
    db = Database()
    s = Server(db, env={"MUSTER_MAX_BODY": "1G", "MUSTER_EVALUATOR_SECONDS": "0"})
    caught = None
    try:
        for seq in range(2, 10):   # a few tries: the COPY lasts well under a second
            body = trivy_report(BIG, seq)
            t, out = post_in_thread(s, body)
            # kill while the findings stream into COPY
            deadline = time.time() + 60
            while time.time() < deadline and t.is_alive():
                if muster_backends(db, "state = 'active' AND query LIKE 'COPY findings%'"):
                    s.proc.send_signal(signal.SIGKILL)
                    caught = body
                    break
                time.sleep(0.01)
            t.join(60)
            if caught:
                break
            expect(out.get("r") is not None and out["r"].status == 201, out)   # too quick: try a new report
        expect(caught is not None, "never caught an ingest in its COPY")
        s.proc.wait(10)
        s.stop(signal.SIGKILL)
        expect("err" in out or out["r"].status >= 500, out)
        # the backend sees its client gone and rolls back
        wait_for(lambda: muster_backends(db, "true") == 0, what="muster's sessions to end")
        before = counts(db)
        expect(db.scalar("SELECT count(*) FROM reports WHERE sha256 = '%s'" % hashlib.sha256(caught).hexdigest()) == "0",
               "the killed report was stored")
        expect(int(db.scalar("SELECT count(*) FROM findings WHERE scan_id NOT IN (SELECT id FROM scans)")) == 0)
        # nothing of the killed report: every stored scan is complete
        rows = db.query("SELECT s.id, s.findings_count, (SELECT count(*) FROM findings f WHERE f.scan_id = s.id)"
                        " FROM scans s")
        expect(all(r[1] == r[2] for r in rows), rows)
        expect(before[1] == len(rows) and before[0] == before[1], before)
        s2 = Server(db, env={"MUSTER_MAX_BODY": "1G", "MUSTER_EVALUATOR_SECONDS": "0"}, bootstrap=s.admin_token)
        try:
            r = s2.admin("POST", "/api/v1/scans", caught, timeout=120)
            expect(r.status == 201 and r.json()["findings"] == BIG, r)
            expect(counts(db) == (before[0] + 1, before[1] + 1, before[2] + BIG), (before, counts(db)))
        finally:
            s2.stop()
    finally:
        if s.proc.poll() is None:
            s.stop()


def test_pool_exhausted_answers_fast():
    db = Database()
    s = Server(db, env={"MUSTER_DB_POOL": "1", "MUSTER_DB_ACQUIRE_MS": "300", "MUSTER_EVALUATOR_SECONDS": "0"})
    hold = None
    try:
        viewer = s.token("viewer")
        hold = LockHolder(db, "LOCK TABLE findings IN ACCESS EXCLUSIVE MODE")
        t, out = post_in_thread(s, trivy_report(50, 7))
        wait_for(lambda: muster_backends(db, "wait_event_type = 'Lock'"), what="the ingest to hold the connection")
        for path, token in (("/api/v1/scans", viewer), ("/api/v1/images", viewer), ("/readyz", None)):
            t0 = time.time()
            r = s.request("GET", path, token=token, timeout=10)
            took = time.time() - t0
            expect_error(r, 503)
            expect(r.header("Retry-After"), r.headers)
            expect(took < 3.0, "%s took %.2fs with the pool exhausted" % (path, took))
        t0 = time.time()
        expect(s.request("GET", "/healthz", timeout=5).status == 200)
        expect(time.time() - t0 < 1.0, "healthz waited on the pool")
        hold.release()
        t.join(60)
        expect(out.get("r") is not None and out["r"].status == 201, out)
        r = s.request("GET", "/api/v1/scans", token=viewer)
        expect(r.status == 200 and len(r.json()["items"]) == 1, r)
        expect(counts(db) == (1, 1, 50), counts(db))
    finally:
        if hold:
            hold.release()
        s.stop()


def test_statement_time_limit():
    db = Database()
    s = Server(db, env={"MUSTER_DB_POOL": "1", "MUSTER_DB_STATEMENT_MS": "1500",
                        "MUSTER_EVALUATOR_SECONDS": "0"})
    hold = None
    try:
        viewer = s.token("viewer")
        before = counts(db)
        hold = LockHolder(db, "LOCK TABLE images IN ACCESS EXCLUSIVE MODE")
        # a read, then a write, each stuck behind the lock: cancelled at the limit
        t0 = time.time()
        r = s.request("GET", "/api/v1/images", token=viewer, timeout=30)
        took = time.time() - t0
        expect_error(r, 503, "database_timeout")
        expect(r.header("Retry-After"), r.headers)
        expect(1.4 < took < 8, "the read was cancelled after %.2fs (limit 1.5s)" % took)
        t0 = time.time()
        r = s.admin("POST", "/api/v1/scans", trivy_report(20, 11), timeout=30)
        took = time.time() - t0
        expect_error(r, 503, "database_timeout")
        expect(took < 8, "the ingest was cancelled after %.2fs" % took)
        expect(counts(db) == before, "the cancelled ingest stored something: %s" % (counts(db),))
        # the cancelled statements are gone from the server, not left waiting
        wait_for(lambda: muster_backends(db, "state = 'active' AND wait_event_type = 'Lock'") == 0,
                 limit=5, what="the cancelled statements to leave PostgreSQL")
        hold.release()
        # the one pooled connection is healthy again
        r = s.request("GET", "/api/v1/images", token=viewer)
        expect(r.status == 200, r)
        r = s.admin("POST", "/api/v1/scans", trivy_report(20, 11))
        expect(r.status == 201, r)
        expect(counts(db) == (before[0] + 1, before[1] + 1, before[2] + 20), counts(db))
        expect("ran past its time limit" in s.log(), "the cancel was not logged")
        m = s.request("GET", "/metrics", token=viewer).body.decode()
        expect('muster_db_statements_cancelled_total{reason="time_limit"} 2' in m,
               [line for line in m.splitlines() if "cancelled" in line])
    finally:
        if hold:
            hold.release()
        s.stop()


def test_stop_cancels_stuck_statements():
    db = Database()
    s = Server(db, env={"MUSTER_DB_STATEMENT_MS": "0", "MUSTER_STOP_GRACE_MS": "1000",
                        "MUSTER_EVALUATOR_SECONDS": "0"})
    hold = None
    try:
        viewer = s.token("viewer")
        hold = LockHolder(db, "LOCK TABLE images IN ACCESS EXCLUSIVE MODE")
        out = {}

        def read():
            try:
                out["r"] = s.request("GET", "/api/v1/images", token=viewer, timeout=60)
            except OSError as e:
                out["err"] = e
        t = threading.Thread(target=read, daemon=True)
        t.start()
        wait_for(lambda: muster_backends(db, "wait_event_type = 'Lock'"), what="the read to wait on the lock")
        t0 = time.time()
        rc = s.stop()
        took = time.time() - t0
        expect(rc == 0, "muster exited with %s" % rc)
        expect(took < 10, "stopping took %.2fs with a statement stuck on a lock" % took)
        t.join(10)
        if "r" in out:
            expect_error(out["r"], 503)
        expect(muster_backends(db, "true") == 0, "muster left backends behind")
        expect("the server is stopping" in s.log(), "the cancel was not logged")
    finally:
        if hold:
            hold.release()
        if s.proc.poll() is None:
            s.stop()


class SilentReceiver:
    """Accepts connections, reads, never answers."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.conns = []
        self.stop = False
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while not self.stop:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)

    def close(self):
        self.stop = True
        self.sock.close()
        for c in self.conns:
            c.close()


def pods(cluster, n, seq):
    items = []
    for i in range(n):
        repo = "registry.example.com/gen/app"
        digest = "%064x" % (0x5eed0000 + seq + i)
        items.append({"metadata": {"namespace": "web", "name": "p-%d-%d" % (seq, i)},
                      "spec": {"containers": [{"name": "app", "image": "%s:%d" % (repo, seq + i)}]},
                      "status": {"phase": "Running", "containerStatuses": [
                          {"name": "app", "image": "%s:%d" % (repo, seq + i), "imageID": "%s@sha256:%s" % (repo, digest),
                           "state": {"running": {"startedAt": "2026-10-01T00:00:00Z"}}}]}})
    return json.dumps({"apiVersion": "v1", "kind": "PodList", "items": items}).encode()


def ingest_latencies(s, seqs):
    out = []
    for seq in seqs:
        body = trivy_report(300, seq)
        t0 = time.time()
        r = s.admin("POST", "/api/v1/scans", body)
        out.append(time.time() - t0)
        expect(r.status == 201, r)
    return out


def test_hanging_webhook_does_not_slow_ingest():
    db = Database()
    s = Server(db, env={"MUSTER_EVALUATOR_SECONDS": "0"})
    rx = SilentReceiver()
    try:
        base = ingest_latencies(s, range(100, 110))
        r = s.admin("POST", "/api/v1/webhooks", {"url": "http://127.0.0.1:%d/hook" % rx.port})
        expect(r.status == 201, r)
        # production containers of never-hardened images: alerts open, deliveries queue
        expect(s.admin("PUT", "/api/v1/clusters/prod-hook", {"environment": "production"}).status == 200)
        r = s.admin("POST", "/api/v1/runtime?cluster=prod-hook", pods("prod-hook", 20, 200))
        expect(r.status == 201, r)
        expect(s.admin("POST", "/api/v1/alerts/evaluate").status == 200)
        wait_for(lambda: int(db.scalar("SELECT count(*) FROM webhook_deliveries")) > 0, limit=10,
                 what="a webhook delivery to be queued")
        wait_for(lambda: rx.conns, limit=15, what="the sender to connect to the receiver")
        during = ingest_latencies(s, range(200, 220))
        b, d = statistics.median(base), statistics.median(during)
        print("ingest median without receiver %.1f ms, with a hanging one %.1f ms (max %.1f ms)"
              % (b * 1e3, d * 1e3, max(during) * 1e3))
        expect(d < b * 3 + 0.1 and max(during) < 2.0, "ingest slowed down: %.3fs -> %.3fs (max %.3fs)"
               % (b, d, max(during)))
        expect(s.request("GET", "/healthz").status == 200)
    finally:
        rx.close()
        s.stop()


def test_disk_full_on_a_private_cluster():
    mnt = os.path.join(WORK, "tmpfs-%d" % os.getpid())
    os.makedirs(mnt, exist_ok=True)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160M,mode=0755", "tmpfs", mnt],
                      capture_output=True).returncode != 0:
        os.rmdir(mnt)
        print("SKIP: cannot mount a tmpfs here (not root or no CAP_SYS_ADMIN)")
        return
    c = None
    try:
        c = Cluster(parent=mnt)
        db = Database(host=c.run)
        s = Server(db, env={"MUSTER_MAX_BODY": "1G", "MUSTER_EVALUATOR_SECONDS": "0"})
        try:
            viewer = s.token("viewer")
            expect(s.admin("POST", "/api/v1/scans", trivy_report(100, 300)).status == 201)
            before = counts(db)
            # fill what is left of the disk
            filler = os.path.join(mnt, "filler")
            with open(filler, "wb") as f:
                try:
                    while True:
                        f.write(b"\0" * (1 << 20))
                        f.flush()
                except OSError:
                    pass
            r = None
            try:
                r = s.admin("POST", "/api/v1/scans", trivy_report(20000, 301), timeout=120)
            except OSError:
                pass
            if r is not None:
                # PostgreSQL's 53100 (disk full) is a 503 to retry later
                expect_error(r, 503)
                expect(r.header("Retry-After"), r.headers)
            # reads keep working as long as PostgreSQL runs
            pg_up = subprocess.run([os.path.join(PGBIN, "pg_isready"), "-h", c.run], capture_output=True).returncode == 0
            print("disk full: write answered %s; PostgreSQL %s" % (r.status if r else "no answer",
                                                                   "still up" if pg_up else "went down"))
            if pg_up:
                rr = s.request("GET", "/api/v1/scans", token=viewer)
                expect(rr.status == 200 and len(rr.json()["items"]) == before[1], rr)
            os.unlink(filler)
            if not pg_up:
                c.start()
            expect(counts(db) == before, "something partial was stored: %s -> %s" % (before, counts(db)))
            r = s.admin("POST", "/api/v1/scans", trivy_report(20000, 301), timeout=120)
            if r.status == 503:   # a pooled connection that died with the server
                r = s.admin("POST", "/api/v1/scans", trivy_report(20000, 301), timeout=120)
            expect(r.status == 201, r)
            expect(counts(db) == (before[0] + 1, before[1] + 1, before[2] + 20000), counts(db))
        finally:
            s.stop()
    finally:
        if c:
            c.destroy()
        subprocess.run(["umount", "-l", mnt], capture_output=True)
        os.rmdir(mnt)


if __name__ == "__main__":
    main(globals())
