#!/usr/bin/env python3
"""A FAKE Kubernetes API server for Aloft's tests: no real kube-apiserver can run on these machines, so this
small program serves the part of the API Aloft's Kubernetes backends use, enforcing what a real server would,
and lets a test move objects through their phases. It is not Kubernetes: nothing is scheduled unless asked.

    fake-kube-apiserver.py --token TOKEN [--auto] [--kubelet] [--tls DIR]

Prints `PORT <n>` once it listens on 127.0.0.1: plain HTTP, or with --tls HTTPS with a certificate for
127.0.0.1 signed by a CA it makes (openssl), written with a client certificate and key signed by the same CA
to DIR/ca.crt, DIR/client.crt, DIR/client.key. A verified client certificate authenticates like the token.

Served, under /api/v1/namespaces/NS/pods and /apis/sparkoperator.k8s.io/v1beta2/namespaces/NS/sparkapplications:
  POST (create), GET (list, with labelSelector and resourceVersion), GET NAME, PUT NAME (replace), DELETE NAME.
Enforced: the bearer token (401), Content-Type application/json on bodies (415), known paths (404) and verbs
(405), the object's schema (apiVersion, kind, DNS-1123 names, required fields: 422 Invalid with a Status),
409 AlreadyExists on create, 404 NotFound, 410 Expired for a list resourceVersion older than the last
compaction, and 409 Conflict for a replace whose metadata.resourceVersion is not the current one.

Control endpoints (no token; tests only):
  POST /fake/drive {"resource": "pods"|"sparkapplications", "namespace", "name", "status": {...}}
       merges `status` into the object's status (a pod's phase and container states, an app's applicationState)
  POST /fake/fail {"status": 429|500|..., "count": N}   the next N API requests answer that status
  POST /fake/compact                                       list resourceVersions before now answer 410
  POST /fake/secret {"namespace", "name", "data": {K: V}}  a Secret the kubelet reads for envFrom
  GET  /fake/requests                                      every API request so far: [{method, path}]
  GET  /fake/object?resource=&namespace=&name=             an object, or 404
--auto: a pod goes Pending -> Running -> Succeeded (exit 0) and an app SUBMITTED -> RUNNING -> COMPLETED,
  one step per GET of it.
--kubelet: a created pod's container command runs HERE, as a local process (the "kubelet"), with the pod's
  env and envFrom secrets and ALOFT_POD_ROOT set to a private directory (see aloft-pod-entrypoint.py); the pod
  is Running while it runs, then Succeeded or Failed with its exit code and, on failure, the end of its output
  as the termination message (terminationMessagePolicy FallbackToLogsOnError). DELETE kills it.
"""
import argparse
import base64
import copy
import datetime
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
RESOURCES = {
    ("api/v1", "pods"): ("v1", "Pod"),
    ("apis/sparkoperator.k8s.io/v1beta2", "sparkapplications"): ("sparkoperator.k8s.io/v1beta2", "SparkApplication"),
}
PATH = re.compile(r"^/(api/v1|apis/sparkoperator\.k8s\.io/v1beta2)/namespaces/([^/]+)/([a-z]+)(?:/([^/]+))?$")


class Store:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.objects = {}  # (plural, ns, name) -> object
        self.revision = 1
        self.compacted = 0
        self.requests = []
        self.fail = []  # statuses to answer next
        self.secrets = {}
        self.processes = {}
        self.args = args

    def next_revision(self):
        self.revision += 1
        return str(self.revision)


def status(code, reason, message, details=None):
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code}
    if details:
        body["details"] = details
    return code, body


def invalid(kind, name, causes):
    message = "%s \"%s\" is invalid: %s" % (kind, name, "; ".join("%s: %s" % c for c in causes))
    return status(422, "Invalid", message, {"name": name, "kind": kind,
                                            "causes": [{"field": f, "message": m} for f, m in causes]})


