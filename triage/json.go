package triage

import (
	"cmp"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dnshealth/dnshealth_exporter/internal/display"
	"github.com/dnshealth/dnshealth_exporter/probe"
)

// JSONVersion is the version of the document JSON writes. It changes only
// when a field is removed or changes meaning; new fields may be added to
// version 1. docs/check-json.md describes every field.
const JSONVersion = 1

// The document. Every field is always present: arrays are [] when empty,
// and a value that does not apply is null. Durations are seconds as
// numbers, times RFC 3339 in UTC, zone names fully qualified ("." for the
// root) and nameserver names without the trailing dot, as the probe
// reports them.

type document struct {
	Version         int               `json:"version"`
	Zone            string            `json:"zone"`
	Module          string            `json:"module"`
	Time            *string           `json:"time"`
	DurationSeconds float64           `json:"duration_seconds"`
	TimedOut        bool              `json:"timed_out"`
	QueryCount      int               `json:"query_count"`
	Success         bool              `json:"success"`
	ExitCode        int               `json:"exit_code"`
	Diagnosis       *jsonDiagnosis    `json:"diagnosis"`
	Delegation      jsonDelegation    `json:"delegation"`
	DNSSEC          *jsonDNSSEC       `json:"dnssec"`
	Resolvers       []jsonResolver    `json:"resolvers"`
	Findings        []jsonFinding     `json:"findings"`
	Remediation     []jsonRemediation `json:"remediation"`
}

type jsonDiagnosis struct {
	Cause                string   `json:"cause"`
	Severity             *string  `json:"severity"`
	Summary              string   `json:"summary"`
	ServfailExpected     bool     `json:"servfail_expected"`
	ServfailIntermittent bool     `json:"servfail_intermittent"`
	Checks               []string `json:"checks"`
}

type jsonDelegation struct {
	Parent           *string             `json:"parent"`
	Path             []jsonHop           `json:"path"`
	ParentServers    []jsonParentServer  `json:"parent_servers"`
	NS               []string            `json:"ns"`
	NSAddresses      map[string][]string `json:"ns_addresses"`
	Nameservers      []jsonNameserver    `json:"nameservers"`
	SerialConsistent *bool               `json:"serial_consistent"`
	NSConsistent     *bool               `json:"ns_parent_child_consistent"`
	GlueConsistent   *bool               `json:"glue_consistent"`
}

type jsonHop struct {
	Zone    string   `json:"zone"`
	Servers []string `json:"servers"`
	Cached  bool     `json:"cached"`
}

type jsonParentServer struct {
	Nameserver string              `json:"nameserver"`
	Address    string              `json:"address"`
	OK         bool                `json:"ok"`
	Detail     *string             `json:"detail"`
	NS         []string            `json:"ns"`
	Glue       map[string][]string `json:"glue"`
}

type jsonNameserver struct {
	Nameserver string   `json:"nameserver"`
	Address    string   `json:"address"`
	Status     string   `json:"status"`
	Lame       bool     `json:"lame"`
	RTTSeconds float64  `json:"rtt_seconds"`
	Serial     *uint32  `json:"serial"`
	ApexNS     []string `json:"apex_ns"`
	Transport  *string  `json:"transport"`
	Detail     *string  `json:"detail"`
}

type jsonDNSSEC struct {
	Status             string          `json:"status"`
	Intermittent       bool            `json:"intermittent"`
	Anchor             *string         `json:"anchor"`
	Chain              []jsonChainLink `json:"chain"`
	DS                 []jsonDS        `json:"ds"`
	DNSKEYs            []jsonDNSKEY    `json:"dnskeys"`
	DSMatchesDNSKEY    *bool           `json:"ds_matches_dnskey"`
	DNSKEYConsistent   *bool           `json:"dnskey_consistent"`
	CDSMatchesDS       *bool           `json:"cds_matches_ds"`
	NSEC3              *jsonNSEC3      `json:"nsec3"`
	EarliestExpiration *string         `json:"earliest_expiration"`
	DaysToExpiry       *float64        `json:"days_to_expiry"`
	Signatures         []jsonSignature `json:"signatures"`
	Denials            []jsonDenial    `json:"denials"`
}

type jsonChainLink struct {
	Zone    string   `json:"zone"`
	Status  string   `json:"status"`
	KeyTags []uint16 `json:"key_tags"`
	Cached  bool     `json:"cached"`
	Detail  *string  `json:"detail"`
}

