"""The bundled demo data: the demo tenancy snapshot (`demo-tenancy.json`) and its capacity history (`history.py`)."""
