"""The instance's own certificate authority and its server's certificate (scripts/install.py), made with openssl.
Standard library only, like install.py."""
import os
import subprocess

from install_files import STATION


def make_certificates(tls, address, hostname, kind=STATION):
    """The instance's own certificate authority and the server's certificate for its address and name
    (openssl); kept if they exist. Returns the CA certificate's SHA-256 fingerprint."""
    tls.mkdir(parents=True, exist_ok=True)
    os.chmod(tls, 0o755)
    ca_key, ca_crt, key, csr, crt = (tls / n for n in ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt"))
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    if not ca_crt.exists():
        run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650",
            "-subj", "/CN=%s %s" % (kind.ca, hostname), "-utf8", "-keyout", str(ca_key), "-out", str(ca_crt),
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign")
    if not crt.exists():
        run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=%s" % hostname,
            "-keyout", str(key), "-out", str(csr))
        extensions = tls / "server.ext"
        extensions.write_text("subjectAltName=IP:%s,DNS:%s\nextendedKeyUsage=serverAuth\n"
                              "basicConstraints=CA:FALSE\n" % (address, hostname))
        run("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key), "-CAcreateserial",
            "-days", "825", "-extfile", str(extensions), "-out", str(crt))
    for path, mode in ((ca_key, 0o600), (key, 0o600), (ca_crt, 0o644), (crt, 0o644)):
        os.chmod(path, mode)
    out = run("x509", "-in", str(ca_crt), "-noout", "-fingerprint", "-sha256").stdout.decode()
    return out.strip().split("=", 1)[1]