def validate(plural, ns, obj, api_version, kind):
    causes = []
    if obj.get("apiVersion") != api_version:
        causes.append(("apiVersion", "must be %s" % api_version))
    if obj.get("kind") != kind:
        causes.append(("kind", "must be %s" % kind))
    meta = obj.get("metadata") or {}
    name = meta.get("name", "")
    if not name:
        causes.append(("metadata.name", "Required value"))
    elif len(name) > 253 or not DNS1123_SUBDOMAIN.match(name) or (plural == "sparkapplications" and len(name) > 63):
        causes.append(("metadata.name", "Invalid value: \"%s\": a lowercase RFC 1123 subdomain must consist of "
                       "lower case alphanumeric characters, '-' or '.'" % name))
    if meta.get("namespace") not in (None, ns):
        causes.append(("metadata.namespace", "does not match the namespace of the request"))
    for k, v in (meta.get("labels") or {}).items():
        if not isinstance(v, str) or len(v) > 63 or not LABEL_VALUE.match(v):
            causes.append(("metadata.labels", "Invalid value: \"%s\": a valid label value" % v))
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        causes.append(("spec", "Required value"))
        return name, causes
    if plural == "pods":
        containers = spec.get("containers")
        if not isinstance(containers, list) or not containers:
            causes.append(("spec.containers", "Required value"))
        for i, c in enumerate(containers or []):
            if not DNS1123_LABEL.match(c.get("name", "")):
                causes.append(("spec.containers[%d].name" % i, "Required value or not a DNS-1123 label"))
            if not c.get("image"):
                causes.append(("spec.containers[%d].image" % i, "Required value"))
            for j, e in enumerate(c.get("env") or []):
                if not e.get("name") or ("value" in e and not isinstance(e["value"], str)):
                    causes.append(("spec.containers[%d].env[%d]" % (i, j), "name required, value a string"))
            for key in ("command", "args"):
                if key in c and not all(isinstance(a, str) for a in c[key]):
                    causes.append(("spec.containers[%d].%s" % (i, key), "must be strings"))
            for part in ("requests", "limits"):
                for rk, rv in ((c.get("resources") or {}).get(part) or {}).items():
                    if not isinstance(rv, str) or not re.match(r"^[0-9.]+(m|Ki|Mi|Gi|Ti|k|M|G|T)?$", rv):
                        causes.append(("spec.containers[%d].resources.%s.%s" % (i, part, rk), "quantity"))
        if spec.get("restartPolicy", "Always") not in ("Always", "OnFailure", "Never"):
            causes.append(("spec.restartPolicy", "Unsupported value"))
        ads = spec.get("activeDeadlineSeconds")
        if ads is not None and (not isinstance(ads, int) or ads < 1):
            causes.append(("spec.activeDeadlineSeconds", "must be a positive integer"))
    else:
        if spec.get("type") not in ("Java", "Scala", "Python", "R"):
            causes.append(("spec.type", "Unsupported value: must be Java, Scala, Python or R"))
        if spec.get("mode", "cluster") not in ("cluster", "client"):
            causes.append(("spec.mode", "Unsupported value"))
        for key in ("mainApplicationFile", "sparkVersion", "driver", "executor"):
            if not spec.get(key):
                causes.append(("spec." + key, "Required value"))
        if spec.get("type") in ("Java", "Scala") and not spec.get("mainClass"):
            causes.append(("spec.mainClass", "Required value for Java and Scala applications"))
        for key in ("sparkConf", "hadoopConf"):
            if key in spec and not all(isinstance(v, str) for v in spec[key].values()):
                causes.append(("spec." + key, "values must be strings"))
        if "arguments" in spec and not all(isinstance(a, str) for a in spec["arguments"]):
            causes.append(("spec.arguments", "must be strings"))
    return name, causes


