#!/usr/bin/env python3
"""Start a moto_server with real SigV4 checking and hand back credentials for it.

    python3 scripts/moto-peer.py [PORT] [--log FILE] [--host 127.0.0.1] [--no-auth]

Starts `moto_server -H HOST -p PORT` (a free port when PORT is omitted) detached in its own
process group with its output in --log, waits until it answers, then bootstraps IAM:

  * INITIAL_NO_AUTH_ACTION_COUNT=4: moto lets exactly the first 4 AWS actions through without
    checking their signature (requests to /moto-api/ do not count). They are CreateUser,
    CreatePolicy (Allow * on *), AttachUserPolicy and CreateAccessKey, sent by boto3 with
    throw-away credentials (moto routes a request by the service in its credential scope, so
    the bootstrap requests are signed, just not checked).
  * From the 5th action on every request must be signed with a known key: CreateRole (the
    SageMaker execution role) is sent with the new key, which proves the key works, and a
    request with a wrong secret is checked to fail with 403 SignatureDoesNotMatch.

Then prints ONE line of JSON to stdout and exits, leaving the server running:

  {"endpoint": "http://127.0.0.1:PORT", "pid": N, "access_key_id": "...",
   "secret_access_key": "...", "role_arn": "...", "region": "us-east-1",
   "account_id": "123456789012", "log": "..."}

Stop the server with `kill -- -PID` (its process group) or `kill PID`.
--no-auth leaves INITIAL_NO_AUTH_ACTION_COUNT unset: moto then checks no signature at all
(useful for S3 keys or list prefixes that moto's checker mis-handles, see
Tests/AloftAWSTests/Fixtures/NOTES.md). Needs boto3 and moto[server] 5.2.x.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

# A test runner may spawn us with signals blocked (the mask is inherited): unblock them, so SIGTERM from
# the test (and for moto-peer.py, from whoever stops the server it starts) really stops us.
import signal as _signal
_signal.pthread_sigmask(_signal.SIG_SETMASK, set())

NO_AUTH_ACTIONS = 4  # CreateUser, CreatePolicy, AttachUserPolicy, CreateAccessKey
REGION = "us-east-1"
ADMIN_POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
SAGEMAKER_TRUST = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}
ROLE_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:*", "logs:*", "ecr:*", "cloudwatch:*"], "Resource": "*"}],
}


def free_port(host):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_in_use(host, port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.2)
        return s.connect_ex((host, port)) == 0


def fail(msg, proc=None, log=None):
    print("moto-peer: " + msg, file=sys.stderr)
    if log and os.path.exists(log):
        with open(log, "r", errors="replace") as f:
            tail = f.read()[-2000:]
        print("moto-peer: last lines of %s:\n%s" % (log, tail), file=sys.stderr)
    if proc is not None and proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)  # the server's own process group (start_new_session)
        except ProcessLookupError:
            pass
    sys.exit(1)


def wait_ready(proc, base, log, timeout):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            fail("moto_server exited with status %s before answering" % proc.returncode, None, log)
        try:
            with urllib.request.urlopen(base + "/moto-api/", timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, socket.timeout, OSError):
            pass
        time.sleep(0.05)
    fail("moto_server did not answer on %s within %ss" % (base, timeout), proc, log)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("port", nargs="?", type=int, help="port (default: a free one)")
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--log", help="server log file (default: a new file under $TMPDIR)")
    ap.add_argument("--timeout", type=float, default=20.0, help="seconds to wait for the server")
    ap.add_argument("--no-auth", action="store_true", help="do not check signatures at all")
    args = ap.parse_args()

    try:
        import boto3
        import botocore
        from botocore.config import Config
    except ImportError as e:
        fail("needs boto3/botocore: %s" % e)
    exe = shutil.which("moto_server")
    if not exe:
        fail("moto_server is not on PATH (pip install 'moto[server]>=5.2,<5.3')")

    port = args.port or free_port(args.host)
    if port_in_use(args.host, port):
        fail("port %d on %s is already in use" % (port, args.host))
    log = args.log or os.path.join(tempfile.gettempdir(), "moto-peer-%d.log" % port)
    log = os.path.abspath(log)
    os.makedirs(os.path.dirname(log), exist_ok=True)

    env = dict(os.environ)
    env.pop("INITIAL_NO_AUTH_ACTION_COUNT", None)
    if not args.no_auth:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(NO_AUTH_ACTIONS)
    with open(log, "ab") as logf, open(os.devnull, "rb") as devnull:
        proc = subprocess.Popen(
            [exe, "-H", args.host, "-p", str(port)],
            stdin=devnull, stdout=logf, stderr=subprocess.STDOUT, env=env,
            start_new_session=True, close_fds=True,
        )
    base = "http://%s:%d" % (args.host, port)
    wait_ready(proc, base, log, args.timeout)

    cfg = Config(retries={"max_attempts": 1, "mode": "standard"}, connect_timeout=5, read_timeout=15)

    def client(service, key, secret):
        return boto3.client(service, endpoint_url=base, region_name=REGION,
                            aws_access_key_id=key, aws_secret_access_key=secret, config=cfg)

    try:
        # The unchecked phase: exactly NO_AUTH_ACTIONS requests, signed with throw-away credentials.
        boot = client("iam", "bootstrap", "bootstrap")
        boot.create_user(UserName="aloft")
        policy = boot.create_policy(PolicyName="aloft-admin", PolicyDocument=json.dumps(ADMIN_POLICY))
        boot.attach_user_policy(UserName="aloft", PolicyArn=policy["Policy"]["Arn"])
        key = boot.create_access_key(UserName="aloft")["AccessKey"]
        ak, sk = key["AccessKeyId"], key["SecretAccessKey"]

        # From here on signatures are checked: the role is created with the new key.
        iam = client("iam", ak, sk)
        role = iam.create_role(RoleName="aloft-sagemaker-execution",
                               AssumeRolePolicyDocument=json.dumps(SAGEMAKER_TRUST),
                               Description="SageMaker execution role for Aloft tests")["Role"]
        iam.put_role_policy(RoleName=role["RoleName"], PolicyName="aloft-sagemaker-access",
                            PolicyDocument=json.dumps(ROLE_POLICY))
        if not args.no_auth:
            try:
                client("sagemaker", ak, "x" * 40).list_training_jobs(MaxResults=1)
                fail("a wrong secret was accepted: signature checking is not on", proc, log)
            except botocore.exceptions.ClientError as e:
                status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
                if status != 403 or "SignatureDoesNotMatch" not in str(e):
                    fail("a wrong secret gave %s, not 403 SignatureDoesNotMatch: %s" % (status, e), proc, log)
    except SystemExit:
        raise
    except Exception as e:  # noqa: BLE001 - anything here means the peer is unusable
        fail("bootstrapping IAM failed: %s: %s" % (type(e).__name__, e), proc, log)

    out = {
        "endpoint": base,
        "pid": proc.pid,
        "access_key_id": ak,
        "secret_access_key": sk,
        "role_arn": role["Arn"],
        "region": REGION,
        "account_id": role["Arn"].split(":")[4],
        "log": log,
    }
    sys.stdout.write(json.dumps(out) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
