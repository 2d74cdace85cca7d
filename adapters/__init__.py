"""Adapters: OCI, Kubernetes, snapshot files and stores, turned into engine models."""
