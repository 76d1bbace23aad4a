// Package sweep checks a whole signed zone as a zone transfer streams it:
// every RRset's signatures (with probe/validate, its limits and its
// budget), the earliest expiry, the RRsets that expire within a warning
// window, and the completeness of the NSEC or NSEC3 chain. It is pure over
// a stream of records (Sweeper.Add, then Sweeper.Finish); transfer.go is
// the small AXFR client that feeds it.
//
// # Bounded state
//
// Memory does not grow with the zone. The Sweeper holds:
//
//   - a window of the most recent owner names, Options.Window of them
//     (default 1024), with their records. AXFR does not promise any order
//     (RFC 5936 section 2.2 fixes only the first and last SOA), but BIND,
//     NSD and Knot send a zone name by name, each name's records together,
//     parents before children. A name is judged when it leaves the window,
//     so records of one name may arrive up to Window names apart;
//   - the zone cuts of the last Window delegations, to tell glue and
//     occluded names below them from the zone's own data;
//   - the RRsets that failed (unsigned or invalid), up to Window of them
//     with their records: a signature that arrives after its RRset left the
//     window is matched with it at the end, so a transfer that sends RRSIGs
//     apart from their RRsets is not mistaken for a broken zone;
//   - fixed-size accumulators for the NSEC/NSEC3 chain (counts, two 64-bit
//     sums of hashes over owner names, next names and type bitmaps), and up
//     to Options.MaxExamples examples of each problem.
//
// A name that returns after leaving the window is counted in
// Result.Reordered when it returns within 16 windows (the names judged
// lately are remembered that far back; further returns go uncounted): its
// RRsets were judged in two parts, and a part without signatures is
// reported unsigned unless its signatures come later and it was held.
// Raise the window when Reordered is not 0.
//
// # The NSEC and NSEC3 chain
//
// The chain is complete when every authoritative name has exactly one
// NSEC (or one NSEC3 at its hash, with the types present at the name),
// and the records form one cycle in canonical (hash) order. With O(1)
// state that is checked as: the multiset of owners equals the multiset of
// next names (equal counts and equal sums of hashes), exactly one record
// points backwards (the last, to the apex or the first hash), and the
// owners are the zone's authoritative names with their types (equal sums
// of hashes of name and type bitmap on both sides). A permutation of the
// names in which every step but one goes forward in canonical order is the
// one sorted cycle, so together these prove the chain, up to a collision of
// 128 bits of hash. NSEC3 records of empty non-terminals (empty type
// bitmap) are counted in the cycle but not matched with names, since a
// stream does not show which names are empty non-terminals; with opt-out,
// insecure delegations may have no NSEC3 and are left out on both sides.
package sweep

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// recentFactor: the names judged lately, remembered to count the ones that
// come back (Result.Reordered), are this many windows.
const recentFactor = 16

// Defaults of Options.
const (
	DefaultWindow      = 1024
	DefaultMaxExamples = 10
)

// Options configures a Sweeper.
type Options struct {
	// Zone is the zone transferred, fully qualified.
	Zone string
	// Now is the clock reading signatures are judged against.
	Now time.Time
	// Warning is the window: RRsets whose signatures stop validating
	// within it of Now are counted in Result.Expiring.
	Warning time.Duration
	// Validator verifies signatures: its Limits bound the work on one
	// RRset and its Budget the whole sweep's.
	Validator validate.Validator
	// Window is how many owner names are held before the oldest is
	// judged; 0 means DefaultWindow.
	Window int
	// MaxExamples bounds the examples kept of each kind of problem; 0
	// means DefaultMaxExamples.
	MaxExamples int
}

// Problem is one RRset, or one place in the chain, that failed.
type Problem struct {
	Owner  string `json:"owner"`
	Type   string `json:"type"`
	Detail string `json:"detail"`
}

// Denial kinds for Result.Denial.
const (
	DenialNone  = ""
	DenialNSEC  = "nsec"
	DenialNSEC3 = "nsec3"
)

