#!/usr/bin/env python3
"""Aloft's entrypoint for container tasks that run as Kubernetes pods (docs/kubernetes.md, "The pod's contract").

    aloft-pod-entrypoint.py -- COMMAND [ARG...]

1. Reads the attempt's manifest, s3://.../work/pod.json (its URI in $ALOFT_POD_MANIFEST), and downloads every
   blob input to /aloft/inputs/NAME (a dataset input: every object under its prefix, into that directory).
2. Writes /aloft/work/inputs.json (every input as plain JSON, blobs as those paths) and makes /aloft/out.
3. Runs COMMAND in /aloft/work; its stdout and stderr are the pod's log.
4. Uploads everything under /aloft/out to the attempt's output prefix (s3://.../out/), then exits with the
   command's exit code (70 when inputs or outputs could not be moved; the reason is on stderr).

Needs Python 3 and boto3 in the image; S3 credentials and endpoint from the standard AWS variables
(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL), or the pod's IAM role.
ALOFT_POD_ROOT moves /aloft elsewhere; only for running this outside a container (the tests' fake kubelet):
"/aloft/" in the arguments and environment is then rewritten to that directory.
"""
import json
import os
import subprocess
import sys

POD_ROOT = "/aloft"


def split(uri):
    if not uri.startswith("s3://"):
        raise ValueError("not an s3:// URI: %s" % uri)
    bucket, _, key = uri[len("s3://"):].partition("/")
    return bucket, key


def fail(message):
    print("aloft-pod-entrypoint: " + message, file=sys.stderr, flush=True)
    sys.exit(70)


def main(argv):
    if "--" in argv:
        argv = argv[argv.index("--") + 1:]
    if not argv:
        fail("no command: usage: aloft-pod-entrypoint.py -- COMMAND [ARG...]")
    root = os.environ.get("ALOFT_POD_ROOT", POD_ROOT).rstrip("/")

    def local(text):
        return text.replace(POD_ROOT + "/", root + "/") if root != POD_ROOT else text

    manifest_uri = os.environ.get("ALOFT_POD_MANIFEST")
    if not manifest_uri:
        fail("ALOFT_POD_MANIFEST is not set (the Aloft plugin sets it on the pod)")
    try:
        import boto3
    except ImportError:
        fail("boto3 is not installed in this image (pip install boto3)")
    s3 = boto3.client("s3")
    try:
        bucket, key = split(manifest_uri)
        manifest = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    except Exception as e:  # noqa: BLE001 - any failure here is reported the same way
        fail("cannot read the manifest %s: %s" % (manifest_uri, e))
    work, out = root + "/work", root + "/out"
    for d in (work, out, root + "/inputs"):
        os.makedirs(d, exist_ok=True)
    try:
        for item in manifest.get("downloads", []):
            bucket, key = split(item["uri"])
            path = local(item["path"])
            if item.get("directory"):
                prefix = key.rstrip("/") + "/"
                for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
                    for obj in page.get("Contents", []):
                        target = os.path.join(path, obj["Key"][len(prefix):])
                        os.makedirs(os.path.dirname(target), exist_ok=True)
                        s3.download_file(bucket, obj["Key"], target)
            else:
                os.makedirs(os.path.dirname(path), exist_ok=True)
                s3.download_file(bucket, key, path)
    except Exception as e:  # noqa: BLE001
        fail("cannot download the inputs: %s" % e)
    inputs = json.loads(local(json.dumps(manifest.get("inputs", {}))))
    with open(os.path.join(work, "inputs.json"), "w") as f:
        json.dump(inputs, f)
    env = {k: local(v) for k, v in os.environ.items()}
    code = subprocess.call([local(a) for a in argv], cwd=work, env=env)
    try:
        bucket, key = split(manifest["output_uri"])
        for directory, _, files in os.walk(out):
            for name in files:
                path = os.path.join(directory, name)
                s3.upload_file(path, bucket, key + os.path.relpath(path, out))
    except Exception as e:  # noqa: BLE001
        fail("the command exited with %d but its outputs could not be uploaded: %s" % (code, e))
    sys.exit(code if code >= 0 else 128 - code)


if __name__ == "__main__":
    main(sys.argv[1:])
