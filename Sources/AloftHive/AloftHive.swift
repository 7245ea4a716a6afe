// HiveServer2 client: placeholder.
