// Alerting rules. Every alert carries a `severity` label, `warning` or
// `critical`, and these annotations:
//   summary      one line, the same for every zone (the zone is in the
//                `instance` label and in the description)
//   description  what is wrong, with the zone and the numbers
//   diagnosis    the probe's one conclusion for the zone, from
//                dnshealth_diagnosis_info: "<cause> (<severity>)", plus
//                ": validating resolvers SERVFAIL the zone" when the
//                exporter predicts it (docs/checks.md, "Diagnosis causes")
//   runbook_url  _config.runbookURL + "#<check_id>": the section of
//                docs/checks.md to read
//   report_url   _config.reportURL + "/report?target=<zone>&module=<module>":
//                the exporter's live report page of the zone
//
// Labels: each alert keeps the labels of the series it fires on: `job`,
// `instance` (the zone), any target labels (team, ...), and for
// per-address and per-resolver alerts `nameserver`, `address` or
// `resolver`, `status`.
//
// Alerts that overlap are meant to be deduplicated by Alertmanager's
// inhibit rules (dashboards/examples/alertmanager.yml): a critical alert
// silences the warning of the same name for the same zone;
// DNSHealthDSNoMatchingKey and an all-lame delegation silence
// DNSHealthDNSSECBogus and DNSHealthResolverServfail; DNSHealthDNSSECBogus
// silences DNSHealthResolverServfail; and any specific error-level alert
// silences the catch-all DNSHealthProbeFailing. The `for` durations are
// ordered so that an inhibiting alert fires no later than the ones it
// silences.
{
  prometheusAlerts+:: {
    local cfg = $._config,
    local s = cfg.jobSelector,
    // m selects metric, with matchers (a string: 'status="bogus"') if given,
    // in the probe job(s).
    local m(metric, matchers='') = '%s{%s}' % [metric, std.join(', ', [x for x in [s, matchers] if x != ''])],

    // fold joins a text block's lines with single spaces, as a YAML folded
    // scalar (>-) does: the templates below are written on several lines
    // and rendered as one.
    local fold(text) = std.join(' ', [
      std.lstripChars(l, ' ')
      for l in std.split(std.rstripChars(text, '\n'), '\n')
    ]),

    // The runbook section anchor of docs/checks.md.
    local runbook(anchor) = cfg.runbookURL + '#' + anchor,

    // The exporter's report page of the alert's zone, with the module the
    // zone was probed with (the exporter's default module, "default", when
    // no probe result says).
    local reportURL =
      cfg.reportURL + '/report?target={{ $labels.instance | urlquery }}&module=' +
      '{{ with printf `dnshealth_probe_info{job=%q,instance=%q}` $labels.job $labels.instance | query }}' +
      '{{ . | first | label "module" | urlquery }}{{ else }}default{{ end }}',

    local diagnosis = fold(|||
      {{- with printf `dnshealth_diagnosis_info{job=%q,instance=%q}` $labels.job $labels.instance | query -}}
        {{- with first . -}}
          {{- label "cause" . -}}
          {{- if ne (label "severity" .) "none" }} ({{ label "severity" . }}){{ end -}}
        {{- end -}}
        {{- with printf `dnshealth_servfail_expected{job=%q,instance=%q} == 1` $labels.job $labels.instance | query -}}
          : validating resolvers SERVFAIL the zone
        {{- else -}}
          {{- with printf `dnshealth_servfail_intermittent{job=%q,instance=%q} == 1` $labels.job $labels.instance | query -}}
            : some resolvers or some servers SERVFAIL the zone
          {{- end -}}
        {{- end -}}
      {{- else -}}
        unknown (no probe result)
      {{- end -}}
    |||),

    // The section the causes table of docs/checks.md says to read first
    // for the zone's diagnosis; for causes without a single one, the first
    // raised error check by name.
    local causeSections = [
      ['signature_expired', 'rrsig_expired'],
      ['signature_not_yet_valid', 'rrsig_not_yet_valid'],
      ['ds_mismatch', 'ds_no_matching_key'],
      ['dnskey_missing', 'ds_unsigned_child'],
      ['bogus_signature', 'rrsig_invalid'],
      ['bogus_denial', 'denial_invalid'],
      ['chain_broken', 'dnssec_chain_broken'],
      ['no_reachable_authority', 'no_reachable_authority'],
      ['not_a_zone', 'not_a_zone'],
      ['stale_secondary', 'signing_key_missing'],
    ],
    local runbookByCause =
      cfg.runbookURL + '#' +
      '{{- $cause := "" -}}' +
      '{{- with printf `dnshealth_diagnosis_info{job=%q,instance=%q}` $labels.job $labels.instance | query }}{{ $cause = . | first | label "cause" }}{{ end -}}' +
      std.join('', [
        '{{- %sif eq $cause "%s" }}%s' % [if i == 0 then '' else 'else ', causeSections[i][0], causeSections[i][1]]
        for i in std.range(0, std.length(causeSections) - 1)
      ]) +
      '{{- else -}}' +
      '{{- with printf `dnshealth_finding{job=%q,instance=%q,severity="error"} == 1` $labels.job $labels.instance | query -}}' +
      '{{- . | sortByLabel "check" | first | label "check" -}}' +
      '{{- else -}}dnssec_intermittent{{- end -}}' +
      '{{- end -}}',

    // alert is one alerting rule with the annotations every alert has.
    local alert(name, severity, expr, forDuration, summary, description, runbookURL) = {
      alert: name,
      expr: expr,
      'for': forDuration,
      labels: { severity: severity },
      annotations: {
        summary: summary,
        description: fold(description),
        diagnosis: diagnosis,
        runbook_url: runbookURL,
        report_url: reportURL,
      },
    },

    // humanSeconds writes a number of seconds as the descriptions say it.
    local humanSeconds(n) =
      if n == 86400 then '1 day'
      else if n % 86400 == 0 then '%d days' % (n / 86400)
      else if n == 3600 then '1 hour'
      else if n % 3600 == 0 then '%d hours' % (n / 3600)
      else '%d seconds' % n,

    // The earliest RRSIG expiry, with its date, for the descriptions.
    local expiryFacts = |||
      {{ $labels.instance }} serves is {{ printf "%.1f" $value }} days away
      {{- with printf `min(dnshealth_rrsig_expiration_timestamp_seconds{job=%q,instance=%q})` $labels.job $labels.instance | query }}
      ({{ . | first | value | humanizeTimestamp }}){{ end }}:
    |||,

    groups+: [{
      name: 'dnshealth',
      rules: [
        // ------------------------------------------------------ RRSIG expiry
        // No fixed number of days: signers differ by a factor of sixty in
        // how long before expiry they re-sign (BIND's default 5 days,
        // Knot's an hour plus the zone's largest TTL), so any fixed
        // threshold cries wolf on healthy zones or comes too late. The
        // probe judges each zone by its signer's refresh margin (named in
        // the module, learned, or the smallest default policy's) and
        // raises rrsig_expiring once a signature should have been
        // replaced; signer_stalled comes with it when none was.
        alert('DNSHealthRRSIGExpiry',
              'warning',
              '%s == 1' % m('dnshealth_finding', 'check="rrsig_expiring"'),
              '30m',
              "DNSSEC signatures of the zone were not replaced at the signer's refresh point",
              |||
                The earliest signature that {{ $labels.instance }} serves expires in
                {{ with printf `dnshealth_rrsig_days_to_expiry{job=%q,instance=%q}` $labels.job $labels.instance | query }}{{ . | first | value | printf "%.1f" }}{{ end }} days
                {{- with printf `min(dnshealth_rrsig_expiration_timestamp_seconds{job=%q,instance=%q})` $labels.job $labels.instance | query }}
                ({{ . | first | value | humanizeTimestamp }}){{ end }}
                {{- with printf `dnshealth_rrsig_refresh_margin_seconds{job=%q,instance=%q}` $labels.job $labels.instance | query }},
                less than its signer's refresh margin of {{ . | first | value | humanizeDuration }}
                ({{ . | first | label "source" }}){{ end }}: the signer missed its refresh
                {{- with printf `dnshealth_finding{job=%q,instance=%q,check="signer_stalled"} == 1` $labels.job $labels.instance | query }},
                and replaced no signature at all when it should have (signer_stalled)
                {{- end }}. Once they expire, validating resolvers SERVFAIL the zone.
              |||,
              runbook('rrsig_expiring')),

        // Critical once half the signer's refresh margin is gone too, or
        // the signatures have expired.
        alert('DNSHealthRRSIGExpiry',
              'critical',
              |||
                %s < on (job, instance) %s / 172800
                or %s < 0
              ||| % [m('dnshealth_rrsig_days_to_expiry'), m('dnshealth_rrsig_expiry_threshold_seconds'), m('dnshealth_rrsig_days_to_expiry')],
              '5m',
              "DNSSEC signatures of the zone expire within half the signer's refresh margin, or have expired",
              |||
                {{ if lt $value 0.0 -}}
                Signatures that nameserver addresses of {{ $labels.instance }} serve expired
                {{ with printf `-dnshealth_rrsig_days_to_expiry{job=%q,instance=%q}` $labels.job $labels.instance | query }}{{ . | first | value | printf "%.1f" }}{{ end }}
                days ago
                {{- with printf `min(dnshealth_rrsig_expiration_timestamp_seconds{job=%q,instance=%q})` $labels.job $labels.instance | query }}
                ({{ . | first | value | humanizeTimestamp }}){{ end }}: validating resolvers
                SERVFAIL what they cover. Re-sign now.
                {{- else -}}
                The earliest expiration of any RRSIG that any nameserver address of
              ||| + expiryFacts + |||
                less than half the signer's refresh margin
                {{- with printf `dnshealth_rrsig_refresh_margin_seconds{job=%q,instance=%q}` $labels.job $labels.instance | query }}
                of {{ . | first | value | humanizeDuration }} ({{ . | first | label "source" }}){{ end }}.
                Re-sign now: once they expire, validating resolvers SERVFAIL the zone.
                {{- end }}
              |||,
              runbook('rrsig_expired')),

        // ---------------------------------------------------- stalled signer
        // A signer that stops re-signing is visible long before its
        // signatures expire: the newest signature stops getting newer. The
        // threshold is learned per zone (rules.libsonnet): signerStalledFactor
        // times the longest interval between re-signs seen in the last 30
        // days, and at least signerStalledMinSeconds. For a zone re-signed
        // daily with 30-day signatures this fires after 36 hours, four
        // weeks before they expire. Until the exporter has seen a zone
        // re-signed once there is no threshold and this alert stays quiet;
        // the expiry alerts above still cover the zone.
        alert('DNSHealthSignerStalled',
              'warning',
              |||
                %s
                  > on (job, instance) group_left ()
                clamp_min(%s * max by (job, instance) (%s), %d)
              ||| % [
                m('instance:dnshealth_rrsig_newest_signature_age_seconds'),
                std.toString(cfg.signerStalledFactor),
                m('instance:dnshealth_rrsig_resign_interval_seconds:max30d'),
                cfg.signerStalledMinSeconds,
              ],
              '1h',
              'The DNSSEC signer of the zone has stopped re-signing it',
              |||
                The newest RRSIG that any nameserver address of {{ $labels.instance }}
                serves was made {{ humanizeDuration $value }} ago
                {{- with printf `max by (job, instance) (instance:dnshealth_rrsig_resign_interval_seconds:max30d{job=%q,instance=%q})` $labels.job $labels.instance | query }},
                while over the last 30 days the zone was re-signed at least every
                {{ . | first | value | humanizeDuration }} (the alert fires past FACTOR times
                that, and past MIN){{ end }}. The signer has stalled, or its output no
                longer reaches the nameservers
                {{- with printf `dnshealth_rrsig_days_to_expiry{job=%q,instance=%q}` $labels.job $labels.instance | query }};
                the earliest signature expires in {{ . | first | value | printf "%.1f" }} days{{ end }}.
              |||,
              runbook('rrsig_expired')) + {
          // The template has printf verbs of its own: the settings go in by
          // name, not with %.
          annotations+: {
            description: std.strReplace(std.strReplace(super.description,
                                                       'FACTOR',
                                                       std.toString(cfg.signerStalledFactor)),
                                        'MIN',
                                        humanSeconds(cfg.signerStalledMinSeconds)),
          },
        },

        // ------------------------------------------------------ DNSSEC bogus
        alert('DNSHealthDNSSECBogus',
              'critical',
              '%s == 1' % m('dnshealth_dnssec_status', 'status="bogus"'),
              '5m',
              'The zone is DNSSEC-bogus: validating resolvers fail to resolve it',
              |||
                The exporter validated {{ $labels.instance }} from the trust anchor down,
                on every nameserver address, and the verdict is bogus
                {{- with printf `dnshealth_dnssec_intermittent{job=%q,instance=%q} == 1` $labels.job $labels.instance | query }}
                on some addresses only: validating resolvers fail depending on the server they ask
                {{- else }}: validating resolvers SERVFAIL it{{ end }}.
                {{- with printf `dnshealth_finding{job=%q,instance=%q,severity="error"} == 1` $labels.job $labels.instance | query }}
                Error findings: {{ range $i, $f := . | sortByLabel "check" }}{{ if $i }}, {{ end }}{{ $f.Labels.check }}{{ end }}.
                {{- end }}
                {{- with printf `count(dnshealth_rrsig_valid{job=%q,instance=%q} == 0)` $labels.job $labels.instance | query }}
                {{ . | first | value | printf "%.0f" }} (address, RR type) pairs serve signatures that do not validate.
                {{- end }}
              |||,
              runbookByCause),

        // ---------------------------------------------- DS matches no DNSKEY
        alert('DNSHealthDSNoMatchingKey',
              'critical',
              '%s == 0' % m('dnshealth_ds_matches_dnskey'),
              '5m',
              "No DS record at the parent matches a key that signs the zone's DNSKEY set",
              |||
                The parent serves DS
                {{- range $i, $d := printf `dnshealth_ds_info{job=%q,instance=%q}` $labels.job $labels.instance | query | sortByLabel "key_tag" }}
                {{- if $i }},{{ end }} {{ $d.Labels.key_tag }} (algorithm {{ $d.Labels.algorithm }}, digest type {{ $d.Labels.digest_type }}, matched {{ $d.Labels.matched }})
                {{- end }} for {{ $labels.instance }}, and its nameservers serve DNSKEY
                {{- range $i, $k := printf `dnshealth_dnskey_info{job=%q,instance=%q}` $labels.job $labels.instance | query | sortByLabel "key_tag" }}
                {{- if $i }},{{ end }} {{ $k.Labels.key_tag }} (flags {{ $k.Labels.flags }}, algorithm {{ $k.Labels.algorithm }})
                {{- end }}. The chain of trust stops at the parent: validating resolvers
                SERVFAIL the zone until the DS at the registrar names a key that signs the
                DNSKEY set (or the DS is removed, which takes the DS TTL to reach resolvers).
              |||,
              runbook('ds_no_matching_key')),

        // --------------------------------------------------- lame delegation
        // One alert per lame address after 15 minutes; the critical one
        // when every address is lame (resolvers SERVFAIL the zone) after 5.
        alert('DNSHealthLameDelegation',
              'warning',
              '%s == 1' % m('dnshealth_delegation_lame'),
              '15m',
              'A nameserver address of the zone is lame',
              |||
                {{- $lame := 0.0 }}{{ $all := 0.0 }}
                {{- with printf `sum(dnshealth_delegation_lame{job=%q,instance=%q})` $labels.job $labels.instance | query }}{{ $lame = . | first | value }}{{ end }}
                {{- with printf `count(dnshealth_delegation_lame{job=%q,instance=%q})` $labels.job $labels.instance | query }}{{ $all = . | first | value }}{{ end -}}
                {{ $labels.address }}, an address of {{ $labels.nameserver }}, does not
                answer authoritatively for {{ $labels.instance }}
                {{- with printf `dnshealth_nameserver_status{job=%q,instance=%q,nameserver=%q,address=%q} == 1` $labels.job $labels.instance $labels.nameserver $labels.address | query }}
                (status {{ . | first | label "status" }}){{ end }}.
                {{ printf "%.0f" $lame }} of {{ printf "%.0f" $all }} nameserver addresses of the zone are lame
                {{- if lt $lame $all }}; resolvers retry the others, which slows every lookup down.
                {{- else }}: none answers, and resolvers SERVFAIL the zone.{{ end }}
              |||,
              cfg.runbookURL + '#lame_' +
              '{{- with printf `dnshealth_nameserver_status{job=%q,instance=%q,nameserver=%q,address=%q} == 1` $labels.job $labels.instance $labels.nameserver $labels.address | query -}}' +
              '{{- . | first | label "status" -}}' +
              '{{- else -}}timeout{{- end -}}'),

        alert('DNSHealthLameDelegation',
              'critical',
              'min without (nameserver, address) (%s) == 1' % m('dnshealth_delegation_lame'),
              '5m',
              'Every nameserver address of the zone is lame',
              |||
                None of the
                {{- with printf `count(dnshealth_delegation_lame{job=%q,instance=%q})` $labels.job $labels.instance | query }}
                {{ . | first | value | printf "%.0f" }}{{ end }} nameserver addresses of
                {{ $labels.instance }} answers authoritatively:
                {{- range $i, $s := printf `dnshealth_nameserver_status{job=%q,instance=%q} == 1` $labels.job $labels.instance | query | sortByLabel "address" }}
                {{- if $i }},{{ end }} {{ $s.Labels.nameserver }} {{ $s.Labels.address }} {{ $s.Labels.status }}
                {{- end }}. Resolvers SERVFAIL the zone.
              |||,
              runbook('no_reachable_authority')),

        // -------------------------------------------------- SOA serial drift
        alert('DNSHealthSOASerialDrift',
              'warning',
              '%s == 0' % m('dnshealth_soa_serial_consistent'),
              '1h',
              'Nameservers of the zone have served different SOA serials for over an hour',
              |||
                The nameserver addresses of {{ $labels.instance }} do not serve the same SOA
                serial: {{ range $i, $s := printf `dnshealth_soa_serial{job=%q,instance=%q}` $labels.job $labels.instance | query | sortByLabel "address" }}
                {{- if $i }}, {{ end }}{{ $s.Labels.nameserver }} {{ $s.Labels.address }} {{ $s.Value | printf "%.0f" }}
                {{- end }}. A secondary has stopped transferring, or NOTIFY does not reach
                it: users get old data depending on the server they ask, and a signed
                zone's old copy expires with its signatures.
              |||,
              runbook('soa_serial_mismatch')),

        // ----------------------------------------- parent/child NS mismatch
        alert('DNSHealthNSParentChildMismatch',
              'warning',
              '%s == 0' % m('dnshealth_ns_parent_child_consistent'),
              '1h',
              "The parent's NS set for the zone differs from the zone's own",
              |||
                At least one of the
                {{- with printf `count(dnshealth_soa_serial{job=%q,instance=%q})` $labels.job $labels.instance | query }}
                {{ . | first | value | printf "%.0f" }}{{ end }} answering nameserver addresses of
                {{ $labels.instance }} serves an apex NS set that differs from the NS set
                the parent delegates to, for over an hour. Resolvers get a different
                server list depending on where they learned it; a server on one list
                only may be forgotten when it is retired. The debug page
                (/probe?target={{ $labels.instance }}&debug=true) shows both sets.
              |||,
              runbook('ns_parent_child_mismatch')),

        // ------------------------------------------------------ CDS/DS drift
        alert('DNSHealthCDSDSDrift',
              'warning',
              '%s == 0' % m('dnshealth_cds_matches_ds'),
              '1d',
              "The zone's CDS has differed from the parent's DS for over a day",
              |||
                {{ $labels.instance }} publishes CDS/CDNSKEY records that differ from the
                DS set at the parent
                {{- with printf `dnshealth_ds_info{job=%q,instance=%q}` $labels.job $labels.instance | query }}
                (DS key tags {{ range $i, $d := . | sortByLabel "key_tag" }}{{ if $i }}, {{ end }}{{ $d.Labels.key_tag }}{{ end }}){{ end }}
                for over a day: a key rollover is waiting for the parent. Either the parent
                does not scan for CDS (update the DS at the registrar by hand), or it
                rejects the CDS. The next rollover step can break the zone.
              |||,
              runbook('cds_ds_mismatch')),

        // ------------------------------------------------------ key rollovers
        // The exporter judges rollovers itself (docs/metrics.md, "Rollover
        // state"): a state held longer than the module's
        // rollover_stuck_after raises rollover_stuck, a step taken before
        // the TTLs allowed it one of the three too-early checks. The alerts
        // follow those findings, so the per-module limit lives in one place.
        alert('DNSHealthRolloverStuck',
              'warning',
              '%s == 1' % m('dnshealth_finding', 'check="rollover_stuck"'),
              '1h',
              'A DNSSEC key rollover of the zone is stuck',
              |||
                {{ $labels.instance }} has been in key rollover state
                {{- with printf `dnshealth_rollover_state{job=%q,instance=%q} == 1` $labels.job $labels.instance | query }}
                {{ . | first | label "state" }}{{ end }}
                {{- with printf `dnshealth_rollover_state_seconds{job=%q,instance=%q}` $labels.job $labels.instance | query }}
                for {{ . | first | value | humanizeDuration }}{{ end }}, longer than its module allows.
                The next step has not happened: the parent may not act on the CDS, or an old key
                or DS waits to be removed. The report page names the step.
              |||,
              runbook('rollover_stuck')),

        alert('DNSHealthRolloverUnsafeStep',
              'warning',
              '%s == 1' % m('dnshealth_finding', 'check=~"rollover_new_key_too_early|rollover_removed_too_early|rollover_algorithm_order"'),
              '5m',
              'A DNSSEC key rollover step came before the TTLs allowed it',
              |||
                A key rollover step of {{ $labels.instance }} ({{ $labels.check }}) was taken while
                resolvers could still hold records that the zone's new keys or the parent's new DS
                do not validate: some resolvers may SERVFAIL the zone until those TTLs run out.
                The report page says until when, and which key or DS.
              |||,
              cfg.runbookURL + '#{{ $labels.check }}'),

        // -------------------------------------------------- resolver SERVFAIL
        alert('DNSHealthResolverServfail',
              'critical',
              '%s == 1' % m('dnshealth_resolver_status', 'status=~"servfail|dnssec_failure"'),
              '5m',
              'A resolver answers SERVFAIL for the zone',
              |||
                {{ if eq $labels.status "dnssec_failure" }}The resolver {{ $labels.resolver }}
                answers SERVFAIL for {{ $labels.instance }} with DNSSEC validation, and the
                data with CD=1: it finds the zone bogus.
                {{- else }}The resolver {{ $labels.resolver }} answers SERVFAIL for
                {{ $labels.instance }} even with CD=1: it cannot get an answer from the
                zone's servers.{{ end }} Users behind it cannot resolve the zone
                {{- with printf `count(dnshealth_resolver_status{job=%q,instance=%q,status=~"servfail|dnssec_failure"} == 1)` $labels.job $labels.instance | query }}
                ({{ . | first | value | printf "%.0f" }}{{ end }}
                {{- with printf `count(dnshealth_resolver_status{job=%q,instance=%q,status="ok"})` $labels.job $labels.instance | query }}
                of {{ . | first | value | printf "%.0f" }} resolvers asked fail).{{ end }}
              |||,
              runbook('resolver_{{ $labels.status }}')),

        // ------------------------------------------------ whole-zone sweep
        // For modules with a sweep (docs/configuration.md): the sweep's
        // findings cover the names a probe never asks for. Errors (RRsets
        // that do not validate, unsigned RRsets, a broken NSEC/NSEC3 chain)
        // page after 15 minutes; RRsets expiring within the sweep's window,
        // and a sweep that cannot run, warn after an hour. Sweeps run
        // hourly by default, so a finding lasts at least until the next.
        alert('DNSHealthSweepFinding',
              'critical',
              '%s == 1' % m('dnshealth_finding', 'check=~"sweep_rrsig_invalid|sweep_rrsig_missing|sweep_denial_chain_broken"'),
              '15m',
              'The whole-zone sweep found RRsets that validating resolvers reject',
              |||
                The last sweep of {{ $labels.instance }}
                {{- with printf `dnshealth_sweep_age_seconds{job=%q,instance=%q}` $labels.job $labels.instance | query }}
                ({{ . | first | value | humanizeDuration }} ago){{ end }} raised {{ $labels.check }}:
                {{- with printf `dnshealth_sweep_rrsets_invalid{job=%q,instance=%q} > 0` $labels.job $labels.instance | query }}
                {{ . | first | value | printf "%.0f" }} RRsets with signatures that do not validate,{{ end }}
                {{- with printf `dnshealth_sweep_rrsets_unsigned{job=%q,instance=%q} > 0` $labels.job $labels.instance | query }}
                {{ . | first | value | printf "%.0f" }} without signatures,{{ end }}
                {{- with printf `dnshealth_sweep_denial_chain_complete{job=%q,instance=%q} == 0` $labels.job $labels.instance | query }}
                an incomplete NSEC/NSEC3 chain,{{ end }} somewhere in the zone. Validating
                resolvers SERVFAIL those names. The debug page
                (/probe?target={{ $labels.instance }}&debug=true) lists examples.
              |||,
              runbook('{{ $labels.check }}')),

        alert('DNSHealthSweepFinding',
              'warning',
              '%s == 1' % m('dnshealth_finding', 'check=~"sweep_rrsig_expiring|sweep_failed"'),
              '1h',
              'The whole-zone sweep warns about the zone',
              |||
                {{ if eq $labels.check "sweep_failed" -}}
                The whole-zone sweep of {{ $labels.instance }} has been failing for over an
                hour: nothing watches the names a probe never asks for
                {{- with printf `dnshealth_sweep_age_seconds{job=%q,instance=%q}` $labels.job $labels.instance | query }}; the last sweep that
                finished is {{ . | first | value | humanizeDuration }} old{{ end }}.
                {{- else -}}
                {{ with printf `dnshealth_sweep_rrsets_expiring{job=%q,instance=%q}` $labels.job $labels.instance | query }}{{ . | first | value | printf "%.0f" }}{{ end }}
                RRsets of {{ $labels.instance }} stop validating within the sweep's expiry
                warning window
                {{- with printf `dnshealth_sweep_earliest_expiration_timestamp_seconds{job=%q,instance=%q}` $labels.job $labels.instance | query }};
                the first at {{ . | first | value | humanizeTimestamp }}{{ end }}. The signer
                has stopped re-signing part of the zone.
                {{- end }}
              |||,
              runbook('{{ $labels.check }}')),

        alert('DNSHealthSecondaryBehindPrimary',
              'warning',
              '%s == 1' % m('dnshealth_sweep_serial_behind'),
              '30m',
              "A nameserver address serves an older serial than the zone's primary",
              |||
                {{ $labels.address }}, an address of {{ $labels.nameserver }}, serves
                {{ $labels.instance }} with serial
                {{ with printf `dnshealth_soa_serial{job=%q,instance=%q,nameserver=%q,address=%q}` $labels.job $labels.instance $labels.nameserver $labels.address | query }}{{ . | first | value | printf "%.0f" }}{{ end }},
                behind the primary's
                {{ with printf `dnshealth_sweep_primary_serial{job=%q,instance=%q}` $labels.job $labels.instance | query }}{{ . | first | value | printf "%.0f" }}{{ end }}
                {{- with printf `dnshealth_server_nsid_info{job=%q,instance=%q,nameserver=%q,address=%q}` $labels.job $labels.instance $labels.nameserver $labels.address | query }}
                (instance {{ . | first | label "nsid" }}){{ end }}, for over 30 minutes: it
                has stopped transferring the zone, or NOTIFY does not reach it.
              |||,
              runbook('secondary_behind_primary')),

        // --------------------------------------------- probe failing / absent
        // The catch-all: an error-level finding no specific alert above
        // covers (glue_missing, ns_unresolvable, not_a_zone, probe_timeout,
        // ...). The example Alertmanager configuration inhibits it while a
        // specific one fires for the zone; its `for` is longer than theirs.
        alert('DNSHealthProbeFailing',
              'warning',
              '%s == 0 and on (job, instance) %s' % [m('probe_success'), m('dnshealth_probe_info')],
              '30m',
              'The probe of the zone has raised error findings for 30 minutes',
              |||
                probe_success is 0 for {{ $labels.instance }}
                {{- with printf `dnshealth_finding{job=%q,instance=%q,severity="error"} == 1` $labels.job $labels.instance | query }}:
                error findings {{ range $i, $f := . | sortByLabel "check" }}{{ if $i }}, {{ end }}{{ $f.Labels.check }}{{ end }}{{ end }}.
                {{- with printf `probe_duration_seconds{job=%q,instance=%q}` $labels.job $labels.instance | query }}
                The probe took {{ . | first | value | printf "%.1f" }}s.{{ end }}
                Details: /probe?target={{ $labels.instance }}&debug=true on the exporter.
              |||,
              runbookByCause),

        // `up` of the probe job: a scrape that fails has no probe result.
        // With no target at all, absent() fires once for the job selector.
        alert('DNSHealthProbeAbsent',
              'warning',
              '%s == 0 or absent(%s)' % [m('up'), m('up')],
              '15m',
              'No probe result from dnshealth_exporter for 15 minutes',
              |||
                {{ if $labels.instance }}Prometheus gets no probe result for {{ $labels.instance }}
                from the exporter (up is 0): the exporter is down or unreachable, or answered
                an error (HTTP 400 for a target that is not a zone name or an unknown module,
                503 when its probe queue stayed full), or the scrape timed out. Nothing is
                known about the zone meanwhile. The Targets page of Prometheus shows the
                scrape error.
                {{- else }}Prometheus has no target in job {{ $labels.job }}: the scrape
                configuration or its service discovery lost every zone.{{ end }}
              |||,
              runbook('probe_timeout')) + {
          // Without a target there is no zone to report on: the exporter's
          // landing page instead.
          annotations+: {
            report_url: '{{ if $labels.instance }}' + super.report_url + '{{ else }}' + cfg.reportURL + '/{{ end }}',
          },
        },
      ],
    }],
  },
}
