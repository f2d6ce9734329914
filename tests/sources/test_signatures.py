"""``sources/signatures.py``: any header or token value, however malformed (surrogates,
non-ASCII, control characters), gives ``True`` or ``False``, never an exception; only the
right HMAC or token gives ``True``."""

from __future__ import annotations

import hashlib
import hmac

from hypothesis import given
from hypothesis import strategies as st

from leadline.sources import signatures

BODY = b'{"a": 1}'
SECRETS = ["old", "s3cret"]
GOOD = hmac.new(b"s3cret", BODY, hashlib.sha256).hexdigest()


@given(st.text())
def test_any_value_is_a_boolean(value: str) -> None:
    matched = signatures.prefixed_signature_ok(BODY, value, SECRETS)
    listed = signatures.any_signature_matches(BODY, [value, "v1=" + value], SECRETS)
    assert isinstance(matched, bool) and isinstance(listed, bool)
    assert not (matched or listed) or GOOD in value.lower()
    assert signatures.token_ok(value, SECRETS) is (value in SECRETS)


@given(st.text(alphabet=" \t=sShHaA256", max_size=12))
def test_only_the_right_signature_passes(prefix: str) -> None:
    value = prefix + GOOD
    expected = prefix.strip().partition("=")[0].strip().lower() == "sha256" and "=" in prefix
    assert signatures.prefixed_signature_ok(BODY, value, SECRETS) is (
        expected and prefix.partition("=")[2].strip(" \t") == ""
    )


def test_the_rules() -> None:
    ok = signatures.prefixed_signature_ok
    assert ok(BODY, f"sha256={GOOD}", SECRETS) and ok(BODY, f"SHA256={GOOD.upper()}", SECRETS)
    assert not ok(BODY, f"sha256={GOOD}", ["", "other"])
    assert not ok(BODY, f"sha1={GOOD}", SECRETS) and not ok(BODY, GOOD, SECRETS)
    assert signatures.any_signature_matches(BODY, ["zz", "é", GOOD], SECRETS)
    assert not signatures.token_ok("s3cret", []) and not signatures.token_ok("", [""])
    assert signatures.token_ok("s3cret", ["x", "s3cret"])
    assert not signatures.token_ok("s3cret\x00", SECRETS) and not signatures.token_ok(
        "S3CRET", SECRETS
    )
