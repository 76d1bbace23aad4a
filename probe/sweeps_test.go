package probe_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dnshealth/dnshealth_exporter/internal/zonegen"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

const (
	sweepTSIGName   = "xfr-key."
	sweepTSIGSecret = "c3dlZXAgdGVzdCBzZWNyZXQgMDEyMzQ1Njc4OQ=="
)

// sweepSetup is miniNet with a module that sweeps zone.tld. from an
// in-process AXFR server on 127.72.0.2 (a hidden primary: not in the NS
// set), whose copy of the zone has serial now.Unix() (the servers of
// miniNet serve 1) and a broken sub-tree.
func sweepSetup(t *testing.T, now time.Time) (*zonegen.Server, *probe.Prober, *probe.Module) {
	t.Helper()
	z := zonegen.Zone{Origin: "zone.tld.", Names: 30, Sub: 5, Now: now,
		Fault: func(n string) zonegen.Fault {
			if n == "x2.sub.zone.tld." {
				return zonegen.BadSig
			}
			return zonegen.OK
		}}
	srv := zonegen.Serve(t, "127.72.0.2:0", z, zonegen.NewKey("zone.tld.", 7), sweepTSIGName, sweepTSIGSecret)
	net, m := miniNet(t)
	m.Sweep = &probe.SweepConfig{Primary: srv.Addr.String(), TSIG: &probe.TSIGConfig{Name: sweepTSIGName, Secret: probe.Secret(sweepTSIGSecret)}}
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	return srv, &probe.Prober{Exchanger: net}, m
}

// TestProbeSweepsInlineWithoutAStore: with no Sweeps (the check command),
// the probe sweeps the zone from the hidden primary itself and reports
// the broken sub-tree and both secondaries behind the primary.
func TestProbeSweepsInlineWithoutAStore(t *testing.T) {
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	_, p, m := sweepSetup(t, now)
	p.Now = func() time.Time { return now }
	r := p.Probe(t.Context(), "zone.tld.", "mem", m)
	if r.Sweep == nil || r.Sweep.Result == nil {
		t.Fatalf("no sweep result: %+v\n%s", r.Sweep, debugText(r))
	}
	if r.Sweep.Result.Invalid != 1 || r.Sweep.Result.Serial != uint32(now.Unix()) {
		t.Errorf("invalid %d serial %d, want 1 and %d", r.Sweep.Result.Invalid, r.Sweep.Result.Serial, now.Unix())
	}
	behind := 0
	for _, f := range r.Findings {
		if f.Check == probe.CheckSecondaryBehindPrimary {
			behind++
		}
	}
	if behind != 2 || !r.HasFinding(probe.CheckSweepRRSIGInvalid) {
		t.Errorf("secondary_behind_primary %d times (want 2), sweep_rrsig_invalid %t\n%s", behind, r.HasFinding(probe.CheckSweepRRSIGInvalid), debugText(r))
	}
	if r.Diagnosis.Cause != probe.CauseBogusSignature {
		t.Errorf("cause %s, want bogus_signature", r.Diagnosis.Cause)
	}
	if text := debugText(r); !strings.Contains(text, "sweep: AXFR from 127.72.0.2:") || !strings.Contains(text, "x2.sub.zone.tld. TXT:") {
		t.Errorf("the debug view lacks the sweep or its broken RRset:\n%s", text)
	}
}

