"""The signed envelope: what verify() accepts and each refusal with its Chinese reason; the key file."""
import base64
import json
import re
import stat

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from factories import in_app

from portal.exchange import signing
from portal.exchange.signing import PackageError

PAYLOAD = {"format": signing.FORMAT, "station": "520102-01", "month": "2026-10", "values": [
    {"dataElement": "REGISTERED", "period": "2026-10", "orgUnit": "520102-01", "breakdown": {}, "numerator": 15,
     "denominator": None}]}


@pytest.fixture
def key():
    return Ed25519PrivateKey.generate()


def registered(key):
    return signing.public_bytes(key)


def test_a_signed_package_verifies_with_the_registered_key(key):
    data = signing.sign(PAYLOAD, key)
    assert signing.verify(data, registered(key)) == PAYLOAD
    assert signing.verify(data, base64.b64encode(registered(key)).decode()) == PAYLOAD  # as the province stores it
    envelope = json.loads(data)
    assert set(envelope) == {"format", "payload", "signature", "key"} and envelope["format"] == "portal.package/2"
    assert data == signing.canonical(envelope)  # the file itself is canonical: sorted keys, no whitespace
    assert b" " not in data and b"\n" not in data


def test_the_file_is_the_canonical_envelope_with_chinese_and_breakdowns(key):
    """sign() lays the signed bytes into the envelope instead of encoding the payload twice: the file must be
    exactly the canonical JSON of the whole envelope, for text outside ASCII and nested breakdowns too."""
    payload = dict(PAYLOAD, station="520102-01", note="云岩区·第1站", values=[
        {"dataElement": "TESTS", "period": "2026-Q4", "orgUnit": "520102-01", "breakdown": {"sex": "F"},
         "numerator": 3, "denominator": 7}] + PAYLOAD["values"])
    data = signing.sign(payload, key)
    whole = {"format": payload["format"], "payload": payload, "key": base64.b64encode(registered(key)).decode(),
             "signature": base64.b64encode(key.sign(signing.canonical(payload))).decode()}
    assert data == signing.canonical(whole)
    assert signing.verify(data, registered(key)) == payload


def test_a_format_1_package_still_verifies_and_a_mixed_one_is_refused(key):
    """Stations not yet updated send format 1: it verifies as before; an envelope and payload that disagree do not."""
    old = dict(PAYLOAD, format="portal.package/1")
    data = signing.sign(old, key)
    assert json.loads(data)["format"] == "portal.package/1" and signing.verify(data, registered(key)) == old
    envelope = json.loads(data)
    envelope["format"] = "portal.package/2"
    with pytest.raises(PackageError, match="^报送包格式错误：文件的格式版本（portal.package/2）与内容的格式版本"):
        signing.verify(signing.canonical(envelope), registered(key))


def test_one_changed_digit_is_refused_as_tampered(key):
    data = signing.sign(PAYLOAD, key)
    tampered = data.replace(b'"numerator":15', b'"numerator":14')
    assert tampered != data
    with pytest.raises(PackageError, match="^报送包签名无效"):
        signing.verify(tampered, registered(key))
    with pytest.raises(PackageError, match="^报送包签名无效"):
        signing.verify(tampered)  # even without a registered key: the key in the file does not sign it


@pytest.mark.parametrize("bit", [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80])
def test_every_flipped_bit_is_refused(bit):
    """Of every byte, with fresh keys each time: a base64 character whose flip touches only the
    spare bits of the last group still differs, and is refused (one spelling only)."""
    for _ in range(3):
        key = Ed25519PrivateKey.generate()
        data = signing.sign(PAYLOAD, key)
        for i in range(len(data)):
            flipped = data[:i] + bytes([data[i] ^ bit]) + data[i + 1:]
            with pytest.raises(PackageError):
                signing.verify(flipped, registered(key))


def test_base64_with_spare_bits_set_is_refused(key):
    envelope = json.loads(signing.sign(PAYLOAD, key))
    text = envelope["key"]  # 32 bytes: 43 characters and "=", the last one with 2 spare bits
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    envelope["key"] = text[:42] + alphabet[alphabet.index(text[42]) ^ 1] + "="
    assert base64.b64decode(envelope["key"]) == base64.b64decode(text)
    with pytest.raises(PackageError, match="^报送包格式错误：公钥不是有效的 Base64 编码"):
        signing.verify(signing.canonical(envelope), registered(key))


