package sweep

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"

	"github.com/miekg/dns"
)

// TSIG is a transaction signature key (RFC 8945): its name, algorithm
// (dns.HmacSHA256 and the other names miekg/dns knows) and base64 secret.
type TSIG struct {
	Name      string
	Algorithm string
	Secret    string
}

// Source is where to transfer the zone from.
type Source struct {
	// Addr is the primary's address and port: any server that allows the
	// transfer, in the NS set or not (a hidden primary).
	Addr netip.AddrPort
	// TSIG signs the request and is required on the replies; nil sends
	// none.
	TSIG *TSIG
	// ReadTimeout bounds the wait for each message of the transfer.
	ReadTimeout time.Duration
}

// Transfer streams the zone from src over AXFR (RFC 5936) into a Sweeper
// built from o and returns its result. Records are handed to the Sweeper
// as each message arrives; none is kept beyond what the Sweeper keeps.
// The transfer stops when ctx ends, with ctx's error.
func Transfer(ctx context.Context, src Source, o Options) (*Result, error) {
	zone := dns.Fqdn(o.Zone)
	if src.ReadTimeout <= 0 {
		src.ReadTimeout = 10 * time.Second
	}
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", src.Addr.String())
	if err != nil {
		return nil, fmt.Errorf("AXFR of %s from %s: %w", zone, src.Addr, err)
	}
	// The transfer's reads end when ctx does: closing the connection
	// unblocks them.
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	defer c.Close()

	t := &dns.Transfer{Conn: &dns.Conn{Conn: c}, ReadTimeout: src.ReadTimeout}
	q := new(dns.Msg)
	q.SetAxfr(zone)
	if src.TSIG != nil {
		name := dns.Fqdn(src.TSIG.Name)
		t.TsigSecret = map[string]string{name: src.TSIG.Secret}
		// TSIG carries the real time: the server checks it against its
		// clock (RFC 8945 section 5.2.3), whatever clock judges signatures.
		q.SetTsig(name, dns.Fqdn(src.TSIG.Algorithm), 300, time.Now().Unix())
	}
	env, err := t.In(q, src.Addr.String())
	if err != nil {
		return nil, fmt.Errorf("AXFR of %s from %s: %w", zone, src.Addr, err)
	}
	s := New(o)
	var ferr error
	done := false
	for e := range env {
		if ferr != nil || done {
			continue // drain, so that the reader goroutine ends
		}
		if e.Error != nil {
			ferr = e.Error
			continue
		}
		for _, rr := range e.RR {
			if s.res.Records > 0 && rr.Header().Rrtype == dns.TypeSOA && dns.CanonicalName(rr.Header().Name) == s.o.Zone {
				done = true // the closing SOA
				break
			}
			if err := s.Add(rr); err != nil {
				ferr = err
				break
			}
		}
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("AXFR of %s from %s: %w", zone, src.Addr, ctx.Err())
	}
	if ferr != nil {
		return nil, fmt.Errorf("AXFR of %s from %s after %d records: %w", zone, src.Addr, s.res.Records, ferr)
	}
	if !done {
		return nil, fmt.Errorf("AXFR of %s from %s: %w after %d records", zone, src.Addr, errTruncated, s.res.Records)
	}
	return s.Finish(), nil
}

// errTruncated: the transfer ended without its closing SOA.
var errTruncated = errors.New("the transfer ended without the closing SOA")
