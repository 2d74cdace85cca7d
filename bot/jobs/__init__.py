"""Scheduled work that is not a reply to a person: digests, the history sampler, threshold alerts, retention.

    runner.py    JobRunner: started by `okebot serve` on its stop event; each tick takes over expired leases,
                 plans and claims due digest occurrences, and runs the sampler once per interval
    digests.py   one digest occurrence: the shared read, history, build, render, post, chart
    sampler.py   one sampler pass: the shared read, samples, retention, alerts
    alerts.py    which series crossed a threshold or forecast, and the alert messages
    delivery.py  posting exactly once: claimed → posting → posted(ts) | failed, Slack metadata, resume by lookup
    read.py      the one read every job shares (capacity, findings, pending CNI nodes, samples)
    work.py      where CPU-heavy work runs (off the event loop)
    settings.py  OKEBOT_* scheduling settings

Each job runs inside the same audited tail as a slash command (bot.slack.pipeline.audited): user "okebot",
command "job:digest", "job:sample" or "job:alert"; a failure is logged with an error id and recorded, never lost.
The pure schedule maths is engine/digest/schedule.py; the claims are the store's (engine/ports.py DigestStore).
"""
