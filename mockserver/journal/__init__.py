"""The request journal: redacted entries, the recorder that writes them, queries that read them."""
