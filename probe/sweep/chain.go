package sweep

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/miekg/dns"

	"github.com/dnshealth/dnshealth_exporter/probe/validate"
)

// chainCheck holds the NSEC/NSEC3 chain's accumulators (see the package
// doc) and judges the chain at the end.
type chainCheck struct {
	res *Result
	o   *Options

	seed         maphash.Seed
	param        *dns.NSEC3PARAM
	optOut       bool
	authNames    int
	authSum      [2]uint64 // over the authoritative names, or their hashes with types
	ownerSum     [2]uint64 // over NSEC/NSEC3 owners
	nextSum      [2]uint64 // over their next names
	typedSum     [2]uint64 // NSEC3: over owner hash with types, for non-empty bitmaps
	chainRecords int
	typedRecords int
	wraps        int
	wrapToApex   bool
	// The same over secure names only, for opt-out.
	authSecure, typedSecure       int
	authSecureSum, typedSecureSum [2]uint64
	unusable                      string // why the chain cannot be checked, if it cannot
}

// sum adds the hash of s to acc, in two independent 64-bit halves.
func (s *chainCheck) sum(acc *[2]uint64, v string) {
	var h maphash.Hash
	h.SetSeed(s.seed)
	h.WriteString(v)
	acc[0] += h.Sum64()
	h.WriteByte(0xff)
	acc[1] += h.Sum64()
}

// bitmap renders a sorted type list for the chain sums.
func bitmap(types []uint16) string {
	var b strings.Builder
	for _, t := range types {
		b.WriteString(strconv.Itoa(int(t)))
		b.WriteByte(',')
	}
	return b.String()
}

