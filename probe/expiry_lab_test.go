package probe_test

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dnshealth/dnshealth_exporter/internal/dnstest"
	"github.com/dnshealth/dnshealth_exporter/probe"
	"github.com/dnshealth/dnshealth_exporter/triage"
)

const day = 24 * time.Hour

// rhythmEpoch is when the zones of these tests are first signed.
var rhythmEpoch = time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC)

// defaultRhythms are the signers' default policies as their documentation
// describes them (docs/configuration.md), for a zone whose TTLs are an
// hour.
var defaultRhythms = map[string]dnstest.Rhythm{
	// BIND: 14 days, each RRset re-signed 5 days before it expires; RRsets
	// first signed six hours apart stay apart.
	"bind": {Validity: 14 * day, Refresh: 5 * day, Offset: time.Hour, Spread: 6 * time.Hour},
	// Knot: the zone re-signed propagation-delay (1h) + max TTL (1h)
	// before the earliest expiry.
	"knot": {Validity: 14 * day, Refresh: 2 * time.Hour, Offset: 90 * time.Minute},
	// PowerDNS: from a week back to two weeks ahead, replaced weekly.
	"powerdns": {Validity: 14 * day, Refresh: 7 * day, Offset: 7 * day},
	// OpenDNSSEC: 14 days less up to 12h jitter, refreshed 3 days before
	// expiry by a signer that runs every 2 hours.
	"opendnssec": {Validity: 14 * day, Refresh: 3 * day, Offset: time.Hour, Run: 2 * time.Hour, Jitter: 12 * time.Hour},
}

// rhythmNet serves rhythm.test., signed on r against *clock, under an
// in-memory root on addresses of 127.70.0.0/16; the module anchors the
// zone itself.
func rhythmNet(t *testing.T, r dnstest.Rhythm, clock *time.Time, policy string) (*probe.Prober, *probe.Module) {
	t.Helper()
	root, ns := netip.MustParseAddr("127.70.0.53"), netip.MustParseAddr("127.70.0.1")
	r.Epoch = rhythmEpoch
	z := dnstest.NewSignedZone(t, "rhythm.test.", "ns1.rhythm.test.", ns.String(), 3600, r, func() time.Time { return *clock })
	net := dnstest.MemNet{
		root: dnstest.Table(t, false, map[string][]string{"*": {
			"N rhythm.test. 3600 IN NS ns1.rhythm.test.", "X ns1.rhythm.test. 3600 IN A " + ns.String(),
		}}),
		ns: z.Handler(),
	}
	cfg := "modules:\n  rhythm:\n    port: 53\n"
	if policy != "" {
		cfg += "    signing_policy: " + policy + "\n"
	}
	c, err := probe.ParseConfig([]byte(cfg), "")
	if err != nil {
		t.Fatal(err)
	}
	m := c.Modules["rhythm"]
	m.RootServers = []probe.NameServer{{Name: "a.root.", Addrs: []netip.Addr{root}}}
	if m.TrustAnchors, err = probe.ParseTrustAnchors(strings.NewReader(z.Anchor()), "rhythm.test"); err != nil {
		t.Fatal(err)
	}
	p := &probe.Prober{Exchanger: net, Now: func() time.Time { return *clock }, Expiry: probe.NewExpiryMemory(10)}
	return p, m
}

func expiryChecks(r *probe.Report) []probe.CheckID {
	var out []probe.CheckID
	for _, f := range r.Findings {
		if f.Check == probe.CheckRRSIGExpiring || f.Check == probe.CheckSignerStalled {
			out = append(out, f.Check)
		}
	}
	return out
}

// TestSignedZoneCyclesExitZero: a zone on each default policy, served and
// re-signed on the injected clock, probed every 6 hours through two full
// signing cycles by one exporter (its memory learning), with the policy
// named and without: secure, and `check` would exit 0 every time.
func TestSignedZoneCyclesExitZero(t *testing.T) {
	for name, r := range defaultRhythms {
		for _, policy := range []string{name, ""} {
			t.Run(name+"/policy="+policy, func(t *testing.T) {
				clock := rhythmEpoch.Add(time.Hour)
				p, m := rhythmNet(t, r, &clock, policy)
				lowest := time.Duration(-1)
				for ; clock.Before(rhythmEpoch.Add(2*(r.Validity+r.Offset) + day)); clock = clock.Add(6 * time.Hour) {
					rep := p.Probe(t.Context(), "rhythm.test.", "rhythm", m)
					if rep.DNSSEC == nil || rep.DNSSEC.Status != probe.DNSSECSecure || triage.Exit(rep) != triage.ExitOK {
						t.Fatalf("%s: exit %d\n%s", clock, triage.Exit(rep), debugText(rep))
					}
					if left := rep.DNSSEC.EarliestExpiration.Sub(clock); lowest < 0 || left < lowest {
						lowest = left
					}
				}
				if lowest > r.Refresh+6*time.Hour+r.Run {
					t.Errorf("lowest time left %s never came near the refresh margin %s", lowest, r.Refresh)
				}
				// A margin shorter than the probe interval cannot be seen:
				// the replaced signatures expired between two probes.
				if policy == "" && r.Refresh > 6*time.Hour && p.Expiry.Learned("rhythm.test.") == 0 {
					t.Errorf("two cycles probed and no margin learned")
				}
			})
		}
	}
}

