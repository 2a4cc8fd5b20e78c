"""What the server tells operators: logs, the access log and Prometheus metrics."""
