// Package probe checks the delegation and DNSSEC health of a zone the way
// a resolver meets it, and returns a Report of what it observed. It knows
// nothing of Prometheus: collector/ turns a Report into metrics, triage/
// into text and JSON for people.
//
// One call to Prober.Probe (engine.go) observes, then judges. The stages
// that observe are views of the probe's run (engine.go), each a type of
// its own; their queries go out on the run's wire (query.go: the budget,
// the deadline, retries, TCP fallback, at most maxInFlight queries in
// flight). Whatever depends on nothing found yet goes out at once:
//
//  1. Walk: iterative resolution from the root servers to the servers of
//     the target's parent zone, following referrals and resolving
//     out-of-bailiwick nameserver names, with the cross-probe Cache
//     (walker in walk.go; the cache in cache.go; probes that need the same
//     referral, DS or keys wait for one fetch, coalesce.go). Cuts the walk
//     meets no referral for, nested zones on the same servers, are found
//     by the SOA at each label in between (cutFinder in cuts.go); names
//     met as aliases are noted in nsalias.go. bounds.go
//     holds what keeps a hostile zone's work bounded outside the
//     validator: CNAMEs counted across answers, and no DS judgement where
//     a validation bound cut the check of the DNSKEY RRset's signers short
//     (keySignersCut, used by compareKeys in dnssec_keys.go).
//  2. Parent round: every address of every parent server asked for the
//     delegation (NS, glue) and the DS RRset, both at once (delegation in
//     delegation.go: checkParent, askParents). When the cache knows a cut
//     above the zone, the round goes to its servers with the walk's last
//     query (startParentRound), used if the walk finds that cut the parent.
//  3. Nameserver addresses: glue, or resolution of each delegated name
//     (delegation.go: nsAddresses).
//  4. Child round: every address of every nameserver asked every question
//     at once: SOA, apex NS, and when the parent has a DS for the zone the
//     DNSKEY, NSEC3PARAM, CDS, CDNSKEY, the module's records and two
//     questions whose answers must be denials; one address is also asked
//     the in-zone nameservers' addresses, to compare with the glue
//     (servers.go: childRound, giving one serverObs per address;
//     glueFollowUp asks the newest serial when that address is stale).
//     Alongside the walk and both rounds, the chain of trust from the trust
//     anchor (anchors.go) down to the parent (chainWalk in chain.go), which
//     observes and validates together because what it asks next depends on
//     what validated.
//  5. Resolvers: the module's recursive resolvers, asked from the start of
//     the probe, alongside everything else (resolverStage in resolver.go).
//  6. Whole-zone sweep, for a module with one: the zone transferred (AXFR,
//     TSIG) and every RRset checked by the pure package probe/sweep, in the
//     background on the module's interval (sweeps.go: the store and the
//     schedule; sweep_config.go: the module's settings), the last result
//     read by each probe at its end.
//
// The SOA question of the child round asks for the server's NSID too
// (RFC 5001; nsid.go).
//
// Then the judgements, pure functions of the observations with no run, no
// clock of their own and no network, which tests drive with hand-built
// observations; the run only records what they raise:
//
//   - judge.go: the parent view (judgeParents), serials (judgeSerials),
//     parent against child NS (judgeNS), the validation limits met.
//   - delegation.go: whether the target is a zone (judgeCut), nameservers
//     without addresses (judgeNSAddresses), no reachable authority.
//   - judge_servers.go: each address (judgeAddresses: lame, EDNS, apex NS)
//     and the glue against the zone's own addresses (judgeGlue).
//   - dnssec_judge.go: the DNSSEC verdict (judgeDNSSEC): the chain, the
//     parent's DS replies (tallyParentDS, targetDS), the zone's status.
//     dnssec_server.go judges one address's material (judgeServer);
//     dnssec_keys.go compares keys, DS and CDS/CDNSKEY across addresses;
//     nsec3_findings.go holds the RFC 9276 NSEC3 findings; dnssec_util.go
//     small DS and key helpers; keyref.go names keys by algorithm, tag
//     and public key, never by tag alone; nsalias.go raises
//     ns_target_cname and record_cname; wildcard.go re-asks a random name
//     a wildcard answered for a type the wildcard cannot hold. The cryptography and the proofs are in the
//     pure package probe/validate, whose failure reasons verdicts.go maps
//     to check IDs.
//   - rollover.go: the zone's key rollover state, its next step and when
//     that is safe by the TTLs, and the too-early and stuck findings
//     (classifyRollover), over a typed observation that rollover_engine.go
//     gathers from the addresses' material; the engine records it with the
//     Prober's memory of when each key, DS and CDS was first and last seen
//     (rollover_memory.go).
//   - resolver.go: each resolver's view against the DNSSEC verdict, which
//     did not exist yet when it was asked (settleResolver, judgeResolver).
//   - sweep_judge.go: the last whole-zone sweep against the servers'
//     serials (judgeSweep); sweep_text.go writes it in the debug view.
//   - expiry.go: the signature windows against the signer's rhythm
//     (judgeExpiry: rrsig_expiring, signer_stalled): the module's
//     signing_policy (expiry_config.go), or the refresh margin the
//     Prober's ExpiryMemory learned across probes (expiry_memory.go), or
//     else the smallest of the default policies'; expiry_stage.go
//     gathers the windows after the DNSSEC judgement.
//   - diagnosis.go: the one Diagnosis over all findings; check IDs and
//     severities are in checks.go.
//
// The Report types are in report.go, dnssec_report.go and
// resolver_report.go. The report holds facts: every name (the target, its
// parent, the walk and its servers, the delegation, the nameservers, the
// chain of trust, signature owners, the subjects of findings and queries)
// fully qualified, and typed check IDs, statuses and causes. "The root"
// and names without their trailing dot are written only by the renderers:
// collector/, triage/ and report/ (through internal/display), and the
// debug text in text.go. Finding messages and summaries are prose for
// people. Modules
// and their configuration are in config.go; target parsing in target.go;
// the Prober and its Exchanger in prober.go; the per-probe UDP session, one
// socket per server address shared by that probe's queries, in
// udpsession.go; the probe's message IDs, from a generator seeded per
// probe, in msgid.go.
//
// The Prober owns what outlives one probe: the Cache, the memo of
// signature checks (Prober.SigMemo), the rollover memory
// (Prober.Rollover) and each zone's signing rhythm (Prober.Expiry). The
// clock is injected (Prober.Now),
// so signature windows are judged against the time the caller chose.
package probe
