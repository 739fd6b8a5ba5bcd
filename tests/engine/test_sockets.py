"""An idle kept-alive connection is reusable until its peer closes it or sends what was not asked for."""

import os
import resource
import socket

import pytest

from engine.sockets import closed_by_peer


@pytest.fixture
def pair():
    ours, theirs = socket.socketpair()
    yield ours, theirs
    ours.close()
    theirs.close()


def test_an_idle_connection_is_open(pair):
    ours, _ = pair

    assert not closed_by_peer(ours.fileno())


def test_a_connection_its_peer_closed_is_not_reused(pair):
    ours, theirs = pair
    theirs.close()

    assert closed_by_peer(ours.fileno())


def test_unasked_for_bytes_mean_the_connection_cannot_carry_a_request(pair):
    ours, theirs = pair
    theirs.sendall(b"HTTP/1.1 408 Request Timeout\r\n\r\n")

    assert closed_by_peer(ours.fileno())


def test_a_descriptor_past_1023_is_checked(pair):
    ours, theirs = pair
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard <= 2000:
        pytest.skip("this process may not open descriptors past 2,000")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 2001), hard))
    high = os.dup2(ours.fileno(), 2000)
    try:
        assert not closed_by_peer(high)
        theirs.close()
        assert closed_by_peer(high)
    finally:
        os.close(high)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
