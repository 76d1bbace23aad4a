package sweep_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/internal/zonegen"
	"github.com/dnshealth/dnshealth_exporter/probe/sweep"
	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

var now = time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)

const (
	origin     = "sweep.test."
	tsigName   = "xfr-key."
	tsigSecret = "c3dlZXAgdGVzdCBzZWNyZXQgMDEyMzQ1Njc4OQ=="
)

func serveAXFR(t testing.TB, z zonegen.Zone, key *zonegen.Key) netip.AddrPort {
	return zonegen.Serve(t, "127.72.0.1:0", z, key, tsigName, tsigSecret).Addr
}

func options() sweep.Options {
	return sweep.Options{Zone: origin, Now: now, Warning: 3 * 24 * time.Hour,
		Validator: validate.Validator{Limits: validate.DefaultLimits(), Budget: validate.NewBudget(context.Background(), 1e6, 1e6)}}
}

func source(addr netip.AddrPort) sweep.Source {
	return sweep.Source{Addr: addr, TSIG: &sweep.TSIG{Name: tsigName, Algorithm: dns.HmacSHA256, Secret: tsigSecret}}
}

func transfer(t *testing.T, z zonegen.Zone) *sweep.Result {
	t.Helper()
	key := zonegen.NewKey(origin, 1)
	res, err := sweep.Transfer(t.Context(), source(serveAXFR(t, z, key)), options())
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestSweepHealthyZoneOverTSIGTransfer: a healthy signed zone, NSEC and
// NSEC3, transferred with TSIG, has every RRset valid, its chain
// complete, its earliest expiry at the end of the signing validity and
// nothing within the warning window.
func TestSweepHealthyZoneOverTSIGTransfer(t *testing.T) {
	for _, nsec3 := range []bool{false, true} {
		t.Run(map[bool]string{false: "nsec", true: "nsec3"}[nsec3], func(t *testing.T) {
			res := transfer(t, zonegen.Zone{Origin: origin, Names: 300, Sub: 20, Now: now, NSEC3: nsec3})
			if res.Unsigned != 0 || res.Invalid != 0 || len(res.Problems) != 0 {
				t.Errorf("unsigned %d invalid %d problems %v, want none", res.Unsigned, res.Invalid, res.Problems)
			}
			if res.ChainComplete == nil || !*res.ChainComplete {
				t.Errorf("chain complete = %v, problems %v; want true", res.ChainComplete, res.ChainProblems)
			}
			if want := now.Add(14 * 24 * time.Hour); !res.EarliestExpiration.Equal(want) || res.Expiring != 0 {
				t.Errorf("earliest expiry %s, expiring %d; want %s, 0", res.EarliestExpiration, res.Expiring, want)
			}
			if !res.Signed || !res.KeysValid || res.Serial != uint32(now.Unix()) || res.Records < 4*320 {
				t.Errorf("signed %t keys valid %t serial %d records %d", res.Signed, res.KeysValid, res.Serial, res.Records)
			}
		})
	}
}

// TestSweepFindsABrokenSubtree: signatures that expired, are missing or
// do not verify under sub.<zone> are each counted and named, and the
// rest of the zone stays clean.
func TestSweepFindsABrokenSubtree(t *testing.T) {
	faults := map[string]zonegen.Fault{
		"x1.sub." + origin: zonegen.Expired,  // TXT and NSEC expired
		"x2.sub." + origin: zonegen.Unsigned, // TXT and NSEC unsigned
		"x3.sub." + origin: zonegen.BadSig,   // TXT does not verify
	}
	res := transfer(t, zonegen.Zone{Origin: origin, Names: 100, Sub: 10, Now: now,
		Fault: func(n string) zonegen.Fault { return faults[n] }})
	if res.Invalid != 3 || res.Unsigned != 2 {
		t.Errorf("invalid %d unsigned %d, want 3 and 2; problems %v", res.Invalid, res.Unsigned, res.Problems)
	}
	bad := map[string]bool{}
	for _, p := range res.Problems {
		bad[p.Owner+" "+p.Type] = true
	}
	for _, want := range []string{"x1.sub.sweep.test. TXT", "x1.sub.sweep.test. NSEC", "x2.sub.sweep.test. TXT", "x2.sub.sweep.test. NSEC", "x3.sub.sweep.test. TXT"} {
		if !bad[want] {
			t.Errorf("problems %v lack %s", res.Problems, want)
		}
	}
	if res.ChainComplete == nil || !*res.ChainComplete {
		t.Errorf("chain complete = %v (%v); the chain itself is whole", res.ChainComplete, res.ChainProblems)
	}
}

// TestSweepFindsAGapInTheChain: a name without its NSEC, or a hash without
// its NSEC3, breaks the chain.
func TestSweepFindsAGapInTheChain(t *testing.T) {
	for _, nsec3 := range []bool{false, true} {
		t.Run(map[bool]string{false: "nsec", true: "nsec3"}[nsec3], func(t *testing.T) {
			res := transfer(t, zonegen.Zone{Origin: origin, Names: 50, Sub: 5, Now: now, NSEC3: nsec3,
				Fault: func(n string) zonegen.Fault {
					if n == "x3.sub."+origin {
						return zonegen.NoNSEC
					}
					return zonegen.OK
				}})
			if res.ChainComplete == nil || *res.ChainComplete {
				t.Fatalf("chain complete = %v, want false", res.ChainComplete)
			}
			if len(res.ChainProblems) == 0 {
				t.Error("no chain problem named")
			}
			if res.Invalid != 0 || res.Unsigned != 0 {
				t.Errorf("invalid %d unsigned %d: a gap in the chain is no signature problem", res.Invalid, res.Unsigned)
			}
		})
	}
}

// TestSweepCountsRRsetsExpiringWithinTheWarningWindow: the earliest expiry
// is that of the RRset re-signed last, and the RRsets inside the window
// are counted.
func TestSweepCountsRRsetsExpiringWithinTheWarningWindow(t *testing.T) {
	res := transfer(t, zonegen.Zone{Origin: origin, Names: 50, Now: now,
		Expiring: func(n string) (time.Duration, bool) {
			switch n {
			case "h0000007." + origin:
				return 2 * 24 * time.Hour, true
			case "h0000008." + origin:
				return 36 * time.Hour, true
			}
			return 0, false
		}})
	if res.Expiring != 4 {
		t.Errorf("expiring = %d, want 4 (the A and NSEC RRsets of two names)", res.Expiring)
	}
	if want := now.Add(36 * time.Hour); !res.EarliestExpiration.Equal(want) || res.Earliest.Owner != "h0000008."+origin {
		t.Errorf("earliest %s at %v, want %s at h0000008", res.EarliestExpiration, res.Earliest, want)
	}
}

// TestSweepTransferNeedsTheTSIGKey: a transfer signed with the wrong
// secret is refused and reported as an error naming the primary.
func TestSweepTransferNeedsTheTSIGKey(t *testing.T) {
	addr := serveAXFR(t, zonegen.Zone{Origin: origin, Names: 5, Now: now}, zonegen.NewKey(origin, 1))
	src := source(addr)
	src.TSIG.Secret = "d3Jvbmcgc2VjcmV0"
	_, err := sweep.Transfer(t.Context(), src, options())
	if err == nil || !strings.Contains(err.Error(), addr.String()) {
		t.Errorf("err = %v, want an error naming %s", err, addr)
	}
}

// stream generates the zone into a slice, for tests that reorder it.
func stream(t *testing.T, z zonegen.Zone) []dns.RR {
	var rrs []dns.RR
	if _, err := zonegen.Generate(z, zonegen.NewKey(origin, 1), func(rr dns.RR) error { rrs = append(rrs, rr); return nil }); err != nil {
		t.Fatal(err)
	}
	return rrs
}

// TestSweepMatchesSignaturesThatArriveAfterTheirRRsetLeftTheWindow: with a
// window of 2 names, the RRSIGs of one name sent after five other names
// still validate its RRsets: the failed RRset is held until the end. The
// name's return is counted as reordered.
func TestSweepMatchesSignaturesThatArriveAfterTheirRRsetLeftTheWindow(t *testing.T) {
	rrs := stream(t, zonegen.Zone{Origin: origin, Names: 20, Now: now})
	late := "h0000003." + origin
	var head, sigs []dns.RR
	for _, rr := range rrs {
		if rr.Header().Name == late && rr.Header().Rrtype == dns.TypeRRSIG {
			sigs = append(sigs, rr)
			continue
		}
		head = append(head, rr)
	}
	o := options()
	o.Window = 2
	s := sweep.New(o)
	for _, rr := range append(head, sigs...) {
		if err := s.Add(rr); err != nil {
			t.Fatal(err)
		}
	}
	res := s.Finish()
	if res.Unsigned != 0 || res.Invalid != 0 || len(res.Problems) != 0 {
		t.Errorf("unsigned %d invalid %d problems %v, want none", res.Unsigned, res.Invalid, res.Problems)
	}
	if res.Reordered != 1 {
		t.Errorf("reordered = %d, want 1", res.Reordered)
	}
	if res.ChainComplete == nil || !*res.ChainComplete {
		t.Errorf("chain complete = %v (%v)", res.ChainComplete, res.ChainProblems)
	}
}

// TestSweepStopsAtTheValidationBudget: a budget smaller than the zone's
// RRsets stops the verifications and says so.
func TestSweepStopsAtTheValidationBudget(t *testing.T) {
	o := options()
	o.Validator.Budget = validate.NewBudget(context.Background(), 10, 1000)
	s := sweep.New(o)
	for _, rr := range stream(t, zonegen.Zone{Origin: origin, Names: 50, Now: now}) {
		if err := s.Add(rr); err != nil {
			t.Fatal(err)
		}
	}
	if res := s.Finish(); !res.BudgetExhausted {
		t.Errorf("budget exhausted = false after %d RRsets on a budget of 10", res.RRsets)
	}
}

// TestSweepFindsAChainSplitInTwoCycles: every name has its NSEC and the
// next names are exactly the owners, but two records point backwards: the
// chain is two cycles, not one, and some names cannot be proved absent
// from the other cycle's side.
func TestSweepFindsAChainSplitInTwoCycles(t *testing.T) {
	rrs := stream(t, zonegen.Zone{Origin: origin, Names: 10, Now: now})
	// h0000003 → apex and the last name → h0000004: two cycles.
	var last *dns.NSEC
	for _, rr := range rrs {
		if n, ok := rr.(*dns.NSEC); ok {
			switch {
			case n.Hdr.Name == "h0000003."+origin:
				n.NextDomain = origin
			case n.NextDomain == origin:
				last = n
			}
		}
	}
	last.NextDomain = "h0000004." + origin
	s := sweep.New(options())
	for _, rr := range rrs {
		if err := s.Add(rr); err != nil {
			t.Fatal(err)
		}
	}
	res := s.Finish()
	if res.ChainComplete == nil || *res.ChainComplete {
		t.Fatalf("chain complete = %v, want false: two cycles", res.ChainComplete)
	}
	found := false
	for _, p := range res.ChainProblems {
		found = found || strings.Contains(p.Detail, "2 NSEC records point back")
	}
	if !found {
		t.Errorf("chain problems %v do not say two records point back", res.ChainProblems)
	}
}
