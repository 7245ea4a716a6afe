"""An OAuth 2.0 token endpoint for service accounts, as Google's answers it (jwt-bearer grant), that really
checks the assertion: RS256 signature against the test key's public half, the claims (iss, aud, scope, iat,
exp) and its expiry. Refusals are Google's shape: 400 {"error": "invalid_grant", "error_description": ...}.

    python3 token_endpoint.py PUBLIC_KEY.pem CLIENT_EMAIL JOURNAL [EXPIRES_IN]

Every token it issues is appended to JOURNAL ("issued <token>"), every refusal as "refused <reason>", so tests
can count fetches and grep for the tokens. Listens on 127.0.0.1 only; prints "PORT <port>"; exits with its parent.
"""
import base64, json, os, secrets, sys, threading, time, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import signal as _signal
_signal.pthread_sigmask(_signal.SIG_SETMASK, set())

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.exceptions import InvalidSignature

public_key_path, client_email, journal_path = sys.argv[1], sys.argv[2], sys.argv[3]
expires_in = int(sys.argv[4]) if len(sys.argv) > 4 else 3600
with open(public_key_path, "rb") as f:
    public_key = serialization.load_pem_public_key(f.read())
lock = threading.Lock()


def b64url(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def journal(line):
    with lock, open(journal_path, "a") as j:
        j.write(line + "\n")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        audience = "http://127.0.0.1:%d%s" % (self.server.server_address[1], self.path)
        reason = self.check(form, audience)
        if reason:
            journal("refused " + reason)
            return self.answer(400, {"error": "invalid_grant", "error_description": reason})
        token = "ya29.test-" + secrets.token_hex(24)
        journal("issued " + token)
        self.answer(200, {"access_token": token, "expires_in": expires_in, "token_type": "Bearer"})

    def check(self, form, audience):
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return "Invalid grant_type"
        parts = (form.get("assertion") or [""])[0].split(".")
        if len(parts) != 3:
            return "Invalid JWT: not three parts"
        header, claims = json.loads(b64url(parts[0])), json.loads(b64url(parts[1]))
        if header.get("alg") != "RS256":
            return "Invalid JWT: alg must be RS256"
        try:
            public_key.verify(b64url(parts[2]), (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return "Invalid JWT Signature."
        now = time.time()
        if claims.get("iss") != client_email:
            return "Invalid JWT: iss is not the service account"
        if claims.get("aud") != audience:
            return "Invalid JWT: aud is %r, not this endpoint" % claims.get("aud")
        if "https://www.googleapis.com/auth/bigquery" not in claims.get("scope", "").split():
            return "Invalid JWT: no bigquery scope"
        iat, exp = claims.get("iat", 0), claims.get("exp", 0)
        if iat > now + 60 or exp < now or exp - iat > 3600:
            return "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
        return None

    def answer(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
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
