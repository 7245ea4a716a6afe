"""Replays recorded AWS JSON 1.1 answers, for the paths moto cannot take (it completes SageMaker jobs at once
and does not implement StopTrainingJob). Tests that use it say "OnRecordedResponses" in their names.

    python3 recorded_aws.py SCENARIO.json JOURNAL

SCENARIO (re-read on every request, so a test may change it between runs): {"<X-Amz-Target>": [answer, ...]}
where an answer is {"fixture": "<file in Tests/AloftAWSTests/Fixtures/sagemaker>"} (its recorded response) or
{"status": N, "body": {...}} with optional "headers": {...}. The n-th call of a target gets the n-th answer;
the last one repeats. Every request must carry a SigV4 Authorization header; each call's target is appended
to JOURNAL.
Prints "PORT <port>"; exits when its parent does.
"""
import json, os, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# A test runner may spawn us with signals blocked (the mask is inherited): unblock them, so SIGTERM from
# the test (and for moto-peer.py, from whoever stops the server it starts) really stops us.
import signal as _signal
_signal.pthread_sigmask(_signal.SIG_SETMASK, set())

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(HERE, "..", "..", "AloftAWSTests", "Fixtures", "sagemaker")
scenario_path, journal_path = sys.argv[1], sys.argv[2]
counts = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without TCP_NODELAY the body waits for the client's delayed ACK
    # (40 ms a call on a kept-alive connection).
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        auth = self.headers.get("Authorization", "")
        if not auth.startswith("AWS4-HMAC-SHA256 Credential="):
            return self.answer(403, {"__type": "MissingAuthenticationTokenException", "message": "unsigned request"})
        with lock:
            n = counts.get(target, 0)
            counts[target] = n + 1
            with open(journal_path, "a") as j:
                j.write(target + " " + body.decode() + "\n")
        with open(scenario_path) as f:
            answers = json.load(f).get(target)
        if not answers:
            return self.answer(500, {"__type": "InternalFailure", "message": "no recorded answer for " + target})
        a = answers[min(n, len(answers) - 1)]
        if "fixture" in a:
            with open(os.path.join(FIXTURES, a["fixture"])) as f:
                r = json.load(f)["response"]
            return self.answer(r["status"], r["body"], raw=True)
        return self.answer(a["status"], a.get("body", {}), headers=a.get("headers", {}))

    def answer(self, status, body, raw=False, headers={}):
        data = (body if raw else json.dumps(body)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
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
