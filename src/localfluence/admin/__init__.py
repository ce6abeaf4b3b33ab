"""The /_localfluence test-double namespace: reset, snapshots, seed, faults, clock, journal, tasks."""