// Result is what a sweep found.
type Result struct {
	Zone string `json:"zone"`
	// Serial is the serial of the SOA that opened the transfer.
	Serial uint32 `json:"serial"`
	// Records counts the records received (the closing SOA excluded);
	// RRsets the RRsets judged (RRSIGs are not RRsets of their own).
	Records int `json:"records"`
	RRsets  int `json:"rrsets"`
	// Signed is set when the apex has a DNSKEY RRset.
	Signed bool `json:"signed"`
	// KeysValid is set when the DNSKEY RRset is signed by one of its keys.
	KeysValid bool `json:"keys_valid"`
	// EarliestExpiration is the first moment an RRset stops validating:
	// the minimum over RRsets of the latest expiry of their valid
	// signatures; Earliest names that RRset.
	EarliestExpiration time.Time `json:"earliest_expiration"`
	Earliest           Problem   `json:"earliest"`
	// Expiring counts the RRsets that stop validating within the
	// warning window.
	Expiring int `json:"expiring"`
	// Unsigned counts the authoritative RRsets with no RRSIG at all;
	// Invalid those with RRSIGs of which none validates now (expired, not
	// yet valid, by a missing key, or not verifying).
	Unsigned int       `json:"unsigned"`
	Invalid  int       `json:"invalid"`
	Problems []Problem `json:"problems"`
	// Denial is the kind of chain ("nsec", "nsec3", or "" for none).
	Denial string `json:"denial"`
	// ChainComplete is nil when the zone is unsigned or the chain could
	// not be checked; ChainProblems says where it breaks.
	ChainComplete *bool     `json:"chain_complete"`
	ChainProblems []Problem `json:"chain_problems"`
	// Reordered counts names whose records came back after the name left
	// the window (see the package doc).
	Reordered int `json:"reordered"`
	// BudgetExhausted is set when the validation budget ran out: some
	// RRsets were not judged, and the counts are lower bounds.
	BudgetExhausted bool `json:"budget_exhausted"`
}

// group is the records of one owner name held in the window.
type group struct {
	name string
	rrs  []dns.RR
}

// rrsetKey names an RRset.
type rrsetKey struct {
	owner string
	t     uint16
}

// held is a failed RRset kept until the end, in case its missing
// records or signatures come later.
type held struct {
	rrs  []dns.RR
	sigs []*dns.RRSIG
	// firstUnsigned: it was counted unsigned (else invalid); grew: more
	// of its records or signatures came after it was judged.
	firstUnsigned, grew bool
}

// Sweeper judges a zone as its records stream in. Add every record of the
// transfer in order, then call Finish once. Not safe for concurrent use.
type Sweeper struct {
	o   Options
	res Result

	window  map[string]*group
	order   []string // owner names in the window, oldest first
	recent  map[string]bool
	recentQ []string // names judged lately, for Reordered
	cuts    map[string]bool
	cutQ    []string
	failed  map[rrsetKey]*held
	failedQ []rrsetKey
	keys    []*dns.DNSKEY

	chain chainCheck
}

// New returns a Sweeper for one transfer.
func New(o Options) *Sweeper {
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.MaxExamples <= 0 {
		o.MaxExamples = DefaultMaxExamples
	}
	o.Zone = dns.CanonicalName(o.Zone)
	s := &Sweeper{
		o:      o,
		res:    Result{Zone: o.Zone},
		window: map[string]*group{},
		recent: map[string]bool{},
		cuts:   map[string]bool{},
		failed: map[rrsetKey]*held{},
	}
	s.chain = chainCheck{res: &s.res, o: &s.o, seed: maphash.MakeSeed()}
	return s
}

// Add takes the next record of the transfer. The first must be the
// zone's SOA (RFC 5936 section 2.2); records outside the zone are errors.
func (s *Sweeper) Add(rr dns.RR) error {
	h := rr.Header()
	name := dns.CanonicalName(h.Name)
	if s.res.Records == 0 {
		soa, ok := rr.(*dns.SOA)
		if !ok || name != s.o.Zone {
			return fmt.Errorf("the transfer of %s does not begin with its SOA but with %s %s", s.o.Zone, h.Name, dns.TypeToString[h.Rrtype])
		}
		s.res.Serial = soa.Serial
	}
	if !dns.IsSubDomain(s.o.Zone, name) {
		return fmt.Errorf("the transfer of %s holds %s %s, outside the zone", s.o.Zone, h.Name, dns.TypeToString[h.Rrtype])
	}
	s.res.Records++
	g := s.window[name]
	if g == nil {
		if s.recent[name] {
			s.res.Reordered++
		}
		g = &group{name: name}
		s.window[name] = g
		s.order = append(s.order, name)
	}
	g.rrs = append(g.rrs, rr)
	for len(s.order) > s.o.Window {
		s.flushOldest()
	}
	return nil
}

