package probe

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/miekg/dns"
)

// reply is the outcome of one question to one address, after UDP retries
// and TCP fallback.
type reply struct {
	msg       *dns.Msg
	rtt       time.Duration
	transport string
	err       error
	// noEDNS is set when the server answered only once EDNS was dropped.
	noEDNS bool
}

// wire sends one probe's queries and keeps their account: the budget of
// max_queries, whether the deadline cut one short, the query log, and the
// bound on queries in flight.
type wire struct {
	p *Prober
	m *Module
	// ex sends the queries: the Prober's Exchanger, or the probe's own
	// session of it (udpsession.go).
	ex Exchanger
	// ids draws the probe's message IDs.
	ids *idSource

	mu        sync.Mutex
	sent      int
	budgetHit bool
	abortSeen bool // a query was cut short by the probe's deadline
	queries   []Query
	// inflight holds a token for each query on the wire.
	inflight chan struct{}
	// flights are the questions askDO has on the wire, by address and
	// question (guarded by mu).
	flights map[flightKey]*wireFlight
}

func (r *wire) aborted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.abortSeen
}

func (r *wire) budgetExhausted() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.budgetHit
}

// stopped reports whether the probe's budget or deadline ran out.
func (r *wire) stopped() bool { return r.aborted() || r.budgetExhausted() }

func (r *wire) addQuery(q Query) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queries = append(r.queries, q)
}

func (r *wire) markAborted() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.abortSeen = true
}

// takeBudget reserves one query, or reports that the budget is spent.
func (r *wire) takeBudget() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.sent >= r.m.MaxQueries {
		r.budgetHit = true
		return false
	}
	r.sent++
	return true
}

// ask sends qname/qtype to addr with RD=0 and EDNS0, retrying UDP timeouts
// up to query_attempts times and repeating over TCP when the UDP answer is
// truncated. A server that rejects EDNS with FORMERR or NOTIMP is asked
// again without it, as resolvers do (RFC 6891 section 7).
func (r *wire) ask(ctx context.Context, nsName string, addr netip.Addr, qname string, qtype uint16) reply {
	return r.askDO(ctx, nsName, addr, qname, qtype, false)
}

// askDO is ask with the DNSSEC OK bit set as given, to get RRSIGs and
// NSEC/NSEC3 proofs along with the data.
//
// A question already on its way to the same address (the walk's and the
// early parent round's NS question to a parent server, which start
// together) is not sent again: the second asker waits for the first's
// reply and gets a copy of it. Only questions in flight are shared; one
// asked after the reply came is sent anew.
func (r *wire) askDO(ctx context.Context, nsName string, addr netip.Addr, qname string, qtype uint16, do bool) reply {
	key := flightKey{addr: addr, qname: qname, qtype: qtype, do: do}
	r.mu.Lock()
	if f := r.flights[key]; f != nil {
		f.waiters++
		r.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			r.markAborted()
			return reply{err: errAborted, transport: "udp"}
		}
		rep := f.rep
		if rep.msg != nil {
			rep.msg = rep.msg.Copy()
		}
		return rep
	}
	if r.flights == nil {
		r.flights = map[flightKey]*wireFlight{}
	}
	f := &wireFlight{done: make(chan struct{})}
	r.flights[key] = f
	r.mu.Unlock()

	q := newQuestion(qname, qtype)
	q.RecursionDesired = false
	q.SetEdns0(r.m.EDNSBufferSize, do)
	f.rep = r.askEDNS(ctx, nsName, addr, q)

	r.mu.Lock()
	delete(r.flights, key)
	r.mu.Unlock()
	close(f.done)
	return f.rep
}

// flightKey is a question to one address, as askDO sends it.
type flightKey struct {
	addr  netip.Addr
	qname string
	qtype uint16
	do    bool
}

// wireFlight is a question in flight and, once done is closed, its reply.
type wireFlight struct {
	done    chan struct{}
	rep     reply
	waiters int // askers waiting for rep besides the one that sent it
}

// askEDNS sends q, which carries an OPT record, and asks again without
// EDNS when the server rejects it.
func (r *wire) askEDNS(ctx context.Context, nsName string, addr netip.Addr, q *dns.Msg) reply {
	rep := r.askMsg(ctx, nsName, addr, q)
	if rep.err == nil && (rep.msg.Rcode == dns.RcodeFormatError || rep.msg.Rcode == dns.RcodeNotImplemented) && rep.msg.IsEdns0() == nil {
		q.Extra = nil
		if plain := r.askMsg(ctx, nsName, addr, q); plain.err == nil && plain.msg.Rcode != dns.RcodeFormatError && plain.msg.Rcode != dns.RcodeNotImplemented {
			plain.noEDNS = true
			return plain
		}
	}
	return rep
}

func (r *wire) askMsg(ctx context.Context, nsName string, addr netip.Addr, q *dns.Msg) reply {
	var last reply
	for attempt := 0; attempt < r.m.QueryAttempts; attempt++ {
		last = r.exchange(ctx, nsName, addr, q, "udp")
		if last.err == nil && last.msg.Truncated {
			return r.exchange(ctx, nsName, addr, q, "tcp")
		}
		if !isTimeout(last.err) || errors.Is(last.err, errAborted) {
			return last
		}
	}
	return last
}

// exchange sends one message to addr on the module's port and records it
// in the report.
func (r *wire) exchange(ctx context.Context, nsName string, addr netip.Addr, q *dns.Msg, network string) reply {
	return r.exchangeTo(ctx, nsName, netip.AddrPortFrom(addr, uint16(r.m.Port)), q, network)
}

