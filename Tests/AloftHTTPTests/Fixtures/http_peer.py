"""A small real HTTP server for the HTTP client's tests (stdlib only), on TCP and a unix socket at once.

  /echo                  answers the request back as JSON: method, path, headers, body
  /flaky?key=K&fail=N    503 for the first N requests with that key, then 200 "ok"
  /throttle?key=K        429 with Retry-After: 0 once per key, then 200
  /status?code=N         answers with status N
  /slow?ms=N             waits N ms, then 200

Arguments: UNIX_SOCKET_PATH [CERT KEY] (with a certificate and key the TCP port speaks TLS).
Prints "PORT <port>" once both listeners are up; runs until killed.
"""
import json, os, socketserver, sys, threading, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlparse, parse_qs

# A test runner may spawn us with signals blocked (the mask is inherited): unblock them, so SIGTERM from
# the test (and for moto-peer.py, from whoever stops the server it starts) really stops us.
import signal as _signal
_signal.pthread_sigmask(_signal.SIG_SETMASK, set())

counts = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def address_string(self):
        return "peer"

    def answer(self, code, body, headers=()):
        data = body if isinstance(body, bytes) else body.encode()
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def bump(self, key):
        with lock:
            counts[key] = counts.get(key, 0) + 1
            return counts[key]

    def handle_any(self):
        url = urlparse(self.path)
        q = {k: v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        if url.path == "/echo":
            self.answer(200, json.dumps({"method": self.command, "client_port": self.client_address[1] if isinstance(self.client_address, tuple) else 0, "path": self.path, "body": body.decode("utf-8", "replace"),
                                         "headers": {k.lower(): v for k, v in self.headers.items()}}),
                        [("Content-Type", "application/json")])
        elif url.path == "/flaky":
            n = self.bump("flaky-" + q["key"])
            if n <= int(q["fail"]):
                self.answer(503, "try later")
            else:
                self.answer(200, "ok after %d" % n)
        elif url.path == "/throttle":
            n = self.bump("throttle-" + q["key"])
            if n == 1:
                self.answer(429, "slow down", [("Retry-After", "0")])
            else:
                self.answer(200, "ok")
        elif url.path == "/status":
            self.answer(int(q["code"]), "status %s" % q["code"])
        elif url.path == "/slow":
            time.sleep(int(q["ms"]) / 1000)
            self.answer(200, "slept")
        else:
            self.answer(404, "no such path")

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = do_PATCH = handle_any


class CountingServer(ThreadingHTTPServer):
    daemon_threads = True


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def exit_with_parent():
    # The test process may end without killing us (a crash, _exit); never outlive it.
    parent = os.getppid()
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(0)


def main():
    threading.Thread(target=exit_with_parent, daemon=True).start()
    unix_path = sys.argv[1]
    tcp = CountingServer(("127.0.0.1", 0), Handler)
    if len(sys.argv) > 3:  # CERT KEY: serve TLS on the TCP port
        import ssl
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(sys.argv[2], sys.argv[3])
        tcp.socket = tls.wrap_socket(tcp.socket, server_side=True)
    if os.path.exists(unix_path):
        os.unlink(unix_path)
    unix = UnixServer(unix_path, Handler)
    threading.Thread(target=unix.serve_forever, daemon=True).start()
    print("PORT %d" % tcp.server_address[1], flush=True)
    tcp.serve_forever()


main()
