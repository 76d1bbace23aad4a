package main

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Lab addresses, all in 127.60.0.0/16.
const (
	TLD       = "diff."
	RootAddr  = "127.60.0.1" // BIND: "."
	TLDAddr   = "127.60.0.2" // NSD: "diff."
	BindAddr  = "127.60.1.1" // BIND: the variants served by BIND
	NSDAddr   = "127.60.2.1" // NSD: the variants served by NSD
	Resolver  = "127.60.255.1"
	dataAddr  = "127.60.254.1"
	keyTTL    = 3600
	tsFormat  = "20060102150405"
	rootNS    = "a.root.diff."
	tldNSName = "ns.nic.diff."
)

// genKey is a generated key with its private half.
type genKey struct {
	Key
	rr   *dns.DNSKEY
	priv crypto.Signer
	base string // key file base name (without .key/.private)
}

func newDNSKEY(zone string, k Key) *dns.DNSKEY {
	flags := uint16(256)
	if k.KSK {
		flags = 257
	}
	if k.Revoked {
		flags |= dns.REVOKE
	}
	return &dns.DNSKEY{Hdr: dns.RR_Header{Name: zone, Rrtype: dns.TypeDNSKEY, Class: dns.ClassINET, Ttl: keyTTL},
		Flags: flags, Protocol: 3, Algorithm: k.Alg}
}

func keyBits(alg uint8) int {
	switch alg {
	case dns.ECDSAP256SHA256, dns.ED25519:
		return 256
	}
	return 2048
}

// rsaPool holds RSA keys generated once per run: generating 2048-bit RSA
// keys costs 0.1-0.5 s each, and key material may repeat across zones (it
// never repeats within one: a variant's i-th RSA key is the pool's i-th).
var rsaPool struct {
	sync.Mutex
	keys []*rsa.PrivateKey
}

func pooledRSA(i int) (*rsa.PrivateKey, error) {
	rsaPool.Lock()
	defer rsaPool.Unlock()
	for len(rsaPool.keys) <= i {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("generating an RSA key: %w", err)
		}
		rsaPool.keys = append(rsaPool.keys, k)
	}
	return rsaPool.keys[i], nil
}

// rsaPublicKey is the DNSKEY public key field of k (RFC 3110 section 2).
func rsaPublicKey(k *rsa.PublicKey) string {
	e := big.NewInt(int64(k.E)).Bytes()
	buf := append([]byte{byte(len(e))}, e...)
	buf = append(buf, k.N.Bytes()...)
	return base64.StdEncoding.EncodeToString(buf)
}

func isRSA(alg uint8) bool {
	return alg == dns.RSASHA1 || alg == dns.RSASHA1NSEC3SHA1 || alg == dns.RSASHA256
}

// generate makes key k; an RSA key comes from the pool, the i-th.
func generate(zone string, k Key, i int) (*genKey, error) {
	rr := newDNSKEY(zone, k)
	if isRSA(k.Alg) {
		p, err := pooledRSA(i)
		if err != nil {
			return nil, err
		}
		rr.PublicKey = rsaPublicKey(&p.PublicKey)
		return &genKey{Key: k, rr: rr, priv: p}, nil
	}
	p, err := rr.Generate(keyBits(k.Alg))
	if err != nil {
		return nil, fmt.Errorf("generating a %d key for %s: %w", k.Alg, zone, err)
	}
	return &genKey{Key: k, rr: rr, priv: p.(crypto.Signer)}, nil
}