def matches(obj, selector):
    labels = obj.get("metadata", {}).get("labels") or {}
    for term in filter(None, selector.split(",")):
        if "!=" in term:
            k, v = term.split("!=", 1)
            if labels.get(k) == v:
                return False
        elif "=" in term:
            k, v = term.split("=", 1)
            if labels.get(k.rstrip("=")) != v:
                return False
        elif term not in labels:
            return False
    return True


def merge(target, patch):
    for k, v in patch.items():
        if isinstance(v, dict) and isinstance(target.get(k), dict):
            merge(target[k], v)
        else:
            target[k] = v


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")

    def do_PATCH(self):
        self.route("PATCH")

    def route(self, method):
        store = self.server.store
        url = urlparse(self.path)
        raw = self.body()
        if url.path.startswith("/fake/"):
            return self.answer(*self.control(method, url, raw))
        with store.lock:
            store.requests.append({"method": method, "path": url.path, "query": url.query})
            failing = store.fail.pop(0) if store.fail else None
        if failing:
            return self.answer(*status(failing, "TooManyRequests" if failing == 429 else "InternalError",
                                       "the fake server was told to fail this request"))
        client_cert = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        if self.headers.get("Authorization") != "Bearer " + self.server.token and not client_cert:
            return self.answer(*status(401, "Unauthorized", "Unauthorized"))
        m = PATH.match(url.path)
        if not m or (m.group(1), m.group(3)) not in RESOURCES:
            return self.answer(*status(404, "NotFound", "the server could not find the requested resource"))
        group, ns, plural, name = m.groups()
        api_version, kind = RESOURCES[(group, plural)]
        if not DNS1123_LABEL.match(ns):
            return self.answer(*status(404, "NotFound", "namespace %s is not valid" % ns))
        obj = None
        if method in ("POST", "PUT"):
            if (self.headers.get("Content-Type") or "").split(";")[0].strip() != "application/json":
                return self.answer(*status(415, "UnsupportedMediaType",
                                           "the body of a %s must be application/json" % method))
            try:
                obj = json.loads(raw)
                assert isinstance(obj, dict)
            except Exception:  # noqa: BLE001
                return self.answer(*status(400, "BadRequest", "the body is not a JSON object"))
        with store.lock:
            if method == "POST" and name is None:
                return self.answer(*self.create(plural, ns, obj, api_version, kind))
            if method == "GET" and name is None:
                return self.answer(*self.list(plural, ns, kind, parse_qs(url.query)))
            if name is None:
                return self.answer(*status(405, "MethodNotAllowed", "%s is not allowed on a collection" % method))
            key = (plural, ns, name)
            current = store.objects.get(key)
            if method == "GET":
                if current is None:
                    return self.answer(*status(404, "NotFound", "%s \"%s\" not found" % (plural, name),
                                               {"name": name, "kind": plural}))
                if store.args.auto:
                    self.advance(plural, current)
                return self.answer(200, current)
            if method == "PUT":
                if current is None:
                    return self.answer(*status(404, "NotFound", "%s \"%s\" not found" % (plural, name)))
                given = (obj.get("metadata") or {}).get("resourceVersion")
                if given != current["metadata"]["resourceVersion"]:
                    return self.answer(*status(
                        409, "Conflict", "Operation cannot be fulfilled on %s \"%s\": the object has been modified; "
                        "please apply your changes to the latest version and try again" % (plural, name)))
                n, causes = validate(plural, ns, obj, api_version, kind)
                if causes:
                    return self.answer(*invalid(kind, n, causes))
                obj["metadata"]["resourceVersion"] = store.next_revision()
                obj["status"] = current.get("status", {})
                store.objects[key] = obj
                return self.answer(200, obj)
            if method == "DELETE":
                if current is None:
                    return self.answer(*status(404, "NotFound", "%s \"%s\" not found" % (plural, name)))
                del store.objects[key]
                proc = store.processes.pop(key, None)
                if proc and proc.poll() is None:
                    os.killpg(proc.pid, signal.SIGKILL)
                return self.answer(200, current)
            return self.answer(*status(405, "MethodNotAllowed", "%s is not allowed" % method))

    def create(self, plural, ns, obj, api_version, kind):
        store = self.server.store
        name, causes = validate(plural, ns, obj, api_version, kind)
        if causes:
            return invalid(kind, name, causes)
        key = (plural, ns, name)
        if key in store.objects:
            return status(409, "AlreadyExists", "%s \"%s\" already exists" % (plural, name),
                          {"name": name, "kind": plural})
        obj = copy.deepcopy(obj)
        meta = obj["metadata"]
        meta.update({"namespace": ns, "uid": str(uuid.uuid4()), "resourceVersion": store.next_revision(),
                     "creationTimestamp": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")})
        obj["status"] = {"phase": "Pending"} if plural == "pods" else {}
        store.objects[key] = obj
        if plural == "pods" and store.args.kubelet:
            self.run_pod(key, obj)
        return 201, obj

    def list(self, plural, ns, kind, query):
        store = self.server.store
        rv = query.get("resourceVersion", [None])[0]
        if rv and rv != "0" and int(rv) < store.compacted:
            return status(410, "Expired", "too old resource version: %s (%d)" % (rv, store.compacted))
        selector = query.get("labelSelector", [""])[0]
        items = [o for (p, n, _), o in sorted(store.objects.items()) if p == plural and n == ns and matches(o, selector)]
        return 200, {"kind": kind + "List", "apiVersion": "v1", "metadata": {"resourceVersion": str(store.revision)},
                     "items": items}

    def advance(self, plural, obj):
        st = obj.setdefault("status", {})
        if plural == "pods" and not self.server.store.args.kubelet:
            nxt = {"Pending": "Running", "Running": "Succeeded"}.get(st.get("phase"))
            if nxt:
                st["phase"] = nxt
                state = {"running": {}} if nxt == "Running" else {"terminated": {"exitCode": 0, "reason": "Completed"}}
                st["containerStatuses"] = [{"name": "task", "state": state}]
        elif plural == "sparkapplications":
            current = (st.get("applicationState") or {}).get("state", "")
            nxt = {"": "SUBMITTED", "SUBMITTED": "RUNNING", "RUNNING": "COMPLETED"}.get(current)
            if nxt:
                st["applicationState"] = {"state": nxt}
                st["driverInfo"] = {"podName": obj["metadata"]["name"] + "-driver"}
        obj["metadata"]["resourceVersion"] = self.server.store.next_revision()

    def run_pod(self, key, pod):
        """The fake's "kubelet": runs the pod's one container as a local process."""
        store = self.server.store
        c = pod["spec"]["containers"][0]
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/tmp")}
        for source in c.get("envFrom") or []:
            ref = (source.get("secretRef") or {}).get("name")
            data = store.secrets.get((key[1], ref))
            if data is None:
                st = pod["status"]
                st["containerStatuses"] = [{"name": c["name"], "state": {"waiting": {
                    "reason": "CreateContainerConfigError", "message": "secret \"%s\" not found" % ref}}}]
                return
            env.update(data)
        for e in c.get("env") or []:
            env[e["name"]] = e.get("value", "")
        root = tempfile.mkdtemp(prefix="fake-kubelet-")
        env["ALOFT_POD_ROOT"] = root
        argv = (c.get("command") or []) + (c.get("args") or [])
        log = open(os.path.join(root, "pod.log"), "wb")
        try:
            proc = subprocess.Popen(argv, env=env, cwd=root, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        except OSError as e:
            pod["status"] = {"phase": "Failed", "containerStatuses": [{"name": c["name"], "state": {"terminated": {
                "exitCode": 128, "reason": "StartError", "message": str(e)}}}]}
            return
        store.processes[key] = proc
        pod["status"] = {"phase": "Running", "containerStatuses": [{"name": c["name"], "state": {"running": {}}}]}

        def wait():
            code = proc.wait()
            log.close()
            with store.lock:
                current = store.objects.get(key)
                if current is None or current["metadata"]["uid"] != pod["metadata"]["uid"]:
                    return
                text = open(os.path.join(root, "pod.log"), "rb").read().decode(errors="replace")
                terminated = {"exitCode": code if code >= 0 else 128 - code,
                              "reason": "Completed" if code == 0 else "Error"}
                if code != 0:
                    terminated["message"] = "\n".join(text.splitlines()[-10:])
                current["status"] = {"phase": "Succeeded" if code == 0 else "Failed",
                                     "containerStatuses": [{"name": c["name"], "state": {"terminated": terminated}}]}
                current["metadata"]["resourceVersion"] = store.next_revision()
            shutil.rmtree(root, ignore_errors=True)

        threading.Thread(target=wait, daemon=True).start()

    def control(self, method, url, raw):
        store = self.server.store
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return 400, {"error": "not JSON"}
        with store.lock:
            if url.path == "/fake/requests":
                return 200, store.requests
            if url.path == "/fake/object":
                q = parse_qs(url.query)
                obj = store.objects.get((q["resource"][0], q["namespace"][0], q["name"][0]))
                return (200, obj) if obj else (404, {"error": "no such object"})
            if url.path == "/fake/objects":
                return 200, [o for o in store.objects.values()]
            if url.path == "/fake/drive":
                key = (body["resource"], body["namespace"], body["name"])
                obj = store.objects.get(key)
                if obj is None:
                    return 404, {"error": "no such object %s" % (key,)}
                merge(obj.setdefault("status", {}), body["status"])
                obj["metadata"]["resourceVersion"] = store.next_revision()
                return 200, obj
            if url.path == "/fake/fail":
                store.fail += [int(body["status"])] * int(body.get("count", 1))
                return 200, {}
            if url.path == "/fake/compact":
                store.compacted = store.revision + 1
                store.next_revision()
                return 200, {"compacted": store.compacted}
            if url.path == "/fake/secret":
                store.secrets[(body["namespace"], body["name"])] = dict(body["data"])
                return 200, {}
        return 404, {"error": "unknown control endpoint %s" % url.path}


def make_certificates(directory):
    """A CA, a server certificate for 127.0.0.1 and a client certificate, both signed by the CA."""
    def openssl(*args):
        subprocess.run(["openssl"] + list(args), check=True, cwd=directory, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=fake-kube-ca",
            "-keyout", "ca.key", "-out", "ca.crt")
    for name, subject, ext in (("server", "/CN=127.0.0.1", "subjectAltName=IP:127.0.0.1"),
                               ("client", "/CN=aloft/O=aloft-tests", "extendedKeyUsage=clientAuth")):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-subj", subject, "-keyout", name + ".key",
                "-out", name + ".csr")
        with open(os.path.join(directory, name + ".ext"), "w") as f:
            f.write(ext + "\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                "-days", "1", "-extfile", name + ".ext", "-out", name + ".crt")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--token", required=True)
    parser.add_argument("--auto", action="store_true")
    parser.add_argument("--kubelet", action="store_true")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--tls", metavar="DIR")
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    if args.tls:
        import ssl
        os.makedirs(args.tls, exist_ok=True)
        make_certificates(args.tls)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(os.path.join(args.tls, "server.crt"), os.path.join(args.tls, "server.key"))
        context.load_verify_locations(os.path.join(args.tls, "ca.crt"))
        context.verify_mode = ssl.CERT_OPTIONAL
        server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    server.token = args.token
    server.store = Store(args)
    print("PORT %d" % server.server_address[1], flush=True)

    def stop(*_):
        for proc in list(server.store.processes.values()):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
        os._exit(0)

    # A parent may have blocked signals (the Swift test runner's threads do) and a child inherits its mask.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    signal.signal(signal.SIGTERM, stop)
    server.serve_forever()


if __name__ == "__main__":
    main()
