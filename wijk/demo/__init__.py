"""The `flask demo` command: demo content read from content.toml (content.py checks it,
seed.py turns it into rows) and, with `--activities N`, benchmark data drawn at random
from vocabulary.toml (bulk.py). The command itself is in commands.py."""
