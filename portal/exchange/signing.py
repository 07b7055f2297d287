"""The station's Ed25519 key and the signed envelope of a package: canonical JSON, sign, verify.

The private key lives beside the database (`station-ed25519.pem`, mode 0600), made once by
`flask --app portal init-db` or `station-key`, or by the first package. The province registers its
public key by the fingerprint shown on the settings page; `verify()` is what it runs on a file.
"""
import base64
import binascii
import hashlib
import json
import os
import re
from pathlib import Path

import orjson
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from flask import current_app

FORMAT = "portal.package/2"  # the version this code writes: with the quarter to date (docs/package.md)
FORMATS = ("portal.package/1", FORMAT)  # the versions it reads
KEY_FILE = "station-ed25519.pem"
ENVELOPE = ("format", "key", "payload", "signature")
# the file exactly as sign() writes it (canonical JSON: sorted keys, no whitespace); the payload is the bytes signed
SIGNED_LAYOUT = re.compile(rb'\{"format":"(?P<format>[!#-\[\]-~]*)","key":"(?P<key>[A-Za-z0-9+/=]*)",'
                           rb'"payload":(?P<payload>\{.*\}),"signature":"(?P<signature>[A-Za-z0-9+/=]*)"\}\Z', re.S)


class PackageError(Exception):
    """A package that must be refused; the message says why, in Chinese."""


def unknown_format(version):
    return PackageError("报送包格式版本“%s”无法识别（本系统支持 %s）。" % (str(version)[:40], "、".join(FORMATS)))


def canonical(value):
    """The bytes that are signed: JSON with sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def key_path():
    return Path(current_app.config["DATABASE"]).resolve().parent / KEY_FILE


def load_key():
    """The station's private key, or None when it has not been made yet."""
    path = key_path()
    if not path.exists():
        return None
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def make_key():
    """Load the station's key, making it first when missing: (key, made now?)."""
    key = load_key()
    if key is not None:
        return key, False
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:  # O_EXCL: two processes making the key at once keep the first one's
        fd = os.open(key_path(), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return load_key(), False
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key, True


def public_bytes(key):
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(key):
    """SHA-256 of the raw public key, in groups of four hex digits (read aloud for registration)."""
    digest = hashlib.sha256(public_bytes(key)).hexdigest()
    return " ".join(digest[i:i + 4] for i in range(0, len(digest), 4))


def sign(payload, key):
    """The file's bytes: the payload with its signature and the public key, canonical JSON. The payload is
    encoded once: the bytes signed are laid into the envelope as they are (sorted keys put it third, as
    SIGNED_LAYOUT reads it), not encoded a second time."""
    signed = canonical(payload)
    return b'{"format":%s,"key":%s,"payload":%s,"signature":%s}' % (
        canonical(payload.get("format", FORMAT)), canonical(base64.b64encode(public_bytes(key)).decode("ascii")),
        signed, canonical(base64.b64encode(key.sign(signed)).decode("ascii")))


def _b64(text, what):
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (AttributeError, UnicodeEncodeError, binascii.Error):
        raw = None
    if raw is None or base64.b64encode(raw).decode("ascii") != text:  # one spelling only: no spare bits
        raise PackageError("报送包格式错误：%s不是有效的 Base64 编码。" % what)
    return raw


def open_envelope(data):
    """The envelope of a package file (bytes), its form checked but not yet its signature: (envelope, the bytes
    the signature covers, or None). A file laid out as `sign()` writes it is parsed once and its payload's own
    bytes are verified (they are the canonical form the station signed); any other spelling is parsed whole and
    its payload re-encoded canonically, as is a laid-out payload whose own bytes do not verify."""
    laid_out = SIGNED_LAYOUT.match(data)
    try:  # orjson: a 215 KB payload parsed in a third of the time json takes; it checks the UTF-8 itself
        if laid_out:
            envelope = {"format": laid_out["format"].decode("ascii"), "key": laid_out["key"].decode("ascii"),
                        "payload": orjson.loads(laid_out["payload"]),
                        "signature": laid_out["signature"].decode("ascii")}
        else:
            envelope = orjson.loads(data)
    except (UnicodeDecodeError, ValueError):
        raise PackageError("报送包格式错误：文件不是有效的 UTF-8 JSON。") from None
    if not isinstance(envelope, dict) or not {"format", "payload"} <= set(envelope):
        raise PackageError("报送包格式错误：缺少格式版本或内容。")
    if envelope["format"] not in FORMATS:
        raise unknown_format(envelope["format"])
    if set(envelope) != set(ENVELOPE) or not isinstance(envelope["payload"], dict):
        raise PackageError("报送包格式错误：应当只有 format、payload、signature、key 四项。")
    return envelope, laid_out["payload"] if laid_out else None


def _signs(public, signature, message):
    try:
        return message is not None and public.verify(signature, message) is None
    except InvalidSignature:
        return False


def check_signature(envelope, signed, registered_key=None):
    """The envelope's payload, after checking its signature and, when given, that it was signed with the
    station's registered public key (raw 32 bytes or base64). Raises PackageError with the reason in Chinese."""
    signature, raw_key = _b64(envelope["signature"], "签名"), _b64(envelope["key"], "公钥")
    if len(raw_key) != 32 or len(signature) != 64:
        raise PackageError("报送包格式错误：公钥或签名的长度不对（Ed25519 公钥 32 字节、签名 64 字节）。")
    if registered_key is not None:
        expected = registered_key if isinstance(registered_key, bytes) else _b64(registered_key, "登记的公钥")
        if len(expected) != 32:
            raise PackageError("登记的公钥无效：Ed25519 公钥应为 32 字节。")
        if raw_key != expected:
            raise PackageError("报送包不是用该工作站登记的密钥签名的（包内公钥指纹 %s，登记的为 %s）。" % (
                fingerprint(Ed25519PublicKey.from_public_bytes(raw_key)),
                fingerprint(Ed25519PublicKey.from_public_bytes(expected))))
    public = Ed25519PublicKey.from_public_bytes(raw_key)  # the payload's own bytes, else its canonical form:
    if not _signs(public, signature, signed) and not _signs(public, signature, canonical(envelope["payload"])):
        raise PackageError("报送包签名无效：内容在签名后被改动过，或签名已损坏。")
    if envelope["payload"].get("format") not in FORMATS:
        raise unknown_format(envelope["payload"].get("format"))
    if envelope["payload"]["format"] != envelope["format"]:
        raise PackageError("报送包格式错误：文件的格式版本（%s）与内容的格式版本（%s）不一致。" % (
            envelope["format"], envelope["payload"]["format"]))
    return envelope["payload"]


def verify(data, registered_key=None):
    """The payload of a package file (bytes), after checking its form, version and signature, and,
    when given, that it was signed with the station's registered public key (raw 32 bytes or
    base64). Raises PackageError with the reason in Chinese."""
    return check_signature(*open_envelope(data), registered_key)
