// Package probe checks the delegation and DNSSEC health of a zone the way
// a resolver meets it, and returns a Report of what it observed. It knows
// nothing of Prometheus: collector/ turns a Report into metrics, triage/
// into text and JSON for people.
//
// One call to Prober.Probe (engine.go) runs these stages in order, each on
// the run type of engine.go; a stage that cannot go on raises its finding
// and the later stages are skipped:
//
//  1. Walk: iterative resolution from the root servers to the servers of
//     the target's parent zone, following referrals and resolving
//     out-of-bailiwick nameserver names, with the cross-probe Cache
//     (walk.go; the cache in cache.go).
//  2. Parent view: every address of every parent server asked for the
//     delegation: NS set, glue, DS replies (delegation.go: askParents
//     observes; judgeParents in judge.go judges).
//  3. Nameserver addresses: glue or resolution of each delegated name
//     (delegation.go, nsAddresses).
//  4. Per-server answers: every address asked for the zone's SOA and apex
//     NS, classified into a Status (delegation.go, checkServers; the
//     queries themselves, with retries and TCP fallback, in query.go).
//  5. Consistency: serials, parent against child NS, glue against the
//     zone's own addresses (judgeSerials and judgeNS in judge.go;
//     compareGlue in delegation.go).
//  6. DNSSEC material: the chain of trust from the trust anchor
//     (anchors.go) down to the parent, the DS set, and each server's
//     DNSKEY, signatures, denial proofs and CDS/CDNSKEY (dnssec.go: the
//     chain in chainTo, the parent's DS in targetDS, one address in
//     serverCheck, the comparison across addresses in compareKeys and
//     compareCDS; the RFC 9276 NSEC3 findings in nsec3_findings.go). The
//     cryptography and the proofs are in the pure package probe/validate,
//     whose failure reasons verdicts.go maps to check IDs.
//  7. Resolvers: the module's recursive resolvers asked for the zone
//     (resolver.go: resolverAsk), and their answers compared with the
//     DNSSEC verdict (resolverFindings).
//  8. Judgement: findings sorted by severity and the one Diagnosis
//     (diagnosis.go; check IDs and severities in checks.go).
//
// At the end of stage 6 the signature windows seen are judged against
// the signer's rhythm: the module's signing_policy (expiry_config.go), or
// the refresh margin the Prober's ExpiryMemory learned across probes
// (expiry_memory.go), or else the smallest of the default policies'
// (rrsig_expiring, signer_stalled: the pure judgement in expiry.go, the
// stage that gathers the windows in expiry_stage.go).
//
// judge.go holds the pure judgements: functions from a stage's
// observations to its findings, tested with hand-built observations. The
// parent view and the consistency checks are judged there so far; the
// other stages still raise their findings as they observe.
//
// The Report types are in report.go, dnssec_report.go and
// resolver_report.go. The report holds facts: zone names (the target, its
// parent, the walk, the chain of trust, signature owners) fully
// qualified, and typed check IDs, statuses and causes. "The root" is
// written only by the renderers: collector/, triage/, and the debug text
// in text.go. Nameserver names are still stored without their trailing
// dot, and finding messages and summaries are prose for people. Modules
// and their configuration are in config.go; target parsing in target.go;
// the Prober and its Exchanger in prober.go.
//
// The Prober owns what outlives one probe: the Cache and the memo of
// signature checks (Prober.SigMemo). The clock is injected (Prober.Now),
// so signature windows are judged against the time the caller chose.
package probe