// chainTypes are the types an NSEC or NSEC3 bitmap lists for a name with
// these RRsets (RFC 4034 section 4.1.2, RFC 5155 section 3.2.1): all of
// them, but at a delegation only NS, DS and the denial record itself
// (glue and occluded data are not the zone's). RRSIG is left out on both
// sides of every comparison: a name without signatures is reported as
// unsigned already.
func chainTypes(types []uint16, cut bool) []uint16 {
	var out []uint16
	for _, t := range types {
		if cut && t != dns.TypeNS && t != dns.TypeDS && t != dns.TypeNSEC {
			continue
		}
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// withoutRRSIG is a sorted copy of a type bitmap without RRSIG.
func withoutRRSIG(bitmap []uint16) []uint16 {
	out := slices.DeleteFunc(slices.Clone(bitmap), func(t uint16) bool { return t == dns.TypeRRSIG })
	slices.Sort(out)
	return out
}

// chainProblem keeps an example of where the chain breaks.
func (s *chainCheck) problem(owner, typ, format string, args ...any) {
	if len(s.res.ChainProblems) < s.o.MaxExamples {
		s.res.ChainProblems = append(s.res.ChainProblems, Problem{Owner: owner, Type: typ, Detail: fmt.Sprintf(format, args...)})
	}
}

// chainName accounts one authoritative name for the chain.
func (s *chainCheck) name(name string, cut bool, types []uint16, sets map[uint16][]dns.RR) {
	if !s.res.Signed {
		return
	}
	want := chainTypes(types, cut)
	switch s.res.Denial {
	case DenialNSEC:
		s.authNames++
		nsecs := sets[dns.TypeNSEC]
		if len(nsecs) != 1 {
			s.problem(name, "NSEC", "%d NSEC records at this name; every name of the zone has one (RFC 4035 section 2.3)", len(nsecs))
			return
		}
		n := nsecs[0].(*dns.NSEC)
		next := dns.CanonicalName(n.NextDomain)
		s.chainRecords++
		s.sum(&s.ownerSum, name)
		s.sum(&s.nextSum, next)
		if validate.Compare(next, name) <= 0 {
			s.wraps++
			s.wrapToApex = next == s.o.Zone
		}
		if got := withoutRRSIG(n.TypeBitMap); !slices.Equal(got, want) {
			s.problem(name, "NSEC", "the type bitmap lists %s; the name has %s", typeList(got), typeList(want))
		}
	case DenialNSEC3:
		if len(types) == 1 && types[0] == dns.TypeNSEC3 {
			return // a hashed owner name: the chain's own records
		}
		p := s.param
		if int(p.Iterations) > s.o.Validator.Limits.MaxNSEC3Iterations && s.o.Validator.Limits.MaxNSEC3Iterations > 0 {
			s.unusable = fmt.Sprintf("NSEC3 uses %d iterations, above the limit of %d: the chain is not hashed", p.Iterations, s.o.Validator.Limits.MaxNSEC3Iterations)
			return
		}
		h := strings.ToUpper(dns.HashName(name, p.Hash, p.Iterations, p.Salt))
		if h == "" {
			s.unusable = fmt.Sprintf("NSEC3 hash algorithm %d is not supported", p.Hash)
			return
		}
		v := h + " " + bitmap(want)
		s.authNames++
		s.sum(&s.authSum, v)
		if !cut || hasSet(sets, dns.TypeDS) {
			s.authSecure++
			s.sum(&s.authSecureSum, v)
		}
	}
}

func hasSet(sets map[uint16][]dns.RR, t uint16) bool {
	_, ok := sets[t]
	return ok
}

func typeList(types []uint16) string {
	var names []string
	for _, t := range types {
		names = append(names, validate.TypeString(t))
	}
	return "[" + strings.Join(names, " ") + "]"
}

// chainNSEC3 accounts the NSEC3 records at one hashed owner name.
func (s *chainCheck) records(owner string, rrs []dns.RR) {
	if s.res.Denial != DenialNSEC3 {
		return
	}
	hash, zone := validate.NSEC3Owner(owner)
	if zone != s.o.Zone {
		return
	}
	hash = strings.ToUpper(hash)
	for _, rr := range rrs {
		n := rr.(*dns.NSEC3)
		next := strings.ToUpper(n.NextDomain)
		if n.Flags&1 != 0 {
			s.optOut = true
		}
		s.chainRecords++
		s.sum(&s.ownerSum, hash)
		s.sum(&s.nextSum, next)
		if next <= hash { // base32hex keeps the order of the hashes
			s.wraps++
			s.wrapToApex = true
		}
		types := withoutRRSIG(n.TypeBitMap)
		if len(types) == 0 {
			continue // an empty non-terminal
		}
		v := hash + " " + bitmap(types)
		s.typedRecords++
		s.sum(&s.typedSum, v)
		if !(len(types) == 1 && types[0] == dns.TypeNS) {
			s.typedSecure++
			s.sum(&s.typedSecureSum, v)
		}
	}
}

// finishChain decides whether the chain is complete.
func (s *chainCheck) finish() {
	if !s.res.Signed {
		return
	}
	if s.unusable != "" {
		s.res.ChainProblems = append(s.res.ChainProblems, Problem{Owner: s.o.Zone, Detail: s.unusable})
		return
	}
	kind := "NSEC"
	switch s.res.Denial {
	case DenialNone:
		s.problem(s.o.Zone, "NSEC", "the apex has neither NSEC nor NSEC3PARAM: the zone cannot prove that any name does not exist")
	case DenialNSEC:
		if s.chainRecords != s.authNames {
			s.problem(s.o.Zone, kind, "%d of the zone's %d names have an NSEC record", s.chainRecords, s.authNames)
		}
	case DenialNSEC3:
		kind = "NSEC3"
		authN, authSum, typedN, typedSum := s.authNames, s.authSum, s.typedRecords, s.typedSum
		if s.optOut {
			// Opt-out: insecure delegations may lack an NSEC3 (RFC 5155
			// section 6), so they count on neither side.
			authN, authSum, typedN, typedSum = s.authSecure, s.authSecureSum, s.typedSecure, s.typedSecureSum
		}
		if authN != typedN || authSum != typedSum {
			s.problem(s.o.Zone, kind, "the NSEC3 records do not match the zone's names: %d names with data, %d NSEC3 records with types, and the hashes or type bitmaps differ", authN, typedN)
		}
	}
	if s.res.Denial != DenialNone {
		if s.ownerSum != s.nextSum {
			s.problem(s.o.Zone, kind, "the next names of the %d %s records are not their owner names: the chain has a gap", s.chainRecords, kind)
		}
		if s.wraps != 1 || !s.wrapToApex {
			s.problem(s.o.Zone, kind, "%d %s records point back to the start of the chain; a complete chain has exactly one, the last, pointing to the first", s.wraps, kind)
		}
	}
	ok := len(s.res.ChainProblems) == 0
	s.res.ChainComplete = &ok
}
