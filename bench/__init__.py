"""Benchmarks of Joinery against the floor of each workload, measured in the same run."""
