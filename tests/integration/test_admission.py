"""test_admission.py - the Kubernetes deployment check over real HTTP:
AdmissionReviews built from the real fixtures (connaisseur, salesforce) are
answered with the same four rules the alerts use: an image in violation is
denied with a reason naming image and rule, compliant images are allowed,
warn mode allows with the reasons as warnings, non-production scopes are
not checked, workload kinds and kinds without pod specs get sensible
answers, and bodies without a uid get our JSON error."""
import copy
import datetime
import json

from harness import expect, expect_error, main, read_fixture
from test_rules import Env, days_ago, new_digest, ts

POD = json.loads(read_fixture("kubernetes", "connaisseur_02_pod.admissionreview.json"))
UID = POD["request"]["uid"]


def review(images, init=(), namespace="shop", kind="Pod", uid=UID):
    """The connaisseur Pod AdmissionReview with its containers' images
    replaced (and, for workload kinds, wrapped in a pod template)."""
    doc = copy.deepcopy(POD)
    spec = doc["request"]["object"]["spec"]
    base = spec["containers"][0]
    spec["containers"] = [dict(base, name="c%d" % i, image=img) for i, img in enumerate(images)]
    spec["initContainers"] = [dict(base, name="i%d" % i, image=img) for i, img in enumerate(init)]
    doc["request"]["namespace"] = namespace
    doc["request"]["uid"] = uid
    if kind != "Pod":
        obj = doc["request"]["object"]
        template = {"metadata": obj["metadata"], "spec": spec}
        obj["kind"] = kind
        obj["apiVersion"] = "apps/v1"
        obj["spec"] = {"replicas": 2, "template": template}
        if kind == "CronJob":
            obj["apiVersion"] = "batch/v1"
            obj["spec"] = {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": template}}}
        doc["request"]["kind"] = {"group": "apps", "version": "v1", "kind": kind}
    return doc


class Cluster:
    """Env plus three assets: C compliant, S scanned 31 days ago, U never
    scanned (seen only running), and a reference nobody has seen."""

    def __init__(self):
        self.e = Env()
        e = self.e
        self.c_digest, self.s_digest, self.u_digest = new_digest(), new_digest(), new_digest()
        self.C = "registry.example.com/shop/web:2.4.1"
        self.S = "registry.example.com/shop/cart:1.9"
        self.U = "registry.example.com/shop/queue:3"
        for repo in ("registry.example.com/shop/web", "registry.example.com/shop/cart",
                     "registry.example.com/shop/queue"):
            e.harden(repo)
        e.scan(self.C, self.c_digest, days_ago(3))
        e.scan(self.S, self.s_digest, days_ago(31))
        e.snapshot("dev", [("default", "q", self.U, self.u_digest)])

    def ask(self, doc, query="", token=None):
        r = self.e.s.request("POST", "/api/v1/admission" + query, json.dumps(doc).encode(),
                             token=token or self.e.sensor, headers={"Content-Type": "application/json"})
        return r

    def answer(self, doc, query=""):
        r = self.ask(doc, query)
        expect(r.status == 200, r)
        out = r.json()
        expect(out["apiVersion"] == "admission.k8s.io/v1" and out["kind"] == "AdmissionReview", out)
        expect(out["response"]["uid"] == doc["request"]["uid"], out)
        return out["response"]


def test_denied_and_allowed():
    k = Cluster()
    e = k.e
    try:
        # compliant, by tag and by digest
        resp = k.answer(review([k.C]))
        expect(resp == {"uid": UID, "allowed": True}, resp)
        resp = k.answer(review(["registry.example.com/shop/web@" + k.c_digest]))
        expect(resp["allowed"] is True and "status" not in resp, resp)
        # stale scan: denied, naming image and rule
        resp = k.answer(review([k.C, k.S]))
        expect(resp["allowed"] is False and resp["status"]["code"] == 403, resp)
        msg = resp["status"]["message"]
        expect(msg.startswith(k.S + ": scan_window (last scanned " + ts(days_ago(31))), msg)
        expect(k.C not in msg, msg)
        # never scanned, and never seen at all
        resp = k.answer(review([k.U]))
        expect(resp["allowed"] is False and resp["status"]["message"] == k.U + ": scan_window (never scanned)",
               resp)
        nobody = "registry.example.com/shop/ghost:1.0"
        resp = k.answer(review([nobody]))
        expect(resp["status"]["message"] == nobody + ": hardening (no hardening baseline is recorded for the"
               " image or its repository); " + nobody + ": scan_window (never scanned)", resp)
        # a repository-wide baseline covers a reference never seen
        e.harden("registry.example.com/shop/ghost")
        resp = k.answer(review([nobody]))
        expect(resp["status"]["message"] == nobody + ": scan_window (never scanned)", resp)
        # an unhardened repository and a registry off the list
        other = "quay.io/vendor/agent:5.2"
        e.scan(other, new_digest(), days_ago(1))
        resp = k.answer(review([other]))
        expect(resp["status"]["message"] == other + ": hardening (no hardening baseline is recorded"
               " for the image or its repository)", resp)
        e.policy(allowed_registries=["registry.example.com"])
        resp = k.answer(review([other]))
        msg = resp["status"]["message"]
        expect(msg == other + ": hardening (no hardening baseline is recorded for the image or its"
               " repository); " + other + ": registry (registry quay.io is not on the allowed list)", msg)
        # init containers count too; the same image twice is reported once
        resp = k.answer(review([k.C, k.C], init=[k.S, k.S]))
        expect(resp["allowed"] is False and resp["status"]["message"].count(k.S) == 1, resp)
        # an invalid reference is denied with its reason
        resp = k.answer(review(["registry.example.com/Shop/Web:1"]))
        expect(resp["allowed"] is False and "not a valid image reference" in resp["status"]["message"], resp)
        # a KEV finding in the latest scan
        e.db.query("INSERT INTO kev_entries (cve) VALUES ('CVE-2019-1549')")
        resp = k.answer(review([k.C]))
        expect(resp["allowed"] is False and resp["status"]["message"].startswith(
            k.C + ": kev (the latest scan (" + ts(days_ago(3)) + ") has 1 known exploited vulnerability:"
            " CVE-2019-1549)"), resp)
        e.db.query("DELETE FROM kev_entries")
        # a fresh scan makes the stale image admissible
        e.scan(k.S, k.s_digest, days_ago(0))
        expect(k.answer(review([k.S]))["allowed"] is True)
    finally:
        e.stop()


def test_workload_kinds_and_other_requests():
    k = Cluster()
    e = k.e
    try:
        for kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"):
            resp = k.answer(review([k.C, k.S], kind=kind))
            expect(resp["allowed"] is False and resp["status"]["message"].startswith(k.S + ": scan_window"),
                   (kind, resp))
            expect(k.answer(review([k.C], kind=kind))["allowed"] is True, kind)
        # kinds without a pod spec, and requests without an object, are allowed
        svc = copy.deepcopy(POD)
        svc["request"]["kind"] = {"group": "", "version": "v1", "kind": "Service"}
        svc["request"]["object"] = {"kind": "Service", "apiVersion": "v1", "spec": {"ports": [{"port": 80}]}}
        expect(k.answer(svc) == {"uid": UID, "allowed": True})
        delete = copy.deepcopy(POD)
        delete["request"]["operation"] = "DELETE"
        delete["request"]["object"] = None
        expect(k.answer(delete)["allowed"] is True)
        # a workload without its pod spec cannot be checked: denied, uid answered
        broken = review([k.C], kind="Deployment")
        del broken["request"]["object"]["spec"]["template"]
        resp = k.answer(broken)
        expect(resp["allowed"] is False and resp["status"]["code"] == 400 and
               "request.object.spec.template.spec" in resp["status"]["message"], resp)
        noimage = review([k.C])
        del noimage["request"]["object"]["spec"]["containers"][0]["image"]
        resp = k.answer(noimage)
        expect(resp["allowed"] is False and "containers[0].image" in resp["status"]["message"], resp)
        # v1beta1 is answered in its own version
        beta = review([k.C])
        beta["apiVersion"] = "admission.k8s.io/v1beta1"
        r = k.ask(beta)
        expect(r.status == 200 and r.json()["apiVersion"] == "admission.k8s.io/v1beta1", r)
        # bodies without a uid to answer: our JSON error
        for name in ("connaisseur_21_broken_admission_request.json", "connaisseur_25_null_request.json"):
            expect_error(k.ask(json.loads(read_fixture("edge", name))), 400)
        expect_error(e.s.request("POST", "/api/v1/admission", b'{"kind": "AdmissionReview", "apiVersi',
                                 token=e.sensor), 400)
        expect_error(e.s.request("POST", "/api/v1/admission", b'[]', token=e.sensor), 400)
        expect_error(e.s.request("POST", "/api/v1/admission", b'{}', token=e.sensor,
                                 headers={"Content-Type": "text/html"}), 415)
        for bad in ("", "%FF", "a%2Fb", "a%20b", "x" * 300):
            expect_error(k.ask(review([k.C]), "?cluster=" + bad), 400)
        # images that are not references: denied, the answer still valid JSON
        resp = k.answer(review(["ngïnx:1", "x" * 600 + "é"]))
        msg = resp["status"]["message"]
        expect(resp["allowed"] is False and msg.startswith("ngïnx:1: not a valid image reference (") and
               "; " + "x" * 300 in msg, resp)   # a long line is cut at its limit, on a character
        # nothing was written by any of this
        expect(e.db.scalar("SELECT count(*) FROM alerts") == "0")
    finally:
        e.stop()


def test_warn_mode_and_scopes():
    k = Cluster()
    e = k.e
    try:
        # scoped to a cluster: production is checked, other scopes are not
        resp = k.answer(review([k.S], namespace="shop"), "?cluster=prod")
        expect(resp["allowed"] is False, resp)
        resp = k.answer(review([k.S], namespace="sandbox-bob"), "?cluster=prod")
        expect(resp["allowed"] is True and len(resp["warnings"]) == 1 and
               "environment development" in resp["warnings"][0] and "only production" in resp["warnings"][0],
               resp)
        resp = k.answer(review([k.S]), "?cluster=dev")
        expect(resp["allowed"] is True and "environment development" in resp["warnings"][0], resp)
        resp = k.answer(review([k.S]), "?cluster=elsewhere")
        expect(resp["allowed"] is True and "not configured" in resp["warnings"][0], resp)
        # warn mode: allowed, the reasons as warnings
        e.policy(admission_mode="warn")
        resp = k.answer(review([k.C, k.S, k.U]), "?cluster=prod")
        expect(resp["allowed"] is True and "status" not in resp, resp)
        expect(resp["warnings"] == [k.S + ": scan_window (last scanned %s, more than 30 days ago)" % ts(days_ago(31)),
                                    k.U + ": scan_window (never scanned)"], resp)
        expect(k.answer(review([k.C])) == {"uid": UID, "allowed": True})
        e.policy(admission_mode="enforce")
        expect(k.answer(review([k.S]))["allowed"] is False)
        # a moving tag is checked through the build most recently seen under it
        latest = "registry.example.com/shop/web:latest"
        resp = k.answer(review([latest]))
        expect(resp["allowed"] is False and "never scanned" in resp["status"]["message"], resp)
        d = new_digest()
        e.scan(latest, d, days_ago(2))
        resp = k.answer(review([latest]))
        expect(resp["allowed"] is True and resp["warnings"] == [
            latest + ": a moving tag; muster checked its most recently seen build " + d], resp)
    finally:
        e.stop()


def test_real_fixtures():
    k = Cluster()
    e = k.e
    try:
        # connaisseur: a Pod pinned by a digest muster has never seen
        doc = json.loads(read_fixture("kubernetes", "connaisseur_02_pod.admissionreview.json"))
        image = doc["request"]["object"]["spec"]["containers"][0]["image"]
        resp = k.answer(doc)
        expect(resp["uid"] == "0c3331b6-1812-11ea-b3fc-02897404852e" and resp["allowed"] is False, resp)
        expect(resp["status"]["message"] == image + ": hardening (no hardening baseline is recorded for the"
               " image or its repository); " + image + ": scan_window (never scanned)", resp)
        # once that build is scanned and its repository hardened, it is admitted
        repo, digest = image.split("@")
        e.scan(repo + ":v1", digest, days_ago(5))
        e.harden("docker.io/" + repo)
        expect(k.answer(doc) == {"uid": "0c3331b6-1812-11ea-b3fc-02897404852e", "allowed": True})
        # salesforce: a :latest container and two init containers of one image
        doc = json.loads(read_fixture("kubernetes", "salesforce_admissionreview.json"))
        resp = k.answer(doc)
        msg = resp["status"]["message"]
        expect(resp["uid"] == "e94a7790-a4fc-11e9-a276-42010a3e0104" and resp["allowed"] is False, resp)
        expect(msg.count("gcr.io/gsf-mgmt-devmvp-spinnaker/dva/keymaker-client:latest: scan_window") == 1 and
               msg.count("791719295754.dkr.ecr.us-east-2.amazonaws.com/dva/pki_aws_bootstrap:6: scan_window") == 1,
               msg)
        # its namespace is not production in a cluster configured as development
        resp = k.answer(doc, "?cluster=dev")
        expect(resp["allowed"] is True and "namespace keymaker" in resp["warnings"][0], resp)
        # the authorization matrix of the route
        expect_error(k.ask(doc, token=e.viewer), 403)
        expect(k.ask(doc, token=e.s.admin_token).status == 200)
    finally:
        e.stop()


if __name__ == "__main__":
    main(globals())
