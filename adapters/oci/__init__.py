"""The read-only OCI adapter: records a live tenancy as a snapshot document and reads it as a `Tenancy`."""