// exchangeTo is exchange to any address and port (a resolver's, say).
func (r *wire) exchangeTo(ctx context.Context, nsName string, dst netip.AddrPort, q *dns.Msg, network string) reply {
	if ctx.Err() != nil {
		r.markAborted()
		return reply{err: errAborted, transport: network}
	}
	if !r.takeBudget() {
		return reply{err: errBudget, transport: network}
	}
	select {
	case r.inflight <- struct{}{}:
		defer func() { <-r.inflight }()
	case <-ctx.Done():
		r.markAborted()
		return reply{err: errAborted, transport: network}
	}
	start := time.Now()
	wait := r.attemptTimeout()
	qctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// When the probe's deadline comes before the query's own, a timeout
	// says nothing about the server.
	pd, hasPD := ctx.Deadline()
	cutByProbe := hasPD && pd.Before(start.Add(wait))
	m := q.Copy()
	m.Id = r.ids.next()
	resp, rtt, err := r.ex.Exchange(qctx, m, dst, network)
	if err == nil {
		err = checkReply(m, resp)
	}
	if err != nil && (ctx.Err() != nil || cutByProbe && isTimeout(err)) {
		r.markAborted()
		err = fmt.Errorf("%w: %v", errAborted, err)
	}
	rec := Query{
		Nameserver: nsName,
		Address:    dst.Addr().String(),
		Qname:      m.Question[0].Name,
		Qtype:      dns.TypeToString[m.Question[0].Qtype],
		Flags:      requestFlags(m),
		Transport:  network,
		RTT:        rtt,
	}
	if int(dst.Port()) != r.m.Port {
		rec.Address = dst.String()
	}
	if err != nil {
		rec.Err = err.Error()
	} else {
		rec.Rcode = dns.RcodeToString[resp.Rcode]
		rec.RespFlags = respFlags(resp)
	}
	r.addQuery(rec)
	return reply{msg: resp, rtt: rtt, transport: network, err: err}
}

// errMismatch marks a reply that does not answer the question asked.
var errMismatch = errors.New("reply does not match the question")

func checkReply(q, resp *dns.Msg) error {
	if resp == nil {
		return errMismatch
	}
	if !resp.Response {
		return fmt.Errorf("%w: QR bit not set", errMismatch)
	}
	if len(resp.Question) != 1 {
		if resp.Rcode == dns.RcodeRefused || resp.Rcode == dns.RcodeServerFailure || resp.Rcode == dns.RcodeFormatError || resp.Rcode == dns.RcodeNotImplemented {
			return nil // some servers drop the question from error replies
		}
		return fmt.Errorf("%w: %d questions", errMismatch, len(resp.Question))
	}
	want, got := q.Question[0], resp.Question[0]
	if !strings.EqualFold(want.Name, got.Name) || want.Qtype != got.Qtype || want.Qclass != got.Qclass {
		return fmt.Errorf("%w: asked %s %s, reply is for %s %s", errMismatch,
			want.Name, dns.TypeToString[want.Qtype], got.Name, dns.TypeToString[got.Qtype])
	}
	return nil
}

func requestFlags(m *dns.Msg) string {
	edns := "edns=off"
	if opt := m.IsEdns0(); opt != nil {
		edns = fmt.Sprintf("edns=%d", opt.UDPSize())
		if opt.Do() {
			edns += " do=1"
		}
	}
	flags := fmt.Sprintf("rd=%d %s", b2i(m.RecursionDesired), edns)
	if m.RecursionDesired {
		// Only recursive queries (to resolvers) say CD either way.
		flags += fmt.Sprintf(" cd=%d", b2i(m.CheckingDisabled))
	}
	return flags
}

func respFlags(m *dns.Msg) string {
	var f []string
	if m.Authoritative {
		f = append(f, "aa")
	}
	if m.Truncated {
		f = append(f, "tc")
	}
	if m.RecursionAvailable {
		f = append(f, "ra")
	}
	if m.AuthenticatedData {
		f = append(f, "ad")
	}
	return strings.Join(f, " ")
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// classifyError maps a failed exchange to a nameserver status.
func classifyError(err error) Status {
	switch {
	case isTimeout(err):
		return StatusTimeout
	case errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.EAFNOSUPPORT), errors.Is(err, syscall.EADDRNOTAVAIL):
		return StatusFamilyUnreachable
	case errors.Is(err, errMismatch), errors.Is(err, dns.ErrId):
		return StatusMalformed
	}
	var ne net.Error
	var errno syscall.Errno
	if errors.As(err, &ne) || errors.As(err, &errno) {
		return StatusNetworkError
	}
	// Anything else came from unpacking the reply.
	return StatusMalformed
}

// wantFamily reports whether the module probes addr's family.
func (m *Module) wantFamily(a netip.Addr) bool {
	switch m.IPProtocol {
	case IPv4Only:
		return a.Is4()
	case IPv6Only:
		return a.Is6() && !a.Is4In6()
	}
	return true
}

// addrQtypes are the address record types of the module's families.
func (m *Module) addrQtypes() []uint16 {
	switch m.IPProtocol {
	case IPv4Only:
		return []uint16{dns.TypeA}
	case IPv6Only:
		return []uint16{dns.TypeAAAA}
	}
	return []uint16{dns.TypeA, dns.TypeAAAA}
}

// addrTypes names addrQtypes for messages: "A", "AAAA" or "A or AAAA".
func (m *Module) addrTypes() string {
	var names []string
	for _, t := range m.addrQtypes() {
		names = append(names, dns.TypeToString[t])
	}
	return strings.Join(names, " or ")
}

// attemptTimeout is how long one attempt waits: the query's timeout shared
// by its attempts, so that a dead server costs one query_timeout however
// often it is asked, overlapping the rest of the probe.
func (r *wire) attemptTimeout() time.Duration {
	return r.m.QueryTimeout / time.Duration(max(r.m.QueryAttempts, 1))
}
