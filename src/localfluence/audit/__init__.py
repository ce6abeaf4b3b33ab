"""The audit log (tag "Audit"): administrative and permission-relevant changes, fed by the event
outbox, plus records apps create; filtered reads, CSV/ZIP export, retention."""
