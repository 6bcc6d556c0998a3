// x509judge: an independent, Go-standard-library check of an ecert PKI directory (certs, chain, CRLs, revocation).
package main

import (
	"bufio"
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

var (
	dir          string
	nOK, nFailed int
	oidTitle     = asn1.ObjectIdentifier{2, 5, 4, 12}
	oidDesc      = asn1.ObjectIdentifier{2, 5, 4, 13}
)

func ok(file, what string, a ...interface{}) {
	nOK++
	fmt.Printf("ok   %s: %s\n", file, fmt.Sprintf(what, a...))
}

func fail(file, why string, a ...interface{}) {
	nFailed++
	fmt.Printf("FAIL %s: %s\n", file, fmt.Sprintf(why, a...))
}

// rel keeps output stable regardless of where DIR lives.
func rel(p string) string {
	if r, err := filepath.Rel(dir, p); err == nil {
		return r
	}
	return p
}

type cert struct {
	file string
	c    *x509.Certificate
}

func load(path string) *cert {
	f := rel(path)
	data, err := os.ReadFile(path)
	if err != nil {
		fail(f, "%v", err)
		return nil
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		fail(f, "no PEM CERTIFICATE block")
		return nil
	}
	c, err := x509.ParseCertificate(b.Bytes)
	if err != nil {
		fail(f, "parse: %v", err)
		return nil
	}
	return &cert{f, c}
}

func attr(c *x509.Certificate, oid asn1.ObjectIdentifier) string {
	for _, n := range c.Subject.Names {
		if n.Type.Equal(oid) {
			if s, isStr := n.Value.(string); isStr {
				return s
			}
		}
	}
	return ""
}

// names renders the subject the way a certificate viewer would show it to a human.
func names(c *x509.Certificate) string {
	s := fmt.Sprintf("CN=%q", c.Subject.CommonName)
	if c.Subject.SerialNumber != "" {
		s += fmt.Sprintf(" serialNumber=%s", c.Subject.SerialNumber)
	}
	if t := attr(c, oidTitle); t != "" {
		s += fmt.Sprintf(" title=%q", t)
	}
	if d := attr(c, oidDesc); d != "" {
		s += fmt.Sprintf(" description=%q", d)
	}
	return s
}

func pad22(n *big.Int) string {
	s := n.String()
	if len(s) < 22 {
		s = strings.Repeat("0", 22-len(s)) + s
	}
	return s
}

func glob(pattern string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, pattern))
	sort.Strings(m)
	return m
}

type crl struct {
	file string
	rl   *x509.RevocationList
}

func (l *crl) has(serial *big.Int) (bool, time.Time) {
	for _, r := range l.rl.RevokedCertificates {
		if r.SerialNumber.Cmp(serial) == 0 {
			return true, r.RevocationTime
		}
	}
	return false, time.Time{}
}

// crlAKI reads the keyIdentifier itself: Go 1.19's RevocationList.AuthorityKeyId
// holds the whole extension value rather than the key identifier inside it.
func crlAKI(rl *x509.RevocationList) []byte {
	for _, e := range rl.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 35}) {
			var aki struct {
				ID []byte `asn1:"optional,tag:0"`
			}
			if _, err := asn1.Unmarshal(e.Value, &aki); err == nil {
				return aki.ID
			}
		}
	}
	return nil
}

