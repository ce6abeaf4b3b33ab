"""Declarative seed files (YAML or JSON): users, groups, spaces, page trees, labels, restrictions."""

from localfluence.seeding.apply import SeedReport, apply_seed, seed_site
from localfluence.seeding.loader import Seed, SeedError, load_seed_file, parse_seed

__all__ = ["Seed", "SeedError", "SeedReport", "apply_seed", "load_seed_file", "parse_seed", "seed_site"]
