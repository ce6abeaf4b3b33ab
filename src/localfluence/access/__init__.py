"""The only place that decides who sees and may change what."""
