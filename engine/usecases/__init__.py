"""Use cases: each answers one question from a tenancy that was read once, purely.

The bot reads the tenancy (through the `TenancyReader` port), authorises against that read, and hands it to
the use case of the question: `clusters.list_clusters`, `capacity.assess_capacity`, `cni.cni_status`,
`diagnose.diagnose`, `whatif.whatif`, `validate.validate_plan`. Import them from their modules.
"""