type jsonDS struct {
	KeyTag     uint16 `json:"key_tag"`
	Algorithm  uint8  `json:"algorithm"`
	DigestType uint8  `json:"digest_type"`
	Matched    bool   `json:"matched"`
}

type jsonDNSKEY struct {
	KeyTag      uint16 `json:"key_tag"`
	Algorithm   uint8  `json:"algorithm"`
	Flags       uint16 `json:"flags"`
	Role        string `json:"role"`
	Revoked     bool   `json:"revoked"`
	SignsKeySet bool   `json:"signs_key_set"`
}

type jsonNSEC3 struct {
	Iterations uint16 `json:"iterations"`
	SaltLength int    `json:"salt_length"`
	OptOut     bool   `json:"opt_out"`
	// DenialsInsecure: the iterations exceed a validator's limit, so it
	// treats answers proved by NSEC3 as insecure.
	DenialsInsecure bool `json:"denials_insecure"`
}

type jsonSignature struct {
	Nameserver   string   `json:"nameserver"`
	Address      string   `json:"address"`
	Owner        string   `json:"owner"`
	Type         string   `json:"type"`
	Valid        bool     `json:"valid"`
	Inception    *string  `json:"inception"`
	Expiration   *string  `json:"expiration"`
	DaysToExpiry *float64 `json:"days_to_expiry"`
	Detail       *string  `json:"detail"`
}

type jsonDenial struct {
	Nameserver string  `json:"nameserver"`
	Address    string  `json:"address"`
	Kind       string  `json:"kind"`
	Qname      string  `json:"qname"`
	Qtype      string  `json:"qtype"`
	Valid      bool    `json:"valid"`
	Detail     *string `json:"detail"`
}

type jsonResolver struct {
	Resolver      string              `json:"resolver"`
	Status        string              `json:"status"`
	Authenticated bool                `json:"authenticated"`
	RTTSeconds    float64             `json:"rtt_seconds"`
	EDE           []jsonEDE           `json:"ede"`
	Detail        *string             `json:"detail"`
	Queries       []jsonResolverQuery `json:"queries"`
}

type jsonEDE struct {
	Code uint16  `json:"code"`
	Text *string `json:"text"`
}

type jsonResolverQuery struct {
	Qname      string    `json:"qname"`
	Qtype      string    `json:"qtype"`
	CD         bool      `json:"cd"`
	Rcode      *string   `json:"rcode"`
	AD         bool      `json:"ad"`
	Answer     bool      `json:"answer"`
	RTTSeconds float64   `json:"rtt_seconds"`
	EDE        []jsonEDE `json:"ede"`
	Error      *string   `json:"error"`
}

type jsonFinding struct {
	Check      string  `json:"check"`
	Severity   string  `json:"severity"`
	Nameserver *string `json:"nameserver"`
	Address    *string `json:"address"`
	Message    string  `json:"message"`
}

type jsonRemediation struct {
	Check    string   `json:"check"`
	Severity string   `json:"severity"`
	Summary  string   `json:"summary"`
	Runbook  string   `json:"runbook"`
	Steps    []string `json:"steps"`
}

// JSON writes the report as the versioned document described in
// docs/check-json.md, indented, with a final newline. rb supplies the
// remediation steps; with nil every check's steps are [].
func JSON(w io.Writer, r *probe.Report, rb *Runbook) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(newDocument(display.Names(r), rb))
}