// Finish judges what is left and returns the result.
func (s *Sweeper) Finish() *Result {
	for len(s.order) > 0 {
		s.flushOldest()
	}
	// Failed RRsets completed by records that came late.
	for _, k := range s.failedQ {
		f := s.failed[k]
		if !f.grew || len(f.rrs) == 0 || len(f.sigs) == 0 {
			continue
		}
		v := s.o.Validator.VerifyRRset(f.rrs, f.sigs, s.keys, s.o.Zone, s.o.Now)
		switch {
		case v.Valid:
			if f.firstUnsigned {
				s.res.Unsigned--
			} else {
				s.res.Invalid--
			}
			s.dropProblem(k)
			s.expiry(k, v.Expiration)
		case f.firstUnsigned:
			s.res.Unsigned--
			s.res.Invalid++
		}
	}
	s.chain.finish()
	s.res.BudgetExhausted = s.o.Validator.Budget.Exhausted()
	return &s.res
}

func (s *Sweeper) flushOldest() {
	name := s.order[0]
	s.order = s.order[1:]
	g := s.window[name]
	delete(s.window, name)
	if !s.recent[name] {
		s.recent[name] = true
		s.recentQ = append(s.recentQ, name)
		if len(s.recentQ) > recentFactor*s.o.Window {
			delete(s.recent, s.recentQ[0])
			s.recentQ = s.recentQ[1:]
		}
	}
	s.judge(g)
}

// occluded reports whether name is below a zone cut the sweep knows of
// (judged lately, or in the window): glue or occluded data.
func (s *Sweeper) occluded(name string) bool {
	labels := dns.SplitDomainName(name)
	for i := 1; i < len(labels); i++ {
		anc := dns.Fqdn(strings.Join(labels[i:], "."))
		if len(anc) <= len(s.o.Zone) {
			break
		}
		if s.cuts[anc] {
			return true
		}
		if g := s.window[anc]; g != nil && hasType(g.rrs, dns.TypeNS) {
			return true
		}
	}
	return false
}

func hasType(rrs []dns.RR, t uint16) bool {
	for _, rr := range rrs {
		if rr.Header().Rrtype == t {
			return true
		}
	}
	return false
}

func (s *Sweeper) rememberCut(name string) {
	if s.cuts[name] {
		return
	}
	s.cuts[name] = true
	s.cutQ = append(s.cutQ, name)
	if len(s.cutQ) > s.o.Window {
		delete(s.cuts, s.cutQ[0])
		s.cutQ = s.cutQ[1:]
	}
}

// judge checks the records of one owner name.
func (s *Sweeper) judge(g *group) {
	apex := g.name == s.o.Zone
	if apex {
		s.judgeApex(g)
	}
	if s.occluded(g.name) {
		return
	}
	cut := !apex && hasType(g.rrs, dns.TypeNS)
	if cut {
		s.rememberCut(g.name)
	}
	// RRsets by type, RRSIGs by the type they cover.
	sets := map[uint16][]dns.RR{}
	sigs := map[uint16][]*dns.RRSIG{}
	var types []uint16
	for _, rr := range g.rrs {
		if sig, ok := rr.(*dns.RRSIG); ok {
			sigs[sig.TypeCovered] = append(sigs[sig.TypeCovered], sig)
			continue
		}
		t := rr.Header().Rrtype
		if _, ok := sets[t]; !ok {
			types = append(types, t)
		}
		sets[t] = append(sets[t], rr)
	}
	slices.Sort(types)
	if len(types) == 0 {
		// Only signatures: their RRsets left the window before them.
		s.lateSigs(g.name, sigs)
		return
	}
	s.chain.name(g.name, cut, types, sets)
	for _, t := range types {
		if cut && t != dns.TypeDS && t != dns.TypeNSEC {
			continue // the delegation's NS and glue are not signed (RFC 4035 section 2.2)
		}
		if t == dns.TypeNSEC3 {
			s.chain.records(g.name, sets[t])
		}
		s.res.RRsets++
		if !s.res.Signed {
			continue
		}
		s.judgeRRset(rrsetKey{g.name, t}, sets[t], sigs[t])
	}
	for t := range sets {
		delete(sigs, t)
	}
	s.lateSigs(g.name, sigs)
}