// makeKeys generates a variant's keys; a key with CollideWith is searched
// for together with its partner until the two share a key tag.
func makeKeys(zone string, ks []Key) (map[string]*genKey, error) {
	out := map[string]*genKey{}
	byID := map[string]Key{}
	for _, k := range ks {
		byID[k.ID] = k
	}
	for i, k := range ks {
		if k.CollideWith != "" {
			continue
		}
		g, err := generate(zone, k, i)
		if err != nil {
			return nil, err
		}
		out[k.ID] = g
	}
	for _, k := range ks {
		if k.CollideWith == "" {
			continue
		}
		partner := byID[k.CollideWith]
		// Birthday search: keep generating both until a tag matches.
		as, bs := map[uint16]*genKey{}, map[uint16]*genKey{}
		for i := 0; ; i++ {
			if i > 20000 {
				return nil, fmt.Errorf("no key tag collision for %s %s/%s after %d tries", zone, k.ID, partner.ID, i)
			}
			if isRSA(k.Alg) {
				return nil, fmt.Errorf("%s: key tag collisions are searched for ECDSA and Ed25519 keys only", zone)
			}
			a, err := generate(zone, partner, 0)
			if err != nil {
				return nil, err
			}
			b, err := generate(zone, k, 0)
			if err != nil {
				return nil, err
			}
			ta, tb := a.rr.KeyTag(), b.rr.KeyTag()
			if a.rr.PublicKey == b.rr.PublicKey {
				continue
			}
			if m, ok := bs[ta]; ok {
				out[partner.ID], out[k.ID] = a, m
				break
			}
			if m, ok := as[tb]; ok {
				out[partner.ID], out[k.ID] = m, b
				break
			}
			if ta == tb {
				out[partner.ID], out[k.ID] = a, b
				break
			}
			as[ta], bs[tb] = a, b
		}
	}
	return out, nil
}

// writeKeyFiles writes g's BIND-format key files into dir; with unique,
// the base name ends in the key's ID (ldns-signzone takes any base name;
// dnssec-signzone needs K<zone>+<alg>+<tag>).
func writeKeyFiles(dir string, g *genKey, unique bool) error {
	base := fmt.Sprintf("K%s+%03d+%05d", g.rr.Hdr.Name, g.rr.Algorithm, g.rr.KeyTag())
	if unique {
		base += "-" + g.ID
	}
	g.base = filepath.Join(dir, base)
	if err := os.WriteFile(g.base+".key", []byte(g.rr.String()+"\n"), 0o644); err != nil {
		return fmt.Errorf("writing %s.key: %w", g.base, err)
	}
	if err := os.WriteFile(g.base+".private", []byte(g.rr.PrivateKeyString(g.priv)), 0o600); err != nil {
		return fmt.Errorf("writing %s.private: %w", g.base, err)
	}
	return nil
}

// Built is a variant made: its zone files (one per server copy), its DS
// records and glue for the parent.
type Built struct {
	V      Variant
	Zone   string
	Files  map[string]string // server (bind, nsd) -> zone file
	Parent []dns.RR          // NS, glue and DS for diff.
}

func rel(zone, name string) string {
	switch name {
	case "@", "":
		return zone
	}
	return name + "." + zone
}

func serverAddrs(v Variant) []string {
	switch v.Server {
	case "bind":
		return []string{BindAddr}
	case "nsd":
		return []string{NSDAddr}
	}
	return []string{BindAddr, NSDAddr}
}

func mustRR(s string) dns.RR {
	rr, err := dns.NewRR(s)
	if err != nil {
		panic(fmt.Sprintf("bad record %q: %v", s, err))
	}
	return rr
}

// unsignedZone is the zone's data before signing: SOA, NS and glue, www,
// the extras, and the published DNSKEYs.
func unsignedZone(v Variant, zone string, keys map[string]*genKey, withKeys bool) []dns.RR {
	rrs := []dns.RR{
		mustRR(fmt.Sprintf("%s 3600 IN SOA ns1.%s hostmaster.%s 1 3600 600 86400 300", zone, zone, zone)),
	}
	for i, a := range serverAddrs(v) {
		rrs = append(rrs, mustRR(fmt.Sprintf("%s 3600 IN NS ns%d.%s", zone, i+1, zone)),
			mustRR(fmt.Sprintf("ns%d.%s 3600 IN A %s", i+1, zone, a)))
	}
	rrs = append(rrs, mustRR(fmt.Sprintf("www.%s 3600 IN A %s", zone, dataAddr)))
	for _, e := range v.Extras {
		switch e {
		case "deleg": // an unsigned delegation (what NSEC3 opt-out skips)
			rrs = append(rrs, mustRR(fmt.Sprintf("deleg.%s 3600 IN NS ns.deleg.%s", zone, zone)),
				mustRR(fmt.Sprintf("ns.deleg.%s 3600 IN A 127.60.254.3", zone)))
		case "cname":
			rrs = append(rrs, mustRR(fmt.Sprintf("alias.%s 3600 IN CNAME www.%s", zone, zone)))
		case "cname-dangling":
			rrs = append(rrs, mustRR(fmt.Sprintf("dangling.%s 3600 IN CNAME gone.%s", zone, zone)))
		case "cname-chain":
			rrs = append(rrs, mustRR(fmt.Sprintf("chain.%s 3600 IN CNAME alias.%s", zone, zone)))
		case "wildcard":
			rrs = append(rrs, mustRR(fmt.Sprintf("*.wild.%s 3600 IN A 127.60.254.2", zone)))
		case "wildcard-cname":
			rrs = append(rrs, mustRR(fmt.Sprintf("*.wc.%s 3600 IN CNAME www.%s", zone, zone)))
		}
	}
	if withKeys {
		for _, id := range sortedIDs(keys) {
			if keys[id].Publish {
				rrs = append(rrs, dns.Copy(keys[id].rr))
			}
		}
	}
	return rrs
}

