"""How trialfinder is served: nginx in front of several dashboard processes (see README)."""