// lateSigs adds signatures whose RRsets left the window before them to
// those RRsets, when they were held as failed.
func (s *Sweeper) lateSigs(name string, sigs map[uint16][]*dns.RRSIG) {
	for t, ss := range sigs {
		if f := s.failed[rrsetKey{name, t}]; f != nil {
			f.sigs = append(f.sigs, ss...)
			f.grew = true
		}
	}
}

// judgeApex takes the zone's keys and its NSEC3 parameters.
func (s *Sweeper) judgeApex(g *group) {
	var keyset []dns.RR
	var keySigs []*dns.RRSIG
	for _, rr := range g.rrs {
		switch v := rr.(type) {
		case *dns.DNSKEY:
			keyset = append(keyset, v)
			if validate.ZoneKey(v) {
				s.keys = append(s.keys, v)
			}
		case *dns.RRSIG:
			if v.TypeCovered == dns.TypeDNSKEY {
				keySigs = append(keySigs, v)
			}
		case *dns.NSEC3PARAM:
			if s.chain.param == nil {
				s.chain.param = v
			}
		case *dns.NSEC:
			s.res.Denial = DenialNSEC
		}
	}
	if s.chain.param != nil {
		s.res.Denial = DenialNSEC3
	}
	s.res.Signed = len(keyset) > 0
	if s.res.Signed {
		v := s.o.Validator.VerifyRRset(keyset, keySigs, s.keys, s.o.Zone, s.o.Now)
		s.res.KeysValid = v.Valid
	}
}

// judgeRRset verifies one RRset and counts what it shows.
func (s *Sweeper) judgeRRset(k rrsetKey, rrs []dns.RR, sigs []*dns.RRSIG) {
	if f := s.failed[k]; f != nil {
		// More of an RRset that failed: judged again at the end.
		f.rrs = append(f.rrs, rrs...)
		f.sigs = append(f.sigs, sigs...)
		f.grew = true
		return
	}
	if len(sigs) == 0 {
		s.res.Unsigned++
		s.problem(k, "no RRSIG")
		s.hold(k, rrs, nil, true)
		return
	}
	v := s.o.Validator.VerifyRRset(rrs, sigs, s.keys, s.o.Zone, s.o.Now)
	if !v.Valid {
		s.res.Invalid++
		detail := v.Reason.String()
		if v.Detail != "" {
			// The owner and type are the Problem's own fields.
			detail = strings.TrimPrefix(v.Detail, k.owner+" "+dns.TypeToString[k.t]+": ")
		}
		s.problem(k, detail)
		s.hold(k, rrs, sigs, false)
		return
	}
	s.expiry(k, v.Expiration)
}

// expiry counts an RRset's expiry in the earliest and the warning window.
func (s *Sweeper) expiry(k rrsetKey, exp time.Time) {
	if exp.IsZero() {
		return
	}
	if s.res.EarliestExpiration.IsZero() || exp.Before(s.res.EarliestExpiration) {
		s.res.EarliestExpiration = exp
		s.res.Earliest = Problem{Owner: k.owner, Type: dns.TypeToString[k.t], Detail: "earliest expiry"}
	}
	if exp.Sub(s.o.Now) < s.o.Warning {
		s.res.Expiring++
	}
}

func (s *Sweeper) problem(k rrsetKey, detail string) {
	if len(s.res.Problems) < s.o.MaxExamples {
		s.res.Problems = append(s.res.Problems, Problem{Owner: k.owner, Type: dns.TypeToString[k.t], Detail: detail})
	}
}

func (s *Sweeper) dropProblem(k rrsetKey) {
	s.res.Problems = slices.DeleteFunc(s.res.Problems, func(p Problem) bool {
		return p.Owner == k.owner && p.Type == dns.TypeToString[k.t]
	})
}

// hold keeps a failed RRset for the end, up to Window of them.
func (s *Sweeper) hold(k rrsetKey, rrs []dns.RR, sigs []*dns.RRSIG, unsigned bool) {
	if len(s.failedQ) >= s.o.Window {
		return
	}
	s.failed[k] = &held{rrs: rrs, sigs: sigs, firstUnsigned: unsigned}
	s.failedQ = append(s.failedQ, k)
}