func sortedIDs(keys map[string]*genKey) []string {
	ids := make([]string, 0, len(keys))
	for id := range keys {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func writeZone(path string, rrs []dns.RR) error {
	var b strings.Builder
	b.WriteString("$TTL 3600\n")
	for _, rr := range rrs {
		b.WriteString(rr.String())
		b.WriteByte('\n')
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func readZone(path, origin string) ([]dns.RR, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading the signed zone: %w", err)
	}
	defer f.Close()
	zp := dns.NewZoneParser(f, origin, path)
	var rrs []dns.RR
	for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
		rrs = append(rrs, rr)
	}
	if err := zp.Err(); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return rrs, nil
}

// Gen holds what every variant's build shares.
type Gen struct {
	Dir string    // output: zones/, keys/
	Now time.Time // the moment every window is relative to
	Log *os.File
}

func (g *Gen) stamp(off int64) string {
	return time.Unix(g.Now.Unix()+off, 0).UTC().Format(tsFormat)
}

func (g *Gen) run(name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = g.Dir
	out, err := cmd.CombinedOutput()
	if g.Log != nil {
		fmt.Fprintf(g.Log, "$ %s %s\n%s", name, strings.Join(args, " "), out)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w: %s", name, strings.Join(args, " "), err, lastLines(string(out), 5))
	}
	return nil
}

func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, " | ")
}

// sign runs the variant's signer over in (an unsigned zone file) with the
// given keys into out.
func (g *Gen) sign(v Variant, zone, in, out string, signers []*genKey) error {
	inc, exp := g.stamp(v.Inc), g.stamp(v.Exp)
	switch v.Signer {
	case "dnssec-signzone":
		args := []string{"-q", "-P", "-x", "-O", "full", "-K", filepath.Dir(in), "-d", filepath.Dir(in), "-o", zone, "-s", inc, "-e", exp, "-f", out}
		if strings.HasPrefix(v.Denial, "nsec3") {
			salt := v.Salt
			if salt == "" {
				salt = "-"
			}
			args = append(args, "-3", salt, "-H", strconv.Itoa(v.Iter))
			if v.Denial == "nsec3-optout" {
				args = append(args, "-A")
			}
		}
		var zsks []string
		for _, k := range signers {
			if k.KSK {
				args = append(args, "-k", k.base)
			} else {
				zsks = append(zsks, k.base)
			}
		}
		args = append(args, in)
		args = append(args, zsks...)
		return g.run("dnssec-signzone", args...)
	case "ldns-signzone":
		args := []string{"-i", inc, "-e", exp, "-o", zone, "-f", out}
		if strings.HasPrefix(v.Denial, "nsec3") {
			args = append(args, "-n", "-t", strconv.Itoa(v.Iter))
			if v.Salt != "" {
				args = append(args, "-s", v.Salt)
			}
			if v.Denial == "nsec3-optout" {
				args = append(args, "-p")
			}
		}
		args = append(args, in)
		for _, k := range signers {
			args = append(args, k.base)
		}
		return g.run("ldns-signzone", args...)
	}
	return fmt.Errorf("unknown signer %q", v.Signer)
}

