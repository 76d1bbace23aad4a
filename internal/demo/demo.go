// Package demo builds module "demo": a probe module pointed at the lab
// hierarchy (its root hints, port and trust anchor). It is the one place
// that does so, for main.go's --demo and for the tests; it cannot live in
// lab/, which must not import the probe engine.
package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/dnshealth/dnshealth_exporter/lab"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// Module returns module "demo" for l. Each tune function may change the
// module before it is validated (tests shorten the query timeout).
func Module(l *lab.Lab, tune ...func(*probe.Module)) (*probe.Module, error) {
	var err error
	m := &probe.Module{Port: l.Port(), Timeout: 5 * time.Second, QueryTimeout: time.Second}
	m.RootServers, err = probe.ParseRootHints(strings.NewReader(l.RootHints()), "demo")
	if err != nil {
		return nil, fmt.Errorf("demo root hints: %w", err)
	}
	// The demo root has its own keys: validate from its anchor, not IANA's.
	m.TrustAnchors, err = probe.ParseTrustAnchors(strings.NewReader(l.TrustAnchors()), "demo")
	if err != nil {
		return nil, fmt.Errorf("demo trust anchors: %w", err)
	}
	for _, f := range tune {
		f(m)
	}
	if err := m.Validate(""); err != nil {
		return nil, fmt.Errorf("demo module: %w", err)
	}
	return m, nil
}
