"""Self-signed X.509 certificates made by a test: for a local HTTPS server, or a JWT key given as a certificate."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.x509.oid import NameOID


def self_signed_pem(private_key: Any, common_name: str, dns_names: Sequence[str] = ()) -> bytes:
    """A certificate of ``private_key``'s public key, signed by itself, valid from a day ago for two days.

    With ``dns_names`` it names those hosts (subject alternative names) and may sign others, as a
    server's certificate a client is told to trust.
    """
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
    if dns_names:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(host) for host in dns_names]), critical=False
        ).add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    return builder.sign(private_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
