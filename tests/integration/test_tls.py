"""test_tls.py - HTTPS with MUSTER_TLS_CERT and MUSTER_TLS_KEY: a
self-signed certificate made with the openssl CLI; Python's ssl module,
trusting only that certificate, reaches muster; plain HTTP on the same
port gets no HTTP answer; the private key's joined copy is gone once the
server runs; separate files and one combined file both work; a missing
key or a key that does not match the certificate stops `muster serve`
with an error instead of serving without TLS.
"""
import glob
import os
import socket
import ssl
import subprocess
import tempfile

from harness import MUSTER_BIN, WORK, Database, Server, expect, main, read_fixture


def make_cert(d, name="server", cn="localhost"):
    key, cert = os.path.join(d, name + ".key"), os.path.join(d, name + ".crt")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                    "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def test_https_only_with_cert_and_key():
    d = tempfile.mkdtemp(prefix="tls-", dir=WORK)
    data = tempfile.mkdtemp(prefix="tls-data-", dir=WORK)
    cert, key = make_cert(d)
    db = Database()
    s = Server(db, env={"MUSTER_TLS_CERT": cert, "MUSTER_TLS_KEY": key, "MUSTER_DATA_DIR": data,
                        "MUSTER_EVALUATOR_SECONDS": "0"}, tls_ca=cert)
    try:
        r = s.request("GET", "/healthz")
        expect(r.status == 200 and r.json() == {"status": "ok"}, r)
        expect(s.admin("GET", "/api/v1/tokens").status == 200)
        r = s.admin("POST", "/api/v1/scans", read_fixture("trivy", "alpine-310-registry.json"))
        expect(r.status == 201, r)
        # the negotiated protocol is TLS 1.2 or newer
        ctx = ssl.create_default_context(cafile=cert)
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
            with ctx.wrap_socket(raw, server_hostname="127.0.0.1") as tls:
                expect(tls.version() in ("TLSv1.2", "TLSv1.3"), tls.version())
        # a client that trusts another CA refuses the server
        other, _ = make_cert(d, "other")
        bad = ssl.create_default_context(cafile=other)
        try:
            with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
                bad.wrap_socket(raw, server_hostname="127.0.0.1")
            expect(False, "a client with another CA accepted the certificate")
        except ssl.SSLCertVerificationError:
            pass
        # plain HTTP on the TLS port: no HTTP answer
        with socket.create_connection(("127.0.0.1", s.port), timeout=10) as raw:
            raw.sendall(b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            got = b""
            try:
                while True:
                    b = raw.recv(4096)
                    if not b:
                        break
                    got += b
            except OSError:
                pass
        expect(not got.startswith(b"HTTP/"), "plain HTTP was answered: %r" % got[:100])
        # the joined copy of the key does not outlive the start
        expect(not glob.glob(os.path.join(data, ".muster-tls-*")), os.listdir(data))
        expect(s.request("GET", "/readyz").status == 200, "the server stopped after a plain HTTP attempt")
    finally:
        s.stop()


def test_one_combined_pem_file():
    d = tempfile.mkdtemp(prefix="tls-", dir=WORK)
    cert, key = make_cert(d)
    both = os.path.join(d, "both.pem")
    with open(both, "wb") as f:
        for p in (cert, key):
            with open(p, "rb") as g:
                f.write(g.read())
    os.chmod(both, 0o600)
    s = Server(Database(), env={"MUSTER_TLS_CERT": both, "MUSTER_TLS_KEY": both}, tls_ca=cert)
    try:
        expect(s.request("GET", "/healthz").status == 200)
    finally:
        s.stop()


def serve_fails(env, want):
    db = Database()
    e = dict(os.environ, MUSTER_DATABASE_URL=db.url, MUSTER_LISTEN="127.0.0.1:%d" % _port(),
             MUSTER_DATA_DIR=WORK, MUSTER_BOOTSTRAP_TOKEN="t" * 64, **env)
    p = subprocess.run([MUSTER_BIN, "serve"], env=e, capture_output=True, text=True, timeout=60)
    expect(p.returncode != 0, "muster served with %s" % env)
    expect(want in (p.stdout + p.stderr), "no word of %r in: %s" % (want, (p.stdout + p.stderr)[-800:]))


def _port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_bad_tls_files_stop_the_server():
    d = tempfile.mkdtemp(prefix="tls-", dir=WORK)
    cert, key = make_cert(d)
    other_cert, other_key = make_cert(d, "other")
    serve_fails({"MUSTER_TLS_CERT": cert, "MUSTER_TLS_KEY": os.path.join(d, "missing.key")}, "TLS")
    serve_fails({"MUSTER_TLS_CERT": cert, "MUSTER_TLS_KEY": other_key}, "could not start the HTTP server")
    serve_fails({"MUSTER_TLS_CERT": cert}, "MUSTER_TLS_KEY")


if __name__ == "__main__":
    main(globals())
