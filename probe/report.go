package probe

import (
	"time"
)

// Severity ranks a finding. Only SeverityError makes probe_success 0.
type Severity string

// Severities, most urgent first.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityNotice  Severity = "notice"
)

// Rank orders severities for sorting, most urgent first (error 0, warning
// 1, notice 2); an unknown severity sorts last.
func (s Severity) Rank() int {
	switch s {
	case SeverityError:
		return 0
	case SeverityWarning:
		return 1
	case SeverityNotice:
		return 2
	}
	return 3
}

// Finding is one problem the probe observed. Check is a stable snake_case ID
// documented in docs/checks.md; Message is for people and never a label.
type Finding struct {
	Check      CheckID  `json:"check"`
	Severity   Severity `json:"severity"`
	Nameserver string   `json:"nameserver,omitempty"`
	Address    string   `json:"address,omitempty"`
	Message    string   `json:"message"`
}

// Status is what one nameserver address did when asked for the zone's SOA.
// The set is closed: it is used as a label value.
type Status string

// Nameserver statuses. StatusOK is the only one that is not lame;
// StatusFamilyUnreachable means the exporter's host could not try at all.
const (
	StatusOK                Status = "ok"
	StatusTimeout           Status = "timeout"
	StatusRefused           Status = "refused"
	StatusServfail          Status = "servfail"
	StatusNotAuthoritative  Status = "not_authoritative"
	StatusReferral          Status = "referral"
	StatusUpwardReferral    Status = "upward_referral"
	StatusWrongZone         Status = "wrong_zone"
	StatusNetworkError      Status = "network_error"
	StatusMalformed         Status = "malformed"
	StatusFamilyUnreachable Status = "family_unreachable"
)

// Statuses lists every Status in a fixed order, for state-set metrics.
var Statuses = []Status{
	StatusOK, StatusTimeout, StatusRefused, StatusServfail, StatusNotAuthoritative,
	StatusReferral, StatusUpwardReferral, StatusWrongZone, StatusNetworkError,
	StatusMalformed, StatusFamilyUnreachable,
}

// Lame reports whether a server with this status fails to serve the zone
// authoritatively. A family the host cannot reach was never tried, so it is
// neither lame nor healthy.
func (s Status) Lame() bool {
	return s != StatusOK && s != StatusFamilyUnreachable
}

// Query records one DNS message the probe sent, for debug output.
type Query struct {
	Nameserver string        `json:"nameserver,omitempty"`
	Address    string        `json:"address"`
	Qname      string        `json:"qname"`
	Qtype      string        `json:"qtype"`
	Flags      string        `json:"flags"` // request flags, e.g. "rd=0 do=0 edns=1232"
	Transport  string        `json:"transport"`
	Rcode      string        `json:"rcode,omitempty"`
	RespFlags  string        `json:"response_flags,omitempty"` // e.g. "aa tc"
	RTT        time.Duration `json:"rtt"`
	Err        string        `json:"error,omitempty"`
	Cached     bool          `json:"cached,omitempty"`
}

// ServerResult is the observation of one address of one nameserver of the
// zone: the SOA and apex NS it served, or why it could not.
type ServerResult struct {
	Nameserver string        `json:"nameserver"`
	Address    string        `json:"address"`
	Status     Status        `json:"status"`
	RTT        time.Duration `json:"rtt"`
	// Detail explains a non-ok status in words (error text, rcode, owner name).
	Detail string `json:"detail,omitempty"`
	// Serial is the SOA serial; valid when Status is ok.
	Serial uint32 `json:"serial,omitempty"`
	// ApexNS is the child's apex NS set as this server serves it, sorted;
	// nil when the NS query failed.
	ApexNS []string `json:"apex_ns,omitempty"`
	// Transport is "udp", or "tcp" when a truncated UDP answer was retried.
	Transport string `json:"transport,omitempty"`
}

// ParentServer is one address of one server of the parent zone, asked for the
// delegation of the target.
type ParentServer struct {
	Nameserver string              `json:"nameserver"`
	Address    string              `json:"address"`
	OK         bool                `json:"ok"`
	Detail     string              `json:"detail,omitempty"`
	NS         []string            `json:"ns,omitempty"`   // sorted NS names in the referral
	Glue       map[string][]string `json:"glue,omitempty"` // NS name -> sorted addresses
}

// Hop is one step of the delegation walk from the root, like a `dig +trace` line.
type Hop struct {
	Zone    string   `json:"zone"`
	Servers []string `json:"servers"` // NS names serving Zone
	Cached  bool     `json:"cached"`
}

// Report is everything one probe observed. Pointer booleans are nil when the
// comparison could not be made (for example, no server answered).
type Report struct {
	Zone   string `json:"zone"`   // the probed name, A-label form, fully qualified
	Module string `json:"module"` // module name, for logs
	// Time is the probe's clock reading at the start: signature windows
	// and days to expiry are measured from it.
	Time     time.Time     `json:"time"`
	Parent   string        `json:"parent,omitempty"`
	Path     []Hop         `json:"path,omitempty"`
	Duration time.Duration `json:"duration"`
	TimedOut bool          `json:"timed_out"`

	ParentServers []ParentServer `json:"parent_servers,omitempty"`
	// DelegationNS is the union of the NS names the parent servers list, sorted.
	DelegationNS []string `json:"delegation_ns,omitempty"`
	// NSAddresses maps each delegated NS name to the addresses the probe
	// found for it (from glue or by resolution), before ip_protocol filtering.
	NSAddresses map[string][]string `json:"ns_addresses,omitempty"`
	Servers     []ServerResult      `json:"servers,omitempty"`

	// DNSSEC is nil when the probe did not get as far as checking it.
	DNSSEC *DNSSECReport `json:"dnssec,omitempty"`
	// Resolvers is the view from the module's recursive resolvers.
	Resolvers []ResolverResult `json:"resolvers,omitempty"`
	// Diagnosis is the probe's one conclusion; always set by Probe.
	Diagnosis *Diagnosis `json:"diagnosis,omitempty"`

	SerialConsistent *bool `json:"serial_consistent,omitempty"`
	NSConsistent     *bool `json:"ns_parent_child_consistent,omitempty"`
	GlueConsistent   *bool `json:"glue_consistent,omitempty"`

	Findings []Finding `json:"findings"`
	Queries  []Query   `json:"queries"`
	// QueryCount is the number of DNS messages sent on the network
	// (cache hits excluded).
	QueryCount int `json:"query_count"`
}

// Success reports whether the probe raised no error-severity finding.
func (r *Report) Success() bool {
	for _, f := range r.Findings {
		if f.Severity == SeverityError {
			return false
		}
	}
	return true
}

// HasFinding reports whether a finding with the check ID was raised.
func (r *Report) HasFinding(check CheckID) bool {
	for _, f := range r.Findings {
		if f.Check == check {
			return true
		}
	}
	return false
}
