"""The google-cloud-bigquery side of `aloft-bench bigquery`: N parameterised query jobs against the same
bqemulator, each inserted under its own job id, waited for and its one row read, from a 16-thread pool
(AnonymousCredentials, as the emulator takes no token). Prints "<wall seconds> <client CPU seconds>".

    $ALOFT_PEERS/bigquery/bin/python scripts/bigquery-bench.py N ENDPOINT PROJECT RUN_ID
"""
import concurrent.futures, sys, time

from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

n, endpoint, project, run = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
client = bigquery.Client(project=project, credentials=AnonymousCredentials(), client_options=ClientOptions(api_endpoint=endpoint))


def job(i):
    config = bigquery.QueryJobConfig(query_parameters=[bigquery.ScalarQueryParameter("seed", "INT64", i)])
    j = client.query("SELECT @seed AS n", job_config=config, job_id="peer_%s_%d" % (run, i), job_retry=None)
    rows = list(j.result())
    assert rows[0]["n"] == i


t0, c0 = time.perf_counter(), time.process_time()
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(job, range(n)))
print(time.perf_counter() - t0, time.process_time() - c0)
