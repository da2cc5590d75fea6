"""Performance harness (`make bench`): each target is a ratio against a baseline measured in the same run."""
