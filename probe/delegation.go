package probe

import (
	"context"
)

// Probe walks the delegation of zone and checks every nameserver address.
// zone must come from ParseTarget. It always returns a report: failures are
// findings, and at the context's deadline it returns what it has.
func (p *Prober) Probe(ctx context.Context, zone, moduleName string, m *Module) *Report {
	r := &Report{Zone: zone, Module: moduleName}
	return r
}