func newDocument(r *probe.Report, rb *Runbook) *document {
	doc := &document{
		Version:         JSONVersion,
		Zone:            r.Zone,
		Module:          r.Module,
		Time:            timeOrNull(r.Time),
		DurationSeconds: r.Duration.Seconds(),
		TimedOut:        r.TimedOut,
		QueryCount:      r.QueryCount,
		Success:         r.Success(),
		ExitCode:        Exit(r),
		Delegation:      delegationDoc(r),
		DNSSEC:          dnssecDoc(r),
		Resolvers:       []jsonResolver{},
		Findings:        []jsonFinding{},
		Remediation:     []jsonRemediation{},
	}
	if d := r.Diagnosis; d != nil {
		doc.Diagnosis = &jsonDiagnosis{
			Cause:                string(d.Cause),
			Severity:             stringOrNull(string(d.Severity)),
			Summary:              d.Summary,
			ServfailExpected:     d.ServfailExpected,
			ServfailIntermittent: d.ServfailIntermittent,
			Checks:               orEmpty(checkStrings(d.Checks)),
		}
	}
	for _, res := range r.Resolvers {
		jr := jsonResolver{
			Resolver:      res.Resolver,
			Status:        string(res.Status),
			Authenticated: res.Authenticated,
			RTTSeconds:    res.RTT.Seconds(),
			EDE:           edeDoc(res.EDE),
			Detail:        stringOrNull(res.Detail),
			Queries:       []jsonResolverQuery{},
		}
		for _, q := range res.Queries {
			jr.Queries = append(jr.Queries, jsonResolverQuery{
				Qname:      q.Qname,
				Qtype:      q.Qtype,
				CD:         q.CD,
				Rcode:      stringOrNull(q.Rcode),
				AD:         q.AD,
				Answer:     q.Answer,
				RTTSeconds: q.RTT.Seconds(),
				EDE:        edeDoc(q.EDE),
				Error:      stringOrNull(q.Err),
			})
		}
		doc.Resolvers = append(doc.Resolvers, jr)
	}
	for _, f := range sortedFindings(r) {
		doc.Findings = append(doc.Findings, jsonFinding{
			Check:      string(f.Check),
			Severity:   string(f.Severity),
			Nameserver: stringOrNull(f.Nameserver),
			Address:    stringOrNull(f.Address),
			Message:    f.Message,
		})
	}
	for _, rm := range remedies(r, rb) {
		doc.Remediation = append(doc.Remediation, jsonRemediation{
			Check:    string(rm.check),
			Severity: string(rm.severity),
			Summary:  rm.summary,
			Runbook:  runbookAnchor(rm.check),
			Steps:    orEmpty(rm.steps),
		})
	}
	return doc
}

func delegationDoc(r *probe.Report) jsonDelegation {
	d := jsonDelegation{
		Path:             []jsonHop{},
		ParentServers:    []jsonParentServer{},
		NS:               orEmpty(r.DelegationNS),
		NSAddresses:      map[string][]string{},
		Nameservers:      []jsonNameserver{},
		SerialConsistent: r.SerialConsistent,
		NSConsistent:     r.NSConsistent,
		GlueConsistent:   r.GlueConsistent,
	}
	if r.Parent != "" {
		p := fqdn(r.Parent)
		d.Parent = &p
	}
	for _, h := range r.Path {
		d.Path = append(d.Path, jsonHop{Zone: fqdn(h.Zone), Servers: orEmpty(h.Servers), Cached: h.Cached})
	}
	servers := slices.Clone(r.ParentServers)
	slices.SortStableFunc(servers, func(a, b probe.ParentServer) int {
		return cmp.Or(strings.Compare(a.Nameserver, b.Nameserver), strings.Compare(a.Address, b.Address))
	})
	for _, p := range servers {
		glue := map[string][]string{}
		for name, addrs := range p.Glue {
			glue[name] = orEmpty(addrs)
		}
		d.ParentServers = append(d.ParentServers, jsonParentServer{
			Nameserver: p.Nameserver,
			Address:    p.Address,
			OK:         p.OK,
			Detail:     stringOrNull(p.Detail),
			NS:         orEmpty(p.NS),
			Glue:       glue,
		})
	}
	for _, name := range slices.Sorted(maps.Keys(r.NSAddresses)) {
		d.NSAddresses[name] = orEmpty(r.NSAddresses[name])
	}
	for _, s := range r.Servers {
		n := jsonNameserver{
			Nameserver: s.Nameserver,
			Address:    s.Address,
			Status:     string(s.Status),
			Lame:       s.Status.Lame(),
			RTTSeconds: s.RTT.Seconds(),
			ApexNS:     orEmpty(s.ApexNS),
			Transport:  stringOrNull(s.Transport),
			Detail:     stringOrNull(s.Detail),
		}
		if s.Status == probe.StatusOK {
			serial := s.Serial
			n.Serial = &serial
		}
		d.Nameservers = append(d.Nameservers, n)
	}
	return d
}

