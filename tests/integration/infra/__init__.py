"""Tests proving the local replacements (Azurite, token endpoint, TLS) with the real Azure libraries."""
