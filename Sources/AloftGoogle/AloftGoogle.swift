// Google Cloud auth and BigQuery: placeholder.