func dnssecDoc(r *probe.Report) *jsonDNSSEC {
	d := r.DNSSEC
	if d == nil {
		return nil
	}
	out := &jsonDNSSEC{
		Status:             string(d.Status),
		Intermittent:       d.Intermittent,
		Chain:              []jsonChainLink{},
		DS:                 []jsonDS{},
		DNSKEYs:            []jsonDNSKEY{},
		DSMatchesDNSKEY:    d.DSMatchesDNSKEY,
		DNSKEYConsistent:   d.DNSKEYConsistent,
		CDSMatchesDS:       d.CDSMatchesDS,
		EarliestExpiration: timeOrNull(d.EarliestExpiration),
		Signatures:         []jsonSignature{},
		Denials:            []jsonDenial{},
	}
	if d.Anchor != "" {
		a := fqdn(d.Anchor)
		out.Anchor = &a
	}
	if !d.EarliestExpiration.IsZero() && !r.Time.IsZero() {
		days := daysTo(d.EarliestExpiration, r.Time)
		out.DaysToExpiry = &days
	}
	for _, c := range d.Chain {
		var tags []uint16
		if len(c.KeyTags) > 0 {
			tags = slices.Clone(c.KeyTags)
		}
		out.Chain = append(out.Chain, jsonChainLink{
			Zone:    fqdn(c.Zone),
			Status:  string(c.Status),
			KeyTags: orEmpty(tags),
			Cached:  c.Cached,
			Detail:  stringOrNull(c.Detail),
		})
	}
	for _, ds := range d.DS {
		out.DS = append(out.DS, jsonDS{KeyTag: ds.KeyTag, Algorithm: ds.Algorithm, DigestType: ds.DigestType, Matched: ds.Matched})
	}
	for _, k := range sortedKeys(d.DNSKEYs) {
		role, _, _ := strings.Cut(keyRole(k.Flags), " ")
		out.DNSKEYs = append(out.DNSKEYs, jsonDNSKEY{
			KeyTag:      k.KeyTag,
			Algorithm:   k.Algorithm,
			Flags:       k.Flags,
			Role:        strings.ToLower(role),
			Revoked:     k.Flags&0x0080 != 0,
			SignsKeySet: k.SignsKeySet,
		})
	}
	if p := d.NSEC3; p != nil {
		out.NSEC3 = &jsonNSEC3{Iterations: p.Iterations, SaltLength: p.SaltLength, OptOut: p.OptOut, DenialsInsecure: p.DenialsInsecure}
	}
	sigs := slices.Clone(d.Signatures)
	slices.SortStableFunc(sigs, func(a, b probe.SignatureObs) int {
		return cmp.Or(strings.Compare(a.Nameserver, b.Nameserver), strings.Compare(a.Address, b.Address),
			strings.Compare(a.Owner, b.Owner), strings.Compare(a.Type, b.Type))
	})
	for _, s := range sigs {
		js := jsonSignature{
			Nameserver: s.Nameserver,
			Address:    s.Address,
			Owner:      fqdn(s.Owner),
			Type:       s.Type,
			Valid:      s.Valid,
			Inception:  timeOrNull(s.Inception),
			Expiration: timeOrNull(s.Expiration),
			Detail:     stringOrNull(s.Detail),
		}
		if !s.Expiration.IsZero() && !r.Time.IsZero() {
			days := daysTo(s.Expiration, r.Time)
			js.DaysToExpiry = &days
		}
		out.Signatures = append(out.Signatures, js)
	}
	denials := slices.Clone(d.Denials)
	slices.SortStableFunc(denials, func(a, b probe.DenialObs) int {
		return cmp.Or(strings.Compare(a.Nameserver, b.Nameserver), strings.Compare(a.Address, b.Address), strings.Compare(a.Kind, b.Kind))
	})
	for _, o := range denials {
		out.Denials = append(out.Denials, jsonDenial{
			Nameserver: o.Nameserver,
			Address:    o.Address,
			Kind:       o.Kind,
			Qname:      o.Qname,
			Qtype:      o.Qtype,
			Valid:      o.Valid,
			Detail:     stringOrNull(o.Detail),
		})
	}
	return out
}

func edeDoc(edes []probe.EDE) []jsonEDE {
	out := []jsonEDE{}
	for _, e := range edes {
		out = append(out, jsonEDE{Code: e.Code, Text: stringOrNull(e.Text)})
	}
	return out
}

func stringOrNull(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func timeOrNull(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339Nano)
	return &s
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