// TestSweepConfigParsesAndHidesTheSecret: a module's sweep parses with
// its defaults, the TSIG secret can come from a file, and the module as
// the debug view renders it shows "<secret>", never the secret.
func TestSweepConfigParsesAndHidesTheSecret(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "xfr.key"), []byte(sweepTSIGSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := probe.ParseConfig([]byte(`
modules:
  file:
    sweep: {primary: "192.0.2.53", tsig: {name: xfr-key, secret_file: xfr.key}}
  inline:
    sweep: {primary: "[2001:db8::53]:5353", tsig: {name: xfr-key, secret: "`+sweepTSIGSecret+`"}, interval: 30m}
`), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"file", "inline"} {
		out, err := yaml.Marshal(cfg.Modules[name])
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(out), sweepTSIGSecret) || !strings.Contains(string(out), "<secret>") && name == "inline" {
			t.Errorf("module %s renders its secret:\n%s", name, out)
		}
	}
	if s := cfg.Modules["file"].Sweep; s.Interval != probe.DefaultSweepInterval || s.ExpiryWarning != probe.DefaultSweepExpiryWarning {
		t.Errorf("defaults: interval %s expiry_warning %s", s.Interval, s.ExpiryWarning)
	}
	for _, bad := range []string{
		`{tsig: {name: k, secret: "` + sweepTSIGSecret + `"}}`,
		`{primary: "192.0.2.53", tsig: {name: k, secret: "not base64!"}}`,
		`{primary: "192.0.2.53", tsig: {name: k, algorithm: hmac-md4, secret: "` + sweepTSIGSecret + `"}}`,
		`{primary: "192.0.2.53", interval: 10s}`,
	} {
		if _, err := probe.ParseConfig([]byte("modules:\n  m:\n    sweep: "+bad+"\n"), dir); err == nil || !strings.Contains(err.Error(), "sweep") {
			t.Errorf("sweep %s: err = %v, want a sweep error", bad, err)
		}
	}
}

// TestProbeSweepRunsOnItsOwnInterval: with a Sweeps store, the first
// probe starts a sweep in the background and reports none yet; the next
// probes report its result with its age and start no other sweep until
// the interval has passed, on the injected clock.
func TestProbeSweepRunsOnItsOwnInterval(t *testing.T) {
	start := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	now := start
	srv, p, m := sweepSetup(t, start)
	p.Now = func() time.Time { return now }
	p.Sweeps = probe.NewSweeps()

	r := p.Probe(t.Context(), "zone.tld.", "mem", m)
	if r.Sweep == nil || r.Sweep.Result != nil || !r.Sweep.Running {
		t.Fatalf("first probe: sweep %+v, want running with no result", r.Sweep)
	}
	p.Sweeps.Wait()
	for _, step := range []time.Duration{10 * time.Minute, 40 * time.Minute} {
		now = now.Add(step)
		r = p.Probe(t.Context(), "zone.tld.", "mem", m)
		p.Sweeps.Wait()
		if r.Sweep.Result == nil || r.Sweep.Age != now.Sub(start) {
			t.Fatalf("at %s: sweep %+v, want the first result aged %s", now.Sub(start), r.Sweep, now.Sub(start))
		}
	}
	if n := srv.Transfers.Load(); n != 1 {
		t.Errorf("%d transfers within the interval, want 1", n)
	}
	now = start.Add(probe.DefaultSweepInterval)
	p.Probe(t.Context(), "zone.tld.", "mem", m)
	p.Sweeps.Wait()
	if n := srv.Transfers.Load(); n != 2 {
		t.Errorf("%d transfers once the interval passed, want 2", n)
	}
}

// TestProbeSweepFailureIsAFinding: a primary that refuses the transfer
// (the wrong TSIG secret) raises sweep_failed, naming the primary.
func TestProbeSweepFailureIsAFinding(t *testing.T) {
	_, p, m := sweepSetup(t, time.Now())
	m.Sweep.TSIG.Secret = probe.Secret("d3Jvbmcgc2VjcmV0")
	if err := m.Validate(""); err != nil {
		t.Fatal(err)
	}
	r := p.Probe(t.Context(), "zone.tld.", "mem", m)
	if !r.HasFinding(probe.CheckSweepFailed) || r.Sweep.Result != nil {
		t.Errorf("sweep_failed %t, result %v\n%s", r.HasFinding(probe.CheckSweepFailed), r.Sweep.Result, debugText(r))
	}
}
