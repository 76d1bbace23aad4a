package lab

import (
	"errors"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// startLab starts a lab on a free port and stops it when the test ends.
func startLab(t *testing.T) *Lab {
	t.Helper()
	l, err := Start(Options{})
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := l.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return l
}

// exchange sends one non-recursive query with EDNS (bufsize 1232) to addr on
// the lab's port.
func exchange(t *testing.T, l *Lab, network, addr, qname string, qtype uint16, timeout time.Duration) (*dns.Msg, error) {
	t.Helper()
	q := new(dns.Msg)
	q.SetQuestion(qname, qtype)
	q.RecursionDesired = false
	q.SetEdns0(1232, false)
	c := &dns.Client{Net: network, Timeout: timeout, UDPSize: 1232}
	r, _, err := c.Exchange(q, net.JoinHostPort(addr, strconv.Itoa(l.Port())))
	return r, err
}

// query is exchange for queries that must get an answer.
func query(t *testing.T, l *Lab, network, addr, qname string, qtype uint16) *dns.Msg {
	t.Helper()
	r, err := exchange(t, l, network, addr, qname, qtype, 2*time.Second)
	if err != nil {
		t.Fatalf("%s %s @%s over %s: %v", qname, dns.TypeToString[qtype], addr, network, err)
	}
	return r
}

func wantRcode(t *testing.T, r *dns.Msg, rcode int) {
	t.Helper()
	if r.Rcode != rcode {
		t.Fatalf("rcode %s, want %s\n%v", dns.RcodeToString[r.Rcode], dns.RcodeToString[rcode], r)
	}
}

func wantAA(t *testing.T, r *dns.Msg, aa bool) {
	t.Helper()
	if r.Authoritative != aa {
		t.Fatalf("AA=%v, want %v\n%v", r.Authoritative, aa, r)
	}
}

// wantSOAAuthority checks that the authority section is one SOA of zone.
func wantSOAAuthority(t *testing.T, r *dns.Msg, zone string) {
	t.Helper()
	if len(r.Ns) != 1 || r.Ns[0].Header().Rrtype != dns.TypeSOA || r.Ns[0].Header().Name != zone {
		t.Fatalf("authority section is not the SOA of %s\n%v", zone, r)
	}
}

// nsNames returns the sorted targets of the NS records in rrs with owner.
func nsNames(t *testing.T, rrs []dns.RR, owner string) []string {
	t.Helper()
	var out []string
	for _, rr := range rrs {
		ns, ok := rr.(*dns.NS)
		if !ok {
			continue
		}
		if ns.Hdr.Name != owner {
			t.Fatalf("NS record owner %s, want %s", ns.Hdr.Name, owner)
		}
		out = append(out, ns.Ns)
	}
	slices.Sort(out)
	return out
}

// addrRecords maps the owner names of A records in rrs to sorted addresses.
func addrRecords(rrs []dns.RR) map[string][]string {
	out := map[string][]string{}
	for _, rr := range rrs {
		if a, ok := rr.(*dns.A); ok {
			out[a.Hdr.Name] = append(out[a.Hdr.Name], a.A.String())
			slices.Sort(out[a.Hdr.Name])
		}
	}
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func demoByName(t *testing.T, name string) *demo {
	t.Helper()
	for _, d := range demos() {
		if d.Name == name {
			return d
		}
	}
	t.Fatalf("no demo zone %s", name)
	return nil
}

func TestLab(t *testing.T) {
	l := startLab(t)
	if l.Port() <= 0 || l.Port() > 65535 {
		t.Fatalf("Port() = %d", l.Port())
	}

	t.Run("zones table", func(t *testing.T) {
		want := []string{
			"healthy.test.", "hosted.test.", "lame-refused.test.", "lame-timeout.test.",
			"lame-noaa.test.", "lame-servfail.test.", "lame-upward.test.", "lame-referral.test.",
			"lame-wrongzone.test.", "lame-network.test.", "lame-malformed.test.", "all-lame.test.",
			"serial-drift.test.", "ns-mismatch.test.", "glue-mismatch.test.", "ns-unresolvable.test.",
			"truncated.test.", "parent-drift.test.", "old-edns.test.", "ns-refused.test.",
			"sec-healthy.test.", "sec-nsec3.test.", "sec-ed25519.test.", "sec-rsa.test.",
			"sec-expired.test.", "sec-future.test.", "sec-badsig.test.", "sec-ds-wrong-digest.test.",
			"sec-ds-unpublished.test.", "sec-unsigned-child.test.", "sec-rollover-stale-ds.test.",
			"sec-rollover-broken.test.", "sec-stale-dnskey.test.", "sec-nsec3-iter.test.",
			"sec-cds-mismatch.test.", "sec-alg-ds-only.test.", "sec-bad-denial.test.",
			"sec-missing-rrsig.test.", "sec-sha1-only.test.", "sec-cds-delete.test.", "sec-cds-zsk-signed.test.",
			"sec-ds-drift.test.", "sec-bad-signer.test.", "sec-long-ttl.test.", "sec-unsupported.test.", "sec-revoked-ksk.test.",
			"sec-cds-drift.test.",
			"ns-cname.test.", "sec-skew.test.", "sec-sha1-sha256.test.", "sec-multi-signer.test.",
			"sec-algroll-new-dnskey.test.", "sec-algroll-dnskey-removal.test.",
			"sec-nest.test.", "mid.sec-nest.test.", "leaf.mid.sec-nest.test.",
			"sec-optout.test.", "child.sec-optout.test.", "sec-wildcard.test.",
		}
		noChecks := []string{"healthy.test.", "hosted.test.", "truncated.test.",
			"sec-healthy.test.", "sec-nsec3.test.", "sec-ed25519.test.", "sec-rsa.test.",
			"sec-skew.test.", "sec-sha1-sha256.test.", "sec-multi-signer.test.",
			"sec-algroll-new-dnskey.test.", "sec-algroll-dnskey-removal.test.",
			"sec-nest.test.", "mid.sec-nest.test.", "leaf.mid.sec-nest.test.",
			"sec-optout.test.", "child.sec-optout.test.", "sec-wildcard.test."}
		zones := l.Zones()
		var got []string
		for _, z := range zones {
			got = append(got, z.Name)
			if z.Description == "" || strings.Contains(z.Description, "\n") {
				t.Errorf("%s: description %q is not one line", z.Name, z.Description)
			}
			if slices.Contains(noChecks, z.Name) != (len(z.Checks) == 0) {
				t.Errorf("%s: checks %v", z.Name, z.Checks)
			}
			for _, addr := range z.Lame {
				if !strings.HasPrefix(addr, "127.53.") {
					t.Errorf("%s: lame address %s outside the lab", z.Name, addr)
				}
			}
			if (len(z.Lame) > 0) != slices.ContainsFunc(z.Checks, func(c string) bool { return strings.HasPrefix(c, "lame_") }) {
				t.Errorf("%s: lame %v but checks %v", z.Name, z.Lame, z.Checks)
			}
			if signed := strings.Contains(z.Name, "sec-"); !slices.Contains([]string{"secure", "insecure", "bogus"}, z.DNSSEC) ||
				!signed && z.DNSSEC != "insecure" {
				t.Errorf("%s: DNSSEC verdict %q", z.Name, z.DNSSEC)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("Zones() = %v\nwant %v", got, want)
		}
		if z := demoByName(t, "all-lame.test."); !slices.Equal(z.Lame, []string{"127.53.20.1", "127.53.20.2"}) ||
			!slices.Equal(z.Checks, []string{"lame_refused", "no_reachable_authority"}) {
			t.Errorf("all-lame.test.: %+v", z.Zone)
		}
		zones[2].Lame[0] = "changed"
		if l.Zones()[2].Lame[0] == "changed" {
			t.Error("Zones() shares its slices with the lab")
		}
	})

	t.Run("authoritative servers answer SOA and NS", func(t *testing.T) {
		for _, d := range demos() {
			for _, s := range d.servers {
				var networks []string
				switch s.behaviour {
				case serve:
					networks = []string{"udp", "tcp"}
				case truncateUDP:
					networks = []string{"tcp"}
				default:
					continue
				}
				for _, network := range networks {
					t.Run(d.Name+"@"+s.addr+"/"+network, func(t *testing.T) {
						r := query(t, l, network, s.addr, d.Name, dns.TypeSOA)
						wantRcode(t, r, dns.RcodeSuccess)
						wantAA(t, r, true)
						if len(r.Answer) != 1 {
							t.Fatalf("want one SOA\n%v", r)
						}
						soa, ok := r.Answer[0].(*dns.SOA)
						if !ok || soa.Hdr.Name != d.Name {
							t.Fatalf("answer is not the SOA of %s\n%v", d.Name, r)
						}
						wantSerial := uint32(serial)
						if s.serial != 0 {
							wantSerial = s.serial
						}
						if soa.Serial != wantSerial || soa.Minttl != 300 {
							t.Errorf("serial %d minimum %d, want %d and 300", soa.Serial, soa.Minttl, wantSerial)
						}

						r = query(t, l, network, s.addr, d.Name, dns.TypeNS)
						wantRcode(t, r, dns.RcodeSuccess)
						wantAA(t, r, true)
						apex := d.apexNS
						if apex == nil {
							apex = d.parentNS
						}
						if got := nsNames(t, r.Answer, d.Name); !slices.Equal(got, sorted(apex)) {
							t.Errorf("apex NS %v, want %v", got, sorted(apex))
						}
						extra := addrRecords(r.Extra)
						for _, h := range d.hosts {
							if !slices.Contains(apex, h.name) {
								continue // an in-zone host that is no nameserver of the zone
							}
							if !slices.Contains(extra[h.name], h.addr) {
								t.Errorf("additional section lacks %s A %s\n%v", h.name, h.addr, r)
							}
						}

						r = query(t, l, network, s.addr, "www."+d.Name, dns.TypeA)
						wantAA(t, r, true)
						if got := addrRecords(r.Answer)["www."+d.Name]; !slices.Equal(got, []string{"127.0.0.1"}) {
							t.Errorf("www.%s A %v, want 127.0.0.1", d.Name, got)
						}
					})
				}
			}
		}
	})

	t.Run("behaviours", func(t *testing.T) {
		for _, d := range demos() {
			for _, s := range d.servers {
				if s.behaviour == serve {
					continue
				}
				t.Run(d.Name+"@"+s.addr+"/"+s.behaviour.String(), func(t *testing.T) {
					checkBehaviour(t, l, d, s)
				})
			}
		}
	})

	t.Run("referrals carry glue", func(t *testing.T) {
		tests := []struct {
			server, qname, cut string
			ns                 []string
			glue               map[string][]string
		}{
			{"127.53.0.1", "www.healthy.test.", "test.", []string{"ns1.nic.test.", "ns2.nic.test."},
				map[string][]string{"ns1.nic.test.": {"127.53.1.1"}, "ns2.nic.test.": {"127.53.1.2"}}},
			{"127.53.0.2", "example.", "example.", []string{"ns1.nic.example.", "ns2.nic.example."},
				map[string][]string{"ns1.nic.example.": {"127.53.1.11"}, "ns2.nic.example.": {"127.53.1.12"}}},
			{"127.53.1.11", "ns1.dns-host.example.", "dns-host.example.", []string{"ns1.dns-host.example.", "ns2.dns-host.example."},
				map[string][]string{"ns1.dns-host.example.": {"127.53.2.1"}, "ns2.dns-host.example.": {"127.53.2.2"}}},
		}
		// Every demo zone delegated by test., from both test. servers.
		for _, d := range demos() {
			if d.parent != "" {
				continue
			}
			for i, server := range []string{"127.53.1.1", "127.53.1.2"} {
				ns := d.parentNS
				if i == 1 && d.staleParentNS != nil {
					ns = d.staleParentNS
				}
				glue := map[string][]string{}
				for _, g := range d.glue {
					if slices.Contains(ns, g.name) {
						glue[g.name] = []string{g.addr}
					}
				}
				tests = append(tests, struct {
					server, qname, cut string
					ns                 []string
					glue               map[string][]string
				}{server, d.Name, d.Name, sorted(ns), glue})
			}
		}
		for _, tc := range tests {
			t.Run(tc.qname+"@"+tc.server, func(t *testing.T) {
				r := query(t, l, "udp", tc.server, tc.qname, dns.TypeSOA)
				wantRcode(t, r, dns.RcodeSuccess)
				wantAA(t, r, false)
				if len(r.Answer) != 0 {
					t.Fatalf("referral with an answer\n%v", r)
				}
				if got := nsNames(t, r.Ns, tc.cut); !slices.Equal(got, tc.ns) {
					t.Errorf("NS %v, want %v", got, tc.ns)
				}
				got := addrRecords(r.Extra)
				if len(got) != len(tc.glue) {
					t.Errorf("glue %v, want %v", got, tc.glue)
				}
				for name, addrs := range tc.glue {
					if !slices.Equal(got[name], addrs) {
						t.Errorf("glue for %s %v, want %v", name, got[name], addrs)
					}
				}
			})
		}
	})

	t.Run("parent drift", func(t *testing.T) {
		r1 := query(t, l, "udp", "127.53.1.1", "parent-drift.test.", dns.TypeNS)
		r2 := query(t, l, "udp", "127.53.1.2", "parent-drift.test.", dns.TypeNS)
		if n1, n2 := len(nsNames(t, r1.Ns, "parent-drift.test.")), len(nsNames(t, r2.Ns, "parent-drift.test.")); n1 != 2 || n2 != 1 {
			t.Fatalf("ns1.nic.test lists %d nameservers, ns2.nic.test %d; want 2 and 1", n1, n2)
		}
	})

	t.Run("glue mismatch", func(t *testing.T) {
		r := query(t, l, "udp", "127.53.23.1", "ns2.glue-mismatch.test.", dns.TypeA)
		wantAA(t, r, true)
		if got := addrRecords(r.Answer)["ns2.glue-mismatch.test."]; !slices.Equal(got, []string{"127.53.23.3"}) {
			t.Fatalf("the zone says ns2 is %v, want 127.53.23.3", got)
		}
	})

	t.Run("negative answers carry SOA", func(t *testing.T) {
		tests := []struct {
			name, server, qname string
			qtype               uint16
			rcode               int
			zone                string
		}{
			{"nxdomain", "127.53.10.1", "nope.healthy.test.", dns.TypeA, dns.RcodeNameError, "healthy.test."},
			{"nodata", "127.53.10.2", "www.healthy.test.", dns.TypeAAAA, dns.RcodeSuccess, "healthy.test."},
			{"nodata at apex", "127.53.10.1", "healthy.test.", dns.TypeMX, dns.RcodeSuccess, "healthy.test."},
			{"nxdomain in test", "127.53.1.1", "no-such-zone.test.", dns.TypeSOA, dns.RcodeNameError, "test."},
			{"unresolvable nameserver", "127.53.1.11", "ns.does-not-exist.example.", dns.TypeA, dns.RcodeNameError, "example."},
			{"nxdomain in root", "127.53.0.1", "invalid.", dns.TypeNS, dns.RcodeNameError, "."},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := query(t, l, "udp", tc.server, tc.qname, tc.qtype)
				wantRcode(t, r, tc.rcode)
				wantAA(t, r, true)
				if len(r.Answer) != 0 {
					t.Fatalf("negative answer with records\n%v", r)
				}
				wantSOAAuthority(t, r, tc.zone)
				if ttl := r.Ns[0].Header().Ttl; ttl != 300 {
					t.Errorf("negative SOA TTL %d, want 300", ttl)
				}
			})
		}
	})

	t.Run("DS at a cut is answered by the parent", func(t *testing.T) {
		for _, tc := range []struct {
			server, qname, parent string
			signed                bool // the parent holds a DS for the child
		}{
			{"127.53.1.1", "healthy.test.", "test.", false},
			{"127.53.0.1", "test.", ".", true},
			{"127.53.1.12", "dns-host.example.", "example.", false},
			{"127.53.1.2", "sec-healthy.test.", "test.", true},
		} {
			t.Run(tc.qname+"@"+tc.server, func(t *testing.T) {
				r := query(t, l, "udp", tc.server, tc.qname, dns.TypeDS)
				wantRcode(t, r, dns.RcodeSuccess)
				wantAA(t, r, true)
				if !tc.signed {
					wantSOAAuthority(t, r, tc.parent)
					return
				}
				if len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != dns.TypeDS || r.Answer[0].Header().Name != tc.qname {
					t.Fatalf("want the DS of %s\n%v", tc.qname, r)
				}
			})
		}
	})

	t.Run("not a zone", func(t *testing.T) {
		r := query(t, l, "udp", "127.53.10.1", "www.healthy.test.", dns.TypeSOA)
		wantRcode(t, r, dns.RcodeSuccess)
		wantSOAAuthority(t, r, "healthy.test.")
	})

	t.Run("out of zone is refused", func(t *testing.T) {
		r := query(t, l, "udp", "127.53.10.1", "example.", dns.TypeSOA)
		wantRcode(t, r, dns.RcodeRefused)
		r = query(t, l, "udp", "127.53.2.1", "healthy.test.", dns.TypeSOA)
		wantRcode(t, r, dns.RcodeRefused)
	})

	t.Run("hosted zone shares servers", func(t *testing.T) {
		for _, zone := range []string{"hosted.test.", "dns-host.example."} {
			r := query(t, l, "udp", "127.53.2.2", zone, dns.TypeSOA)
			wantAA(t, r, true)
			if len(r.Answer) != 1 || r.Answer[0].Header().Name != zone {
				t.Fatalf("no SOA for %s\n%v", zone, r)
			}
		}
	})

	t.Run("EDNS", func(t *testing.T) {
		r := query(t, l, "udp", "127.53.10.1", "healthy.test.", dns.TypeSOA)
		if opt := r.IsEdns0(); opt == nil || opt.UDPSize() != 1232 {
			t.Errorf("EDNS query: OPT %v, want bufsize 1232", opt)
		}
		q := new(dns.Msg)
		q.SetQuestion("healthy.test.", dns.TypeSOA)
		r, _, err := (&dns.Client{Timeout: 2 * time.Second}).Exchange(q, net.JoinHostPort("127.53.10.1", strconv.Itoa(l.Port())))
		if err != nil {
			t.Fatal(err)
		}
		if r.IsEdns0() != nil {
			t.Errorf("plain query got an OPT record")
		}
		if r.Id != q.Id || len(r.Question) != 1 || r.Question[0] != q.Question[0] {
			t.Errorf("reply ID/question %d %v, want %d %v", r.Id, r.Question, q.Id, q.Question)
		}
	})

	t.Run("root hints", func(t *testing.T) {
		zp := dns.NewZoneParser(strings.NewReader(l.RootHints()), ".", "hints")
		var ns, a []string
		addrs := map[string]string{}
		for rr, ok := zp.Next(); ok; rr, ok = zp.Next() {
			switch v := rr.(type) {
			case *dns.NS:
				if v.Hdr.Name != "." {
					t.Errorf("NS owner %s", v.Hdr.Name)
				}
				ns = append(ns, v.Ns)
			case *dns.A:
				a = append(a, v.Hdr.Name)
				addrs[v.Hdr.Name] = v.A.String()
			default:
				t.Errorf("unexpected record %v", rr)
			}
		}
		if err := zp.Err(); err != nil {
			t.Fatal(err)
		}
		if want := []string{"a.root-servers.test.", "b.root-servers.test."}; !slices.Equal(ns, want) || !slices.Equal(a, want) {
			t.Fatalf("NS %v, A %v; want %v for both", ns, a, want)
		}
		for name, addr := range addrs {
			r := query(t, l, "udp", addr, ".", dns.TypeNS)
			wantAA(t, r, true)
			if got := nsNames(t, r.Answer, "."); !slices.Equal(got, ns) {
				t.Errorf("%s (%s) serves root NS %v, want %v", name, addr, got, ns)
			}
		}
	})
}

// checkBehaviour checks that server s of demo zone d misbehaves as it should.
func checkBehaviour(t *testing.T, l *Lab, d *demo, s nsAddr) {
	t.Helper()
	switch s.behaviour {
	case refuse, servfail:
		want := map[behaviour]int{refuse: dns.RcodeRefused, servfail: dns.RcodeServerFailure}[s.behaviour]
		for _, network := range []string{"udp", "tcp"} {
			wantRcode(t, query(t, l, network, s.addr, d.Name, dns.TypeSOA), want)
		}
	case drop:
		for _, network := range []string{"udp", "tcp"} {
			_, err := exchange(t, l, network, s.addr, d.Name, dns.TypeSOA, 300*time.Millisecond)
			var ne net.Error
			if !errors.As(err, &ne) || !ne.Timeout() {
				t.Errorf("%s: err %v, want a timeout", network, err)
			}
		}
	case unbound:
		for _, network := range []string{"udp", "tcp"} {
			_, err := exchange(t, l, network, s.addr, d.Name, dns.TypeSOA, 2*time.Second)
			if !errors.Is(err, syscall.ECONNREFUSED) {
				t.Errorf("%s: err %v, want connection refused", network, err)
			}
		}
	case noAA:
		r := query(t, l, "udp", s.addr, d.Name, dns.TypeSOA)
		wantRcode(t, r, dns.RcodeSuccess)
		wantAA(t, r, false)
		if len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != dns.TypeSOA {
			t.Fatalf("want the SOA without AA\n%v", r)
		}
	case upward:
		r := query(t, l, "udp", s.addr, d.Name, dns.TypeSOA)
		wantRcode(t, r, dns.RcodeSuccess)
		wantAA(t, r, false)
		if len(r.Answer) != 0 || len(nsNames(t, r.Ns, ".")) == 0 {
			t.Fatalf("want a referral to the root\n%v", r)
		}
	case selfReferral:
		r := query(t, l, "udp", s.addr, d.Name, dns.TypeSOA)
		wantRcode(t, r, dns.RcodeSuccess)
		wantAA(t, r, false)
		if len(r.Answer) != 0 || !slices.Equal(nsNames(t, r.Ns, d.Name), sorted(d.parentNS)) {
			t.Fatalf("want a referral to %s\n%v", d.Name, r)
		}
	case wrongZone:
		r := query(t, l, "udp", s.addr, d.Name, dns.TypeSOA)
		wantRcode(t, r, dns.RcodeNameError)
		wantAA(t, r, true)
		wantSOAAuthority(t, r, "test.")
	case malformed:
		checkMalformed(t, l, s.addr, d.Name)
	case noEDNS:
		r := query(t, l, "udp", s.addr, d.Name, dns.TypeSOA)
		wantRcode(t, r, dns.RcodeFormatError)
		if r.IsEdns0() != nil {
			t.Errorf("FORMERR reply carries an OPT record\n%v", r)
		}
		q := new(dns.Msg)
		q.SetQuestion(d.Name, dns.TypeSOA)
		c := &dns.Client{Timeout: 2 * time.Second}
		r, _, err := c.Exchange(q, net.JoinHostPort(s.addr, strconv.Itoa(l.Port())))
		if err != nil {
			t.Fatal(err)
		}
		wantRcode(t, r, dns.RcodeSuccess)
		wantAA(t, r, true)
	case refuseNS:
		wantRcode(t, query(t, l, "udp", s.addr, d.Name, dns.TypeNS), dns.RcodeRefused)
		r := query(t, l, "udp", s.addr, d.Name, dns.TypeSOA)
		wantRcode(t, r, dns.RcodeSuccess)
		wantAA(t, r, true)
	case truncateUDP:
		r := query(t, l, "udp", s.addr, d.Name, dns.TypeSOA)
		if !r.Truncated || len(r.Answer)+len(r.Ns) != 0 {
			t.Fatalf("UDP: want TC=1 and empty sections\n%v", r)
		}
		r = query(t, l, "tcp", s.addr, d.Name, dns.TypeSOA)
		wantAA(t, r, true)
		if r.Truncated || len(r.Answer) != 1 {
			t.Fatalf("TCP: want the SOA\n%v", r)
		}
	default:
		t.Fatalf("no check for behaviour %v", s.behaviour)
	}
}

// checkMalformed sends a raw query, since dns.Client rejects the reply: it
// must carry the query's ID but a different question.
func checkMalformed(t *testing.T, l *Lab, addr, zone string) {
	t.Helper()
	conn, err := net.Dial("udp", net.JoinHostPort(addr, strconv.Itoa(l.Port())))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(2 * time.Second)); err != nil {
		t.Fatal(err)
	}
	q := new(dns.Msg)
	q.SetQuestion(zone, dns.TypeSOA)
	buf, err := q.Pack()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write(buf); err != nil {
		t.Fatal(err)
	}
	rbuf := make([]byte, 65535)
	n, err := conn.Read(rbuf)
	if err != nil {
		t.Fatal(err)
	}
	r := new(dns.Msg)
	if err := r.Unpack(rbuf[:n]); err != nil {
		t.Fatal(err)
	}
	if r.Id != q.Id || !r.Response {
		t.Errorf("reply ID %d response %v, want ID %d", r.Id, r.Response, q.Id)
	}
	if len(r.Question) != 1 || strings.EqualFold(r.Question[0].Name, zone) {
		t.Errorf("question %v matches the query", r.Question)
	}
}