// TestSignedZoneStallWarns: the same zones, their signer stopped in the
// second cycle, probed hourly by an exporter that saw the first cycle:
// `check` exits 1 with rrsig_expiring, then signer_stalled as well,
// before the signatures run out, with at least half the refresh margin
// left; with the policy named, by the margin less the policy's grace.
func TestSignedZoneStallWarns(t *testing.T) {
	grace := map[string]time.Duration{"bind": time.Hour, "knot": 15 * time.Minute, "powerdns": 2 * time.Hour, "opendnssec": 3 * time.Hour}
	for name, r := range defaultRhythms {
		for _, policy := range []string{name, ""} {
			t.Run(name+"/policy="+policy, func(t *testing.T) {
				r.Stall = rhythmEpoch.Add(r.Validity + 2*day)
				clock := rhythmEpoch.Add(time.Hour)
				p, m := rhythmNet(t, r, &clock, policy)
				step := 6 * time.Hour
				var warned time.Duration
				stalled := false
				for {
					rep := p.Probe(t.Context(), "rhythm.test.", "rhythm", m)
					left := rep.DNSSEC.EarliestExpiration.Sub(clock)
					if left <= 0 {
						break
					}
					got := expiryChecks(rep)
					if len(got) > 0 && warned == 0 {
						if clock.Before(r.Stall) || got[0] != probe.CheckRRSIGExpiring || triage.Exit(rep) != triage.ExitWarning {
							t.Fatalf("%s: first warning %v, exit %d (stall at %s)\n%s", clock, got, triage.Exit(rep), r.Stall, debugText(rep))
						}
						warned = left
					}
					stalled = stalled || slices.Contains(got, probe.CheckSignerStalled)
					if stalled {
						break
					}
					if left < r.Refresh+day {
						step = max(10*time.Minute, r.Refresh/24) // close in as expiry nears
					}
					clock = clock.Add(step)
				}
				switch {
				case warned == 0:
					t.Fatal("the signer stopped and no warning came before the signatures expired")
				case policy != "" && warned < r.Refresh-grace[name]-max(10*time.Minute, r.Refresh/24):
					t.Errorf("warned with %s left; the margin less grace is %s", warned, r.Refresh-grace[name])
				case warned < r.Refresh/2:
					t.Errorf("warned with %s left, less than half the refresh margin %s", warned, r.Refresh)
				}
				if !stalled {
					t.Errorf("signer_stalled never came before the signatures expired")
				}
				t.Logf("first warning with %s left", warned)
			})
		}
	}
}

// TestCheckExpiryAcceptance: the cases through the whole probe and
// `check`'s exit status. A zone signed for 30 days and re-signed 5 days
// before expiry, whose signer stopped, probed with 3 days left: exit 1
// with rrsig_expiring and signer_stalled when the module names bind, and
// when it names nothing but the exporter saw the zone re-signed once; a
// 14-day zone with 30 minutes left warns on a cold start.
func TestCheckExpiryAcceptance(t *testing.T) {
	thirty := dnstest.Rhythm{Validity: 30 * day, Refresh: 5 * day, Offset: time.Hour, Stall: rhythmEpoch.Add(25 * day)}
	threeLeft := rhythmEpoch.Add(25*day + 27*day) // signed at 25d, expires at 55d
	both := []probe.CheckID{probe.CheckRRSIGExpiring, probe.CheckSignerStalled}

	t.Run("bind_policy", func(t *testing.T) {
		clock := threeLeft
		p, m := rhythmNet(t, thirty, &clock, "bind")
		rep := p.Probe(t.Context(), "rhythm.test.", "rhythm", m)
		if got := expiryChecks(rep); !slices.Equal(got, both) || triage.Exit(rep) != triage.ExitWarning {
			t.Fatalf("checks %v exit %d, want %v and 1\n%s", got, triage.Exit(rep), both, debugText(rep))
		}
	})
	t.Run("seen_resigned", func(t *testing.T) {
		clock := rhythmEpoch.Add(24 * day) // 6 days left of the first signatures
		p, m := rhythmNet(t, thirty, &clock, "")
		for _, at := range []time.Duration{24 * day, 25*day + time.Hour, 52 * day} {
			clock = rhythmEpoch.Add(at)
			rep := p.Probe(t.Context(), "rhythm.test.", "rhythm", m)
			if at < 52*day && triage.Exit(rep) != triage.ExitOK {
				t.Fatalf("%s: exit %d before the stall showed\n%s", at, triage.Exit(rep), debugText(rep))
			}
			if at == 52*day {
				if got := expiryChecks(rep); !slices.Equal(got, both) || triage.Exit(rep) != triage.ExitWarning || rep.DNSSEC.Expiry.MarginSource != probe.MarginFromLearned {
					t.Fatalf("checks %v exit %d source %s, want %v, 1, learned\n%s", got, triage.Exit(rep), rep.DNSSEC.Expiry.MarginSource, both, debugText(rep))
				}
			}
		}
		// The first probe after the re-signing saw the old signatures with
		// 5 days less an hour left.
		if got := p.Expiry.Learned("rhythm.test."); got != 5*day-time.Hour {
			t.Errorf("learned margin %s, want 119h", got)
		}
	})
	t.Run("cold_14_days_30_minutes_left", func(t *testing.T) {
		clock := rhythmEpoch.Add(14*day - 30*time.Minute)
		p, m := rhythmNet(t, dnstest.Rhythm{Validity: 14 * day, Refresh: 5 * day, Offset: time.Hour, Stall: rhythmEpoch}, &clock, "")
		rep := p.Probe(t.Context(), "rhythm.test.", "rhythm", m)
		if got := expiryChecks(rep); !slices.Contains(got, probe.CheckRRSIGExpiring) || triage.Exit(rep) != triage.ExitWarning || rep.DNSSEC.Expiry.MarginSource != probe.MarginFromDefault {
			t.Fatalf("checks %v exit %d, want rrsig_expiring and 1 on a cold start\n%s", got, triage.Exit(rep), debugText(rep))
		}
	})
}
