"""Replays recorded BigQuery REST answers, for the paths the emulator cannot take (it finishes jobs at once,
never answers 409, 401, quota or rate-limit errors), and relays to a real emulator for the rest. Tests that
use recorded answers say "OnRecordedResponses" in their names.

    python3 recorded_bigquery.py SCENARIO.json JOURNAL [UPSTREAM]

SCENARIO (re-read on every request): {"<route>": [answer, ...]} where route is jobs.insert, jobs.get,
jobs.cancel, jobs.getQueryResults or tables.get, and an answer is {"fixture": "<file in recorded/>"} (its
recorded response), {"status": N, "body": {...}, "headers": {...}}, or {"relay": true, "delay": SECONDS}
(send it on to UPSTREAM, after waiting). The n-th call of a route gets the n-th answer; the last repeats. A
route with no answers is relayed when there is an UPSTREAM. In recorded bodies "$JOB_ID" and "$PROJECT" are
replaced by the request's. Each request is journaled: "<route> <bearer token or -> <path> <body>".
Listens on 127.0.0.1 only; prints "PORT <port>"; exits with its parent.
"""
import json, os, re, sys, threading, time, urllib.request, urllib.error
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import signal as _signal
_signal.pthread_sigmask(_signal.SIG_SETMASK, set())

HERE = os.path.dirname(os.path.abspath(__file__))
scenario_path, journal_path = sys.argv[1], sys.argv[2]
upstream = sys.argv[3] if len(sys.argv) > 3 else None
counts = {}
lock = threading.Lock()

ROUTES = [
    ("POST", re.compile(r"^/bigquery/v2/projects/([^/]+)/jobs$"), "jobs.insert"),
    ("GET", re.compile(r"^/bigquery/v2/projects/([^/]+)/jobs/([^/]+)$"), "jobs.get"),
    ("POST", re.compile(r"^/bigquery/v2/projects/([^/]+)/jobs/([^/]+)/cancel$"), "jobs.cancel"),
    ("GET", re.compile(r"^/bigquery/v2/projects/([^/]+)/queries/([^/]+)$"), "jobs.getQueryResults"),
    ("GET", re.compile(r"^/bigquery/v2/projects/([^/]+)/datasets/[^/]+/tables/[^/]+$"), "tables.get"),
]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def handle_any(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        path = self.path.split("?")[0]
        route, project, job_id = "other", "", ""
        for m, pattern, name in ROUTES:
            match = pattern.match(path)
            if m == method and match:
                route, project = name, match.group(1)
                job_id = match.group(2) if match.lastindex and match.lastindex >= 2 else ""
                break
        if route == "jobs.insert" and body:
            job_id = json.loads(body).get("jobReference", {}).get("jobId", "")
        auth = self.headers.get("Authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else "-"
        with lock:
            n = counts.get(route, 0)
            counts[route] = n + 1
            with open(journal_path, "a") as j:
                j.write("%s %s %s %s\n" % (route, token, self.path, body.decode() if body else ""))
        with open(scenario_path) as f:
            answers = json.load(f).get(route)
        if not answers:
            if upstream:
                return self.relay(method, body)
            return self.answer(500, json.dumps({"error": {"code": 500, "message": "no recorded answer for " + route}}).encode())
        a = answers[min(n, len(answers) - 1)]
        if a.get("relay"):
            time.sleep(a.get("delay", 0))
            return self.relay(method, body)
        if "fixture" in a:
            with open(os.path.join(HERE, "recorded", a["fixture"])) as f:
                r = json.load(f)["response"]
            status, data, headers = r["status"], json.dumps(r["body"]), dict(r.get("headers", {}), **a.get("headers", {}))
        else:
            status, data, headers = a["status"], json.dumps(a.get("body", {})), a.get("headers", {})
        data = data.replace("$JOB_ID", job_id).replace("$PROJECT", project)
        self.answer(status, data.encode(), headers)

    def relay(self, method, body):
        request = urllib.request.Request(upstream + self.path, data=body if method == "POST" else None, method=method)
        for name in ("Content-Type", "Authorization"):
            if self.headers.get(name):
                request.add_header(name, self.headers[name])
        try:
            with urllib.request.urlopen(request, timeout=60) as r:
                status, data = r.status, r.read()
        except urllib.error.HTTPError as e:
            status, data = e.code, e.read()
        self.answer(status, data)

    def answer(self, status, data, headers={}):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def exit_with_parent():
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


threading.Thread(target=exit_with_parent, daemon=True).start()
server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
print("PORT %d" % server.server_address[1], flush=True)
server.serve_forever()