func TestStartPorts(t *testing.T) {
	a := startLab(t)
	b := startLab(t)
	if a.Port() == b.Port() {
		t.Fatalf("two labs on port 0 share port %d", a.Port())
	}

	t.Run("port in use", func(t *testing.T) {
		l, err := Start(Options{Port: a.Port()})
		if err == nil {
			l.Close()
			t.Fatalf("Start on the port of a running lab succeeded")
		}
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Errorf("err %v, want EADDRINUSE", err)
		}
	})

	t.Run("explicit port", func(t *testing.T) {
		port := b.Port()
		if err := b.Close(); err != nil {
			t.Fatal(err)
		}
		l, err := Start(Options{Port: port})
		if err != nil {
			t.Fatalf("Start on a freed port: %v", err)
		}
		t.Cleanup(func() { l.Close() })
		if l.Port() != port {
			t.Fatalf("Port() = %d, want %d", l.Port(), port)
		}
		wantAA(t, query(t, l, "udp", "127.53.10.1", "healthy.test.", dns.TypeSOA), true)
	})

	t.Run("close twice", func(t *testing.T) {
		if err := b.Close(); err != nil {
			t.Errorf("second Close: %v", err)
		}
	})

	t.Run("bad port", func(t *testing.T) {
		if _, err := Start(Options{Port: 70000}); err == nil {
			t.Error("Start accepted port 70000")
		}
	})
}

