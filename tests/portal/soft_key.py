"""A WebAuthn authenticator in software, for the server's side of the ceremonies: an ES256 key pair, 'none'
attestation and a signature counter, answering the portal's options with exactly the JSON a browser sends
(WebAuthn Level 2, sections 6.1 and 6.5). The browser test uses Chromium's own virtual authenticator instead."""

from __future__ import annotations

import hashlib
import json
import secrets
from base64 import urlsafe_b64encode

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

ORIGIN = "http://testserver"
USER_PRESENT, ATTESTED = 0x01, 0x40


def b64(data: bytes) -> str:
    return urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftKey:
    def __init__(self) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = secrets.token_bytes(32)
        self.counter = 0

    @property
    def id(self) -> str:
        return b64(self.credential_id)

    def cose_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        x, y = numbers.x.to_bytes(32, "big"), numbers.y.to_bytes(32, "big")
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: x, -3: y})  # EC2, ES256, P-256

    def _client_data(self, kind: str, challenge: str, origin: str) -> bytes:
        return json.dumps({"type": kind, "challenge": challenge, "origin": origin, "crossOrigin": False}).encode()

    def create(self, options: dict, origin: str = ORIGIN) -> str:
        """navigator.credentials.create's answer to the registration ``options``."""
        rp_hash = hashlib.sha256(options["rp"]["id"].encode()).digest()
        attested = bytes(16) + len(self.credential_id).to_bytes(2, "big") + self.credential_id + self.cose_key()
        data = rp_hash + bytes([USER_PRESENT | ATTESTED]) + self.counter.to_bytes(4, "big") + attested
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": data})
        client = self._client_data("webauthn.create", options["challenge"], origin)
        response = {"clientDataJSON": b64(client), "attestationObject": b64(attestation), "transports": ["usb"]}
        return self._credential(response)

    def get(self, options: dict, origin: str = ORIGIN) -> str:
        """navigator.credentials.get's answer to the sign-in ``options``: the counter moves on, the key signs."""
        self.counter += 1
        data = (
            hashlib.sha256(options["rpId"].encode()).digest() + bytes([USER_PRESENT]) + self.counter.to_bytes(4, "big")
        )
        client = self._client_data("webauthn.get", options["challenge"], origin)
        signature = self.private.sign(data + hashlib.sha256(client).digest(), ec.ECDSA(hashes.SHA256()))
        response = {"clientDataJSON": b64(client), "authenticatorData": b64(data), "signature": b64(signature)}
        return self._credential(response)

    def _credential(self, response: dict) -> str:
        body = {"id": self.id, "rawId": self.id, "type": "public-key", "response": response}
        return json.dumps(body | {"clientExtensionResults": {}})
