package probe

import "time"

// DNSSECStatus is a DNSSEC verdict, as a validating resolver would reach
// it (RFC 4035 section 4.3). The set is closed: it is used as a label value.
type DNSSECStatus string

// DNSSEC verdicts.
const (
	DNSSECSecure        DNSSECStatus = "secure"
	DNSSECInsecure      DNSSECStatus = "insecure"
	DNSSECBogus         DNSSECStatus = "bogus"
	DNSSECIndeterminate DNSSECStatus = "indeterminate"
)

// DNSSECStatuses lists the verdicts in a fixed order, for state-set metrics.
// They are strings, the label values they become (dashboards/ lists them too).
var DNSSECStatuses = []DNSSECStatus{DNSSECSecure, DNSSECInsecure, DNSSECBogus, DNSSECIndeterminate}

// DNSSECReport is what the probe found about the zone's chain of trust.
type DNSSECReport struct {
	// Status is the verdict for the zone as a whole: bogus if any server
	// serves data a validator would reject.
	Status DNSSECStatus `json:"status"`
	// Intermittent is set when servers differ: some serve data that
	// validates and some do not, so resolvers fail depending on the server.
	Intermittent bool `json:"intermittent"`
	// Anchor is the zone whose trust anchor started the chain.
	Anchor string      `json:"anchor,omitempty"`
	Chain  []ChainLink `json:"chain,omitempty"`

	DS      []DSRecord  `json:"ds,omitempty"`      // the parent's DS set for the zone
	DNSKEYs []KeyRecord `json:"dnskeys,omitempty"` // union over the zone's servers
	// DSMatchesDNSKEY: on every server, a DS matches a DNSKEY that signs
	// the DNSKEY RRset there (not necessarily the same DS everywhere: the
	// signers of a multi-signer zone use their own KSKs, RFC 8901). nil
	// when the parent has no DS.
	DSMatchesDNSKEY *bool `json:"ds_matches_dnskey,omitempty"`
	// DNSKEYConsistent: every server serves the same DNSKEY RRset.
	DNSKEYConsistent *bool `json:"dnskey_consistent,omitempty"`
	// CDSMatchesDS: the CDS RRset equals the parent's DS RRset. nil without CDS.
	CDSMatchesDS *bool       `json:"cds_matches_ds,omitempty"`
	NSEC3        *NSEC3Param `json:"nsec3,omitempty"`

	Signatures []SignatureObs `json:"signatures,omitempty"`
	Denials    []DenialObs    `json:"denials,omitempty"`
	// Rollover is the zone's key rollover state (rollover.go); nil when
	// the probe could not check every answering address's keys.
	Rollover *RolloverReport `json:"rollover,omitempty"`
	// rollObs is the rollover classifier's observation, gathered by the
	// DNSSEC judgement for the run to classify with its memory.
	rollObs *RolloverObs
	// EarliestExpiration is the earliest expiration of any signature any
	// server serves over the checked RRsets; zero when there is none.
	EarliestExpiration time.Time `json:"earliest_expiration,omitempty"`
	// Expiry is the signing rhythm the signatures were judged by
	// (expiry.go); nil when no signature was seen.
	Expiry *ExpiryReport `json:"expiry,omitempty"`
}

// ChainLink is one zone on the way from the trust anchor to the target.
type ChainLink struct {
	Zone    string       `json:"zone"`
	Status  DNSSECStatus `json:"status"`             // secure, insecure or bogus
	KeyTags []uint16     `json:"key_tags,omitempty"` // validated DNSKEY tags
	Cached  bool         `json:"cached,omitempty"`
	Detail  string       `json:"detail,omitempty"`
}

// DSRecord is one DS record at the parent and whether it matches a DNSKEY
// that signs the zone's DNSKEY RRset.
type DSRecord struct {
	KeyTag     uint16 `json:"key_tag"`
	Algorithm  uint8  `json:"algorithm"`
	DigestType uint8  `json:"digest_type"`
	Matched    bool   `json:"matched"`

	digest string // the DS is matched by digest, not by tag: tags collide
}

// KeyRecord is one DNSKEY of the zone.
type KeyRecord struct {
	KeyTag    uint16 `json:"key_tag"`
	Algorithm uint8  `json:"algorithm"`
	Flags     uint16 `json:"flags"`
	// SignsKeySet is set when a valid RRSIG by this key covers the DNSKEY
	// RRset on at least one server.
	SignsKeySet bool `json:"signs_key_set"`
}

// SignatureObs is the signatures one address serves over one RRset type.
type SignatureObs struct {
	Nameserver string `json:"nameserver"`
	Address    string `json:"address"`
	Owner      string `json:"owner"`
	Type       string `json:"type"`
	// Expiration is the earliest expiration, Inception the latest
	// inception, over the RRSIGs served; zero when there are none.
	Expiration time.Time `json:"expiration"`
	Inception  time.Time `json:"inception"`
	// TTL is the RRset's TTL as served.
	TTL uint32 `json:"ttl,omitempty"`
	// Valid: at least one RRSIG verifies with a zone key and is inside its
	// validity window.
	Valid  bool   `json:"valid"`
	Detail string `json:"detail,omitempty"`
}

// DenialObs is one proof of non-existence one address served.
type DenialObs struct {
	Nameserver string `json:"nameserver"`
	Address    string `json:"address"`
	Kind       string `json:"kind"` // "nxdomain" or "nodata"
	Qname      string `json:"qname"`
	Qtype      string `json:"qtype"`
	Valid      bool   `json:"valid"`
	Detail     string `json:"detail,omitempty"`
}

// NSEC3Param describes the zone's NSEC3 chain (RFC 5155, RFC 9276).
type NSEC3Param struct {
	Iterations uint16 `json:"iterations"`
	SaltLength int    `json:"salt_length"`
	OptOut     bool   `json:"opt_out"`
	// DenialsInsecure is set when the iterations exceed the limit of a
	// mainstream validator (nsec3_iterations_above_limit): that validator
	// treats every answer proved by NSEC3 (NXDOMAIN, NODATA, a delegation
	// without DS, a wildcard expansion) as insecure, while positive
	// answers keep their status. DNSSECReport.Status is the status of the
	// positive answers.
	DenialsInsecure bool `json:"denials_insecure"`
}