// recorder is a dns.ResponseWriter that keeps the reply, for handler tests
// without sockets.
type recorder struct {
	network string
	msg     *dns.Msg
}

func (r *recorder) LocalAddr() net.Addr {
	if r.network == "udp" {
		return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
	}
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 53}
}
func (r *recorder) RemoteAddr() net.Addr        { return r.LocalAddr() }
func (r *recorder) WriteMsg(m *dns.Msg) error   { r.msg = m; return nil }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) Close() error                { return nil }
func (r *recorder) TsigStatus() error           { return nil }
func (r *recorder) TsigTimersOnly(bool)         {}
func (r *recorder) Hijack()                     {}

// parentZone and childZone are a parent and its child, served together in
// TestHandler.
const parentZone = `$ORIGIN parent.
$TTL 3600
@          SOA ns.parent. hostmaster.parent. 1 7200 3600 1209600 300
@          NS  ns.parent.
ns         A   192.0.2.1
alias      CNAME target
target     A   192.0.2.2
loop       CNAME loop
a.b.c      A   192.0.2.3
big        TXT "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big        TXT "1123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big        TXT "2123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big        TXT "3123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big        TXT "4123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
big        TXT "5123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
child      NS  ns.child.
ns.child   A   192.0.2.4
child      DS  12345 13 2 0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF
other      NS  ns.elsewhere.
`