def test_another_key_is_refused_with_both_fingerprints(key):
    other = Ed25519PrivateKey.generate()
    data = signing.sign(PAYLOAD, other)  # well signed, by a key the province never registered
    assert signing.verify(data) == PAYLOAD
    with pytest.raises(PackageError, match="^报送包不是用该工作站登记的密钥签名的") as refused:
        signing.verify(data, registered(key))
    assert signing.fingerprint(other) in str(refused.value) and signing.fingerprint(key) in str(refused.value)


def test_a_swapped_key_does_not_carry_the_signature(key):
    other = Ed25519PrivateKey.generate()
    envelope = json.loads(signing.sign(PAYLOAD, other))
    envelope["key"] = base64.b64encode(registered(key)).decode()
    with pytest.raises(PackageError, match="^报送包签名无效"):
        signing.verify(signing.canonical(envelope), registered(key))


@pytest.mark.parametrize("where", ["envelope", "payload"])
def test_an_unknown_format_version_is_refused(key, where):
    if where == "envelope":
        envelope = json.loads(signing.sign(PAYLOAD, key))
        envelope["format"] = "portal.package/3"
        data = signing.canonical(envelope)
    else:
        data = signing.sign(dict(PAYLOAD, format="portal.package/3"), key)
    with pytest.raises(PackageError, match="^报送包格式版本“portal.package/3”无法识别"):
        signing.verify(data, registered(key))


@pytest.mark.parametrize("mutate", [
    lambda d: b"not json",
    lambda d: b"\xff\xfe" + d,
    lambda d: b"[1, 2]",
    lambda d: json.dumps({"format": signing.FORMAT}).encode(),
    lambda d: json.dumps(dict(json.loads(d), extra=1)).encode(),
    lambda d: json.dumps(dict(json.loads(d), signature="***")).encode(),
    lambda d: json.dumps(dict(json.loads(d), key=base64.b64encode(b"short").decode())).encode(),
    lambda d: json.dumps(dict(json.loads(d), payload=[1])).encode(),
])
def test_a_malformed_file_is_refused(key, mutate):
    with pytest.raises(PackageError, match="^报送包格式错误"):
        signing.verify(mutate(signing.sign(PAYLOAD, key)), registered(key))


def test_a_file_as_signed_is_checked_over_its_own_payload_bytes_and_any_other_spelling_canonically(key):
    data = signing.sign(PAYLOAD, key)
    envelope, signed = signing.open_envelope(data)
    assert signed == signing.canonical(PAYLOAD) and envelope == json.loads(data)  # one parse, the same envelope
    spelled = json.dumps(json.loads(data), indent=2, ensure_ascii=True).encode()  # the same JSON, spelled otherwise
    assert signing.open_envelope(spelled)[1] is None and signing.verify(spelled, registered(key)) == PAYLOAD
    inside = data.replace(b'"numerator":15', b'"numerator": 15')  # the layout kept, the payload spelled otherwise
    assert signing.open_envelope(inside)[1] != signing.canonical(PAYLOAD)
    assert signing.verify(inside, registered(key)) == PAYLOAD  # its canonical form is what was signed


@pytest.mark.parametrize("splice", [
    lambda p: p.replace(b'"numerator":15', b'"numerator":16'),  # a changed count
    lambda p: p[:-1] + b',"station":"520103-01"}',  # a duplicate key that json.loads would let win
    lambda p: p + b',"payload":' + p,  # a second payload inside the layout
])
def test_a_file_in_the_signed_layout_with_other_payload_bytes_is_refused(key, splice):
    data = signing.sign(PAYLOAD, key)
    payload = signing.canonical(PAYLOAD)
    assert splice(payload) != payload
    with pytest.raises(PackageError, match="^报送包(签名无效|格式错误)"):
        signing.verify(data.replace(payload, splice(payload)), registered(key))


def test_the_station_key_is_made_once_beside_the_database_mode_0600(app):
    with app.app_context():
        assert signing.load_key() is None
        key, made = signing.make_key()
        again, made_again = signing.make_key()
        path = signing.key_path()
    assert made and not made_again and registered(key) == registered(again)
    assert path.name == "station-ed25519.pem" and path.parent == signing.Path(app.config["DATABASE"]).parent
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert re.fullmatch(r"([0-9a-f]{4} ){15}[0-9a-f]{4}", in_app(lambda: signing.fingerprint(signing.load_key()))())