func loadCRL(path string) *crl {
	f := rel(path)
	der, err := os.ReadFile(path)
	if err != nil {
		fail(f, "%v", err)
		return nil
	}
	rl, err := x509.ParseRevocationList(der)
	if err != nil {
		fail(f, "parse: %v", err)
		return nil
	}
	if rl.NextUpdate.IsZero() || !rl.NextUpdate.After(rl.ThisUpdate) {
		fail(f, "nextUpdate %v is not after thisUpdate %v", rl.NextUpdate, rl.ThisUpdate)
		return nil
	}
	return &crl{f, rl}
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: x509judge DIR")
		os.Exit(2)
	}
	dir = os.Args[1]

	root := load(filepath.Join(dir, "root.pem"))
	if root == nil {
		finish()
	}
	rc := root.c
	if err := rc.CheckSignatureFrom(rc); err != nil {
		fail(root.file, "self-signature: %v", err)
	} else if !rc.BasicConstraintsValid || !rc.IsCA {
		fail(root.file, "basicConstraints CA is not true")
	} else {
		ok(root.file, "root CA, self-signed %v, %s", rc.SignatureAlgorithm, names(rc))
	}

	var cas []*cert
	inter := x509.NewCertPool()
	for _, p := range glob("issuing-*.pem") {
		ca := load(p)
		if ca == nil {
			continue
		}
		switch c := ca.c; {
		case c.CheckSignatureFrom(rc) != nil:
			fail(ca.file, "signature by root: %v", c.CheckSignatureFrom(rc))
		case !c.BasicConstraintsValid || !c.IsCA:
			fail(ca.file, "basicConstraints CA is not true")
		case len(c.AuthorityKeyId) == 0 || !bytes.Equal(c.AuthorityKeyId, rc.SubjectKeyId):
			fail(ca.file, "AuthorityKeyId %x != root SubjectKeyId %x", c.AuthorityKeyId, rc.SubjectKeyId)
		default:
			ok(ca.file, "issuing CA signed by root (%v), %s", c.SignatureAlgorithm, names(c))
			cas = append(cas, ca)
			inter.AddCert(c)
		}
	}
	if len(cas) == 0 {
		fail("issuing-*.pem", "no valid issuing CA")
	}
	roots := x509.NewCertPool()
	roots.AddCert(rc)

	type ecert struct {
		*cert
		issuer *cert
	}
	var ecerts []ecert
	for _, p := range glob("ecerts/*.pem") {
		e := load(p)
		if e == nil {
			continue
		}
		c := e.c
		var iss *cert
		for _, ca := range cas {
			if len(c.AuthorityKeyId) > 0 && bytes.Equal(c.AuthorityKeyId, ca.c.SubjectKeyId) {
				iss = ca
			}
		}
		if iss == nil {
			fail(e.file, "no issuing CA has SubjectKeyId = AuthorityKeyId %x", c.AuthorityKeyId)
			continue
		}
		// Mid-validity, so the chain check judges structure rather than today's date.
		mid := c.NotBefore.Add(c.NotAfter.Sub(c.NotBefore) / 2)
		_, verr := c.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter,
			CurrentTime: mid, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
		switch {
		case c.CheckSignatureFrom(iss.c) != nil:
			fail(e.file, "signature by %s: %v", iss.file, c.CheckSignatureFrom(iss.c))
		case !c.BasicConstraintsValid || c.IsCA:
			fail(e.file, "basicConstraints missing or CA true")
		case verr != nil:
			fail(e.file, "chain at %s: %v", mid.Format(time.RFC3339), verr)
		case c.Subject.SerialNumber != pad22(c.SerialNumber):
			fail(e.file, "subject serialNumber %q != certificate serial %s", c.Subject.SerialNumber, pad22(c.SerialNumber))
		default:
			ok(e.file, "e-Cert by %s, chain verified, %s", iss.file, names(c))
		}
		ecerts = append(ecerts, ecert{e, iss})
	}

	var rootCRL *crl
	caCRL := map[*cert]*crl{}
	for _, p := range glob("crl/*.crl") {
		l := loadCRL(p)
		if l == nil {
			continue
		}
		rl := l.rl
		summary := fmt.Sprintf("%d entries, nextUpdate %s", len(rl.RevokedCertificates), rl.NextUpdate.UTC().Format(time.RFC3339))
		if filepath.Base(p) == "root.crl" {
			if err := rl.CheckSignatureFrom(rc); err != nil {
				fail(l.file, "signature by root: %v", err)
			} else if !bytes.Equal(rl.RawIssuer, rc.RawSubject) {
				fail(l.file, "issuer name is not the root's subject")
			} else {
				ok(l.file, "root CRL, %s", summary)
				rootCRL = l
			}
			continue
		}
		aki := crlAKI(rl)
		var match []*cert
		for _, ca := range cas {
			if len(aki) > 0 && bytes.Equal(aki, ca.c.SubjectKeyId) && bytes.Equal(rl.RawIssuer, ca.c.RawSubject) {
				match = append(match, ca)
			}
		}
		if len(match) != 1 {
			fail(l.file, "%d issuing CAs match AuthorityKeyId %x and issuer name (want 1)", len(match), aki)
		} else if err := rl.CheckSignatureFrom(match[0].c); err != nil {
			fail(l.file, "signature by %s: %v", match[0].file, err)
		} else if caCRL[match[0]] != nil {
			fail(l.file, "second CRL for %s (first: %s)", match[0].file, caCRL[match[0]].file)
		} else {
			ok(l.file, "CRL of %s, %s", match[0].file, summary)
			caCRL[match[0]] = l
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "crl", "root.crl")); err != nil {
		fail("crl/root.crl", "%v", err)
	}

	expect := map[string]bool{}
	if f, err := os.Open(filepath.Join(dir, "revoked.txt")); err == nil {
		s := bufio.NewScanner(f)
		for s.Scan() {
			if n := strings.TrimSpace(s.Text()); n != "" {
				expect[n] = true
			}
		}
		f.Close()
	}
	seen := map[string]bool{}
	for _, e := range ecerts {
		base := filepath.Base(e.file)
		seen[base] = true
		l := caCRL[e.issuer]
		if l == nil {
			if expect[base] {
				fail(e.file, "expected revoked, but %s has no valid CRL", e.issuer.file)
			} else {
				ok(e.file, "not revoked (no CRL for %s)", e.issuer.file)
			}
			continue
		}
		revoked, when := l.has(e.c.SerialNumber)
		switch {
		case revoked && expect[base]:
			ok(e.file, "revoked in %s as expected (%s)", l.file, when.UTC().Format(time.RFC3339))
		case revoked:
			fail(e.file, "unexpectedly revoked in %s", l.file)
		case expect[base]:
			fail(e.file, "expected revoked, but not in %s", l.file)
		default:
			ok(e.file, "not revoked in %s", l.file)
		}
	}
	var listed []string
	for n := range expect {
		listed = append(listed, n)
	}
	sort.Strings(listed)
	for _, n := range listed {
		if !seen[n] {
			fail("revoked.txt", "%s is not a valid e-Cert in ecerts/", n)
		}
	}
	if rootCRL != nil {
		for _, ca := range cas {
			if revoked, _ := rootCRL.has(ca.c.SerialNumber); revoked {
				fail(ca.file, "revoked in %s", rootCRL.file)
			} else {
				ok(ca.file, "not revoked in %s", rootCRL.file)
			}
		}
	}
	finish()
}

func finish() {
	fmt.Printf("%d ok, %d failed\n", nOK, nFailed)
	if nFailed > 0 {
		os.Exit(1)
	}
	os.Exit(0)
}