const childZone = `$ORIGIN child.parent.
$TTL 3600
@          SOA ns hostmaster 1 7200 3600 1209600 300
@          NS  ns
ns         A   192.0.2.4
`

func TestHandler(t *testing.T) {
	parent, err := parseZone("parent.", parentZone)
	if err != nil {
		t.Fatal(err)
	}
	child, err := parseZone("child.parent.", childZone)
	if err != nil {
		t.Fatal(err)
	}
	both := &server{behaviour: serve, zones: []*zone{parent, child}, logger: discard()}
	parentOnly := &server{behaviour: serve, zones: []*zone{parent}, logger: discard()}

	ask := func(t *testing.T, s *server, network, qname string, qtype uint16, edns uint16) *dns.Msg {
		t.Helper()
		q := new(dns.Msg)
		q.SetQuestion(qname, qtype)
		if edns > 0 {
			q.SetEdns0(edns, false)
		}
		w := &recorder{network: network}
		s.ServeDNS(w, q)
		if w.msg == nil {
			t.Fatal("no reply")
		}
		if w.msg.Id != q.Id {
			t.Fatalf("reply ID %d, want %d", w.msg.Id, q.Id)
		}
		// The reply must survive the wire.
		buf, err := w.msg.Pack()
		if err != nil {
			t.Fatal(err)
		}
		if network == "udp" {
			limit := max(512, int(edns))
			if len(buf) > limit {
				t.Fatalf("UDP reply of %d bytes exceeds %d", len(buf), limit)
			}
		}
		r := new(dns.Msg)
		if err := r.Unpack(buf); err != nil {
			t.Fatal(err)
		}
		return r
	}

	t.Run("DS at the child apex goes to the parent", func(t *testing.T) {
		r := ask(t, both, "udp", "child.parent.", dns.TypeDS, 0)
		wantAA(t, r, true)
		if len(r.Answer) != 1 || r.Answer[0].Header().Rrtype != dns.TypeDS {
			t.Fatalf("want the parent's DS\n%v", r)
		}
	})

	t.Run("other child queries go to the child", func(t *testing.T) {
		r := ask(t, both, "udp", "child.parent.", dns.TypeSOA, 0)
		wantAA(t, r, true)
		if len(r.Answer) != 1 || r.Answer[0].Header().Name != "child.parent." {
			t.Fatalf("want the child's SOA\n%v", r)
		}
	})

	t.Run("referral at and below a cut", func(t *testing.T) {
		for _, qname := range []string{"child.parent.", "deep.child.parent."} {
			r := ask(t, parentOnly, "udp", qname, dns.TypeA, 0)
			wantAA(t, r, false)
			if got := nsNames(t, r.Ns, "child.parent."); !slices.Equal(got, []string{"ns.child."}) {
				t.Fatalf("referral NS %v\n%v", got, r)
			}
			if got := addrRecords(r.Extra)["ns.child.parent."]; got != nil {
				t.Fatalf("glue for an out-of-bailiwick name\n%v", r)
			}
		}
	})

	t.Run("DS below a cut is referred", func(t *testing.T) {
		r := ask(t, parentOnly, "udp", "sub.child.parent.", dns.TypeDS, 0)
		wantAA(t, r, false)
		nsNames(t, r.Ns, "child.parent.")
	})

	t.Run("case-insensitive", func(t *testing.T) {
		r := ask(t, parentOnly, "udp", "NS.Parent.", dns.TypeA, 0)
		wantAA(t, r, true)
		if len(r.Answer) != 1 || r.Question[0].Name != "NS.Parent." {
			t.Fatalf("want the A record and the query's question\n%v", r)
		}
	})

	t.Run("CNAME in the zone is followed", func(t *testing.T) {
		r := ask(t, parentOnly, "udp", "alias.parent.", dns.TypeA, 0)
		wantAA(t, r, true)
		if len(r.Answer) != 2 || r.Answer[0].Header().Rrtype != dns.TypeCNAME || r.Answer[1].Header().Rrtype != dns.TypeA {
			t.Fatalf("want CNAME then A\n%v", r)
		}
		r = ask(t, parentOnly, "udp", "loop.parent.", dns.TypeA, 0)
		if len(r.Answer) != 1 {
			t.Fatalf("CNAME loop: want the CNAME once\n%v", r)
		}
	})

	t.Run("empty non-terminal is NODATA", func(t *testing.T) {
		r := ask(t, parentOnly, "udp", "b.c.parent.", dns.TypeA, 0)
		wantRcode(t, r, dns.RcodeSuccess)
		wantSOAAuthority(t, r, "parent.")
	})

	t.Run("truncation", func(t *testing.T) {
		r := ask(t, parentOnly, "udp", "big.parent.", dns.TypeTXT, 0)
		if !r.Truncated {
			t.Fatalf("600-byte answer over UDP without EDNS: want TC=1\n%v", r)
		}
		r = ask(t, parentOnly, "udp", "big.parent.", dns.TypeTXT, 1232)
		if r.Truncated || len(r.Answer) != 6 {
			t.Fatalf("with EDNS 1232: want all 6 TXT untruncated\n%v", r)
		}
		if r.IsEdns0() == nil {
			t.Fatal("no OPT in the EDNS reply")
		}
		r = ask(t, parentOnly, "tcp", "big.parent.", dns.TypeTXT, 0)
		if r.Truncated || len(r.Answer) != 6 {
			t.Fatalf("over TCP: want all 6 TXT untruncated\n%v", r)
		}
	})

	t.Run("EDNS version 1 is BADVERS", func(t *testing.T) {
		q := new(dns.Msg)
		q.SetQuestion("parent.", dns.TypeSOA)
		q.SetEdns0(1232, false)
		q.IsEdns0().SetVersion(1)
		r := parentOnly.reply(q, true)
		if r.Rcode != dns.RcodeBadVers || r.IsEdns0() == nil {
			t.Fatalf("want BADVERS with OPT\n%v", r)
		}
	})

	t.Run("selfref with no zone refuses", func(t *testing.T) {
		s := &server{behaviour: selfReferral, zones: []*zone{parent}, logger: discard()}
		wantRcode(t, ask(t, s, "udp", "example.", dns.TypeSOA, 0), dns.RcodeRefused)
	})

	t.Run("bad zones are rejected", func(t *testing.T) {
		for name, text := range map[string]string{
			"no SOA":       "$ORIGIN z.\n@ 3600 NS ns.z.\n",
			"no NS":        "$ORIGIN z.\n@ 3600 SOA ns.z. h.z. 1 2 3 4 5\n",
			"out of zone":  "$ORIGIN z.\n@ 3600 SOA ns.z. h.z. 1 2 3 4 5\n@ 3600 NS ns.z.\nother. 3600 A 192.0.2.1\n",
			"syntax error": "$ORIGIN z.\n@ 3600 SOA ns.z.\n",
		} {
			if _, err := parseZone("z.", text); err == nil {
				t.Errorf("%s: parsed", name)
			}
		}
	})
}

func discard() *slog.Logger { return slog.New(slog.DiscardHandler) }

func TestZoneFilesParse(t *testing.T) {
	h := buildHierarchy()
	for _, c := range h.copies {
		if _, err := parseZone(c.file.origin, c.file.render()); err != nil {
			t.Errorf("%v\n%s", err, c.file.render())
		}
	}
}
