"""Peer GraphQL servers for the comparison benchmark, each a real process on the same fixture and stubs."""