// Build makes one variant: keys, unsigned zone, signed copies, the
// post-processing, and the parent's records.
func (g *Gen) Build(v Variant) (*Built, error) {
	zone := v.Name + "." + TLD
	b := &Built{V: v, Zone: zone, Files: map[string]string{}}
	keys, err := makeKeys(zone, v.Keys)
	if err != nil {
		return nil, err
	}
	kdir := filepath.Join(g.Dir, "keys", v.Name)
	if err := os.MkdirAll(kdir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", kdir, err)
	}
	unsign := false
	for _, p := range v.Post {
		unsign = unsign || p.Op == "unsign"
	}
	copies := []struct {
		server   string
		provider int
	}{{v.Server, 0}}
	if v.Server == "both" {
		copies = []struct {
			server   string
			provider int
		}{{"bind", 1}, {"nsd", 2}}
	}
	for _, c := range copies {
		cdir := filepath.Join(kdir, c.server)
		if err := os.MkdirAll(cdir, 0o755); err != nil {
			return nil, fmt.Errorf("creating %s: %w", cdir, err)
		}
		var signers, goSigners []*genKey
		for _, id := range sortedIDs(keys) {
			k := keys[id]
			if !k.Sign || (k.Provider != 0 && k.Provider != c.provider) {
				continue
			}
			if !k.Publish {
				goSigners = append(goSigners, k)
				continue
			}
			if err := writeKeyFiles(cdir, k, v.Signer == "ldns-signzone"); err != nil {
				return nil, err
			}
			signers = append(signers, k)
		}
		unsigned := filepath.Join(cdir, "zone.unsigned")
		if err := writeZone(unsigned, unsignedZone(v, zone, keys, !unsign)); err != nil {
			return nil, err
		}
		out := filepath.Join(g.Dir, "zones", fmt.Sprintf("%s.%s.zone", v.Name, c.server))
		var rrs []dns.RR
		if unsign || len(signers) == 0 {
			rrs = unsignedZone(v, zone, keys, !unsign)
		} else {
			signed := filepath.Join(cdir, "zone.signed")
			if err := g.sign(v, zone, unsigned, signed, signers); err != nil {
				return nil, fmt.Errorf("%s: %w", v.Name, err)
			}
			if rrs, err = readZone(signed, zone); err != nil {
				return nil, err
			}
		}
		if !unsign {
			rrs, err = g.post(v, zone, rrs, keys, goSigners)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", v.Name, err)
			}
		}
		if err := writeZone(out, rrs); err != nil {
			return nil, err
		}
		b.Files[c.server] = out
	}
	// The parent's side: NS, glue, DS.
	for i, a := range serverAddrs(v) {
		b.Parent = append(b.Parent, mustRR(fmt.Sprintf("%s 3600 IN NS ns%d.%s", zone, i+1, zone)),
			mustRR(fmt.Sprintf("ns%d.%s 3600 IN A %s", i+1, zone, a)))
	}
	bad := map[string]bool{}
	for _, p := range v.Post {
		if p.Op == "dsbad" {
			bad[p.KeyID+"/"+p.Arg] = true
		}
	}
	for _, id := range sortedIDs(keys) {
		k := keys[id]
		for _, d := range k.DS {
			key := k.rr
			if k.DSBeforeRevoke {
				key = dns.Copy(k.rr).(*dns.DNSKEY)
				key.Flags &^= dns.REVOKE
			}
			ds := dsOf(key, d)
			if bad[fmt.Sprintf("%s/%d", id, d)] {
				ds.Digest = flipHex(ds.Digest)
			}
			b.Parent = append(b.Parent, ds)
		}
	}
	for _, s := range v.ExtraDS {
		b.Parent = append(b.Parent, mustRR(strings.Replace(s, "@", zone, 1)))
	}
	return b, nil
}

// dsOf is the DS of key with digest type d; a type miekg/dns cannot
// compute (an unassigned one) gets a random-looking SHA-256-sized digest.
func dsOf(key *dns.DNSKEY, d uint8) *dns.DS {
	if ds := key.ToDS(d); ds != nil {
		ds.Hdr.Ttl = 3600
		return ds
	}
	ds := key.ToDS(dns.SHA256)
	ds.DigestType = d
	ds.Digest = flipHex(ds.Digest)
	ds.Hdr.Ttl = 3600
	return ds
}

func flipHex(h string) string {
	c := "0"
	if h[0] == '0' {
		c = "1"
	}
	return c + h[1:]
}
