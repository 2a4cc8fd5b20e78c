"""mockserver: a mock vendor API server that serves every published telecom/CPaaS error."""

__version__ = "0.1.0"
