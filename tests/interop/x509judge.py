#!/usr/bin/python3
# x509judge: an independent check of an ecert PKI directory using Debian's python3-cryptography (38).
import glob
import json
import os
import sys

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.x509.oid import NameOID

OID_DESCRIPTION = x509.ObjectIdentifier("2.5.4.13")
counts = {"ok": 0, "failed": 0}


def ok(f, what):
    counts["ok"] += 1
    print(f"ok   {f}: {what}")


def fail(f, why):
    counts["failed"] += 1
    print(f"FAIL {f}: {why}")


def finish():
    print(f"{counts['ok']} ok, {counts['failed']} failed")
    sys.exit(1 if counts["failed"] else 0)


def verify(pub, sig, tbs, hash_alg):
    """Raise unless sig over tbs verifies with pub (cryptography 38 has no verify_directly_issued_by)."""
    if isinstance(pub, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        pub.verify(sig, tbs)
    elif isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(sig, tbs, ec.ECDSA(hash_alg))
    elif isinstance(pub, rsa.RSAPublicKey):
        pub.verify(sig, tbs, padding.PKCS1v15(), hash_alg)
    else:
        raise ValueError(f"unsupported key type {type(pub).__name__}")


def signed_by(cert, issuer):
    """Return None if issuer signed cert, else the reason."""
    try:
        verify(issuer.public_key(), cert.signature, cert.tbs_certificate_bytes, cert.signature_hash_algorithm)
        return None
    except Exception as e:  # InvalidSignature has an empty message, so name the type
        return f"{type(e).__name__} {e}".strip()


def crl_signed_by(crl, issuer):
    """Return None if issuer signed crl, else the reason."""
    pub = issuer.public_key()
    try:
        if isinstance(pub, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            pub.verify(crl.signature, crl.tbs_certlist_bytes)  # cryptography 38's is_signature_valid rejects EdDSA keys
            return None
        return None if crl.is_signature_valid(pub) else "signature does not verify"
    except Exception as e:
        return f"{type(e).__name__} {e}".strip()


def ext(obj, cls):
    try:
        return obj.extensions.get_extension_for_class(cls).value
    except x509.ExtensionNotFound:
        return None


def is_ca(cert):
    bc = ext(cert, x509.BasicConstraints)
    return bc is not None and bc.ca


def ski(cert):
    v = ext(cert, x509.SubjectKeyIdentifier)
    return v.digest if v else None


def aki(obj):
    v = ext(obj, x509.AuthorityKeyIdentifier)
    return v.key_identifier if v else None


def attr(cert, oid):
    a = cert.subject.get_attributes_for_oid(oid)
    return a[0].value if a else None


def names(cert):
    """What a certificate viewer would show a human."""
    def q(v):  # same quoting as the Go judge, so their outputs can be compared by eye
        return json.dumps(v, ensure_ascii=False)

    s = f"CN={q(attr(cert, NameOID.COMMON_NAME))}"
    if attr(cert, NameOID.SERIAL_NUMBER) is not None:
        s += f" serialNumber={attr(cert, NameOID.SERIAL_NUMBER)}"
    for label, oid in (("title", NameOID.TITLE), ("description", OID_DESCRIPTION)):
        if attr(cert, oid) is not None:
            s += f" {label}={q(attr(cert, oid))}"
    return s


def load(path, rel):
    try:
        with open(path, "rb") as fh:
            cert = x509.load_pem_x509_certificate(fh.read())
        cert.extensions  # extensions are parsed lazily; force it so errors surface here
        return cert
    except Exception as e:
        fail(rel, f"parse: {e}")
        return None


def main():
    if len(sys.argv) != 2:
        print("usage: x509judge.py DIR", file=sys.stderr)
        sys.exit(2)
    d = sys.argv[1]

    def files(pattern):
        return [(p, os.path.relpath(p, d)) for p in sorted(glob.glob(os.path.join(d, pattern)))]

    root = load(os.path.join(d, "root.pem"), "root.pem")
    if root is None:
        finish()
    why = signed_by(root, root)
    if why:
        fail("root.pem", f"self-signature: {why}")
    elif not is_ca(root):
        fail("root.pem", "basicConstraints CA is not true")
    else:
        ok("root.pem", f"root CA, self-signed, {names(root)}")

    cas = []  # (file, cert)
    for path, rel in files("issuing-*.pem"):
        c = load(path, rel)
        if c is None:
            continue
        why = signed_by(c, root)
        if why:
            fail(rel, f"signature by root: {why}")
        elif not is_ca(c):
            fail(rel, "basicConstraints CA is not true")
        elif aki(c) is None or aki(c) != ski(root):
            fail(rel, f"AuthorityKeyId {aki(c)!r} != root SubjectKeyId {ski(root)!r}")
        else:
            ok(rel, f"issuing CA signed by root, {names(c)}")
            cas.append((rel, c))
    if not cas:
        fail("issuing-*.pem", "no valid issuing CA")

    ecerts = []  # (file, cert, issuer file)
    for path, rel in files("ecerts/*.pem"):
        c = load(path, rel)
        if c is None:
            continue
        issuer = next(((f, ca) for f, ca in cas if aki(c) is not None and aki(c) == ski(ca)), None)
        if issuer is None:
            fail(rel, f"no issuing CA has SubjectKeyId = AuthorityKeyId {aki(c)!r}")
            continue
        bc = ext(c, x509.BasicConstraints)
        serial = str(c.serial_number).zfill(22)
        why = signed_by(c, issuer[1])
        if why:
            fail(rel, f"signature by {issuer[0]}: {why}")
        elif bc is None or bc.ca:
            fail(rel, "basicConstraints missing or CA true")
        elif attr(c, NameOID.SERIAL_NUMBER) != serial:
            fail(rel, f"subject serialNumber {attr(c, NameOID.SERIAL_NUMBER)!r} != certificate serial {serial}")
        else:
            ok(rel, f"e-Cert by {issuer[0]}, {names(c)}")
        ecerts.append((rel, c, issuer[0]))

    root_crl, ca_crl = None, {}  # ca_crl: issuer file -> (crl file, crl)
    for path, rel in files("crl/*.crl"):
        try:
            with open(path, "rb") as fh:
                crl = x509.load_der_x509_crl(fh.read())
            crl.extensions
        except Exception as e:
            fail(rel, f"parse: {e}")
            continue
        if crl.next_update is None or crl.next_update <= crl.last_update:
            fail(rel, f"nextUpdate {crl.next_update} is not after thisUpdate {crl.last_update}")
            continue
        summary = f"{len(crl)} entries, nextUpdate {crl.next_update.isoformat()}Z"
        if os.path.basename(path) == "root.crl":
            why = crl_signed_by(crl, root)
            if why:
                fail(rel, f"signature by root: {why}")
            elif crl.issuer != root.subject:
                fail(rel, "issuer name is not the root's subject")
            else:
                ok(rel, f"root CRL, {summary}")
                root_crl = (rel, crl)
            continue
        match = [(f, ca) for f, ca in cas if aki(crl) == ski(ca) and crl.issuer == ca.subject]
        if len(match) != 1:
            fail(rel, f"{len(match)} issuing CAs match AuthorityKeyId {aki(crl)!r} and issuer name (want 1)")
        elif crl_signed_by(crl, match[0][1]):
            fail(rel, f"signature by {match[0][0]}: {crl_signed_by(crl, match[0][1])}")
        elif match[0][0] in ca_crl:
            fail(rel, f"second CRL for {match[0][0]} (first: {ca_crl[match[0][0]][0]})")
        else:
            ok(rel, f"CRL of {match[0][0]}, {summary}")
            ca_crl[match[0][0]] = (rel, crl)
    if not os.path.exists(os.path.join(d, "crl", "root.crl")):
        fail("crl/root.crl", "missing")

    expect = set()
    try:
        with open(os.path.join(d, "revoked.txt")) as fh:
            expect = {line.strip() for line in fh if line.strip()}
    except FileNotFoundError:
        pass  # optional: then nothing may be revoked
    seen = set()
    for rel, c, issuer in ecerts:
        base = os.path.basename(rel)
        seen.add(base)
        if issuer not in ca_crl:
            if base in expect:
                fail(rel, f"expected revoked, but {issuer} has no valid CRL")
            else:
                ok(rel, f"not revoked (no CRL for {issuer})")
            continue
        crl_file, crl = ca_crl[issuer]
        entry = crl.get_revoked_certificate_by_serial_number(c.serial_number)
        if entry is not None and base in expect:
            ok(rel, f"revoked in {crl_file} as expected ({entry.revocation_date.isoformat()}Z)")
        elif entry is not None:
            fail(rel, f"unexpectedly revoked in {crl_file}")
        elif base in expect:
            fail(rel, f"expected revoked, but not in {crl_file}")
        else:
            ok(rel, f"not revoked in {crl_file}")
    for n in sorted(expect - seen):
        fail("revoked.txt", f"{n} is not a valid e-Cert in ecerts/")
    if root_crl is not None:
        for f, ca in cas:
            if root_crl[1].get_revoked_certificate_by_serial_number(ca.serial_number) is not None:
                fail(f, f"revoked in {root_crl[0]}")
            else:
                ok(f, f"not revoked in {root_crl[0]}")
    finish()


if __name__ == "__main__":
    main()
