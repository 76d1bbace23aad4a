// Recording rules. Naming follows
// https://prometheus.io/docs/practices/rules/: level:metric:ops.
// "instance:" rules are per zone. They aggregate with `without`, not `by`,
// so that target labels (team, env, whatever service discovery adds) stay
// on the result and alerts can still be routed by them. "job:" rules are
// per scrape job, summed over all its zones.
//
// Each rule here has a reader: DNSHealthSignerStalled reads the
// dnshealth_signing group; the dashboard's fleet panels and zone table
// read the others, so that they read a few pre-aggregated series instead
// of every per-address series of every zone.
//
// dnshealth_exporter is a multi-target exporter: `instance` is the zone,
// `job` the Prometheus job. The fleet rules restrict probe_success to
// targets that also expose dnshealth_probe_info, so a blackbox_exporter
// job the job selector happens to match is not counted.
{
  prometheusRules+:: {
    local s = $._config.jobSelector,
    local m(metric) = '%s{%s}' % [metric, s],
    groups+: [
      {
        name: 'dnshealth_signing',
        rules: [
          // The newest signature any nameserver address serves for the
          // zone, over every checked RR type: it moves forward each time
          // the signer signs anything (a zone change re-signs the SOA; a
          // periodic re-sign renews the rest).
          {
            record: 'instance:dnshealth_rrsig_inception_timestamp_seconds:max',
            expr: 'max without (nameserver, address, type) (%s)' % m('dnshealth_rrsig_inception_timestamp_seconds'),
          },
          // How old that newest signature is, in seconds.
          {
            record: 'instance:dnshealth_rrsig_newest_signature_age_seconds',
            expr: 'time() - %s' % m('instance:dnshealth_rrsig_inception_timestamp_seconds:max'),
          },
          // One sample per re-sign: how far the newest inception jumped
          // forward, i.e. the time since the previous signing the exporter
          // saw. Between re-signs idelta is 0 and the filter leaves no
          // sample, so the series is sparse: a handful of samples a month.
          {
            record: 'instance:dnshealth_rrsig_resign_step_seconds',
            expr: 'idelta(%s[15m]) > 0' % m('instance:dnshealth_rrsig_inception_timestamp_seconds:max'),
          },
          // The zone's re-signing interval as learned from the last 30
          // days: the longest step seen. It is learned from steps, not from
          // the age of the newest signature, so a signer that stalls does
          // not teach the rule that long gaps are normal: while nothing is
          // signed no step is recorded. Absent until the exporter has seen
          // the zone re-signed once (and after 30 days without any
          // re-sign). Cheap: it reads the sparse series above.
          {
            record: 'instance:dnshealth_rrsig_resign_interval_seconds:max30d',
            expr: 'max_over_time(%s[30d])' % m('instance:dnshealth_rrsig_resign_step_seconds'),
          },
        ],
      },
      {
        name: 'dnshealth_zone',
        rules: [
          // Lame addresses, and addresses tried, per zone (the dashboard's
          // zone table).
          {
            record: 'instance:dnshealth_delegation_lame:sum',
            expr: 'sum without (nameserver, address) (%s)' % m('dnshealth_delegation_lame'),
          },
          {
            record: 'instance:dnshealth_delegation_addresses:count',
            expr: 'count without (nameserver, address) (%s)' % m('dnshealth_delegation_lame'),
          },
        ],
      },
      {
        name: 'dnshealth_fleet',
        rules: [
          // Zones probed, and zones whose probe raised an error finding.
          {
            record: 'job:dnshealth_zones:count',
            expr: 'count by (job) (%s)' % m('dnshealth_probe_info'),
          },
          {
            record: 'job:dnshealth_zones_failing:sum',
            expr: 'sum by (job) (1 - (%s and on (job, instance) %s))' % [m('probe_success'), m('dnshealth_probe_info')],
          },
          // Zones per DNSSEC verdict (status: secure, insecure, bogus,
          // indeterminate), per diagnosis cause, and per raised check.
          {
            record: 'job:dnshealth_dnssec_status:sum',
            expr: 'sum by (job, status) (%s)' % m('dnshealth_dnssec_status'),
          },
          {
            record: 'job:dnshealth_diagnosis_info:count',
            expr: 'count by (job, cause, severity) (%s)' % m('dnshealth_diagnosis_info'),
          },
          {
            record: 'job:dnshealth_finding:count',
            expr: 'count by (job, check, severity) (%s == 1)' % m('dnshealth_finding'),
          },
          // Zones validating resolvers SERVFAIL on every path / on some
          // paths.
          {
            record: 'job:dnshealth_servfail_expected:sum',
            expr: 'sum by (job) (%s)' % m('dnshealth_servfail_expected'),
          },
          {
            record: 'job:dnshealth_servfail_intermittent:sum',
            expr: 'sum by (job) (%s)' % m('dnshealth_servfail_intermittent'),
          },
          // Lame addresses over all zones.
          {
            record: 'job:dnshealth_delegation_lame:sum',
            expr: 'sum by (job) (%s)' % m('dnshealth_delegation_lame'),
          },
          // Zones per resolver and resolver status.
          {
            record: 'job:dnshealth_resolver_status:sum',
            expr: 'sum by (job, resolver, status) (%s)' % m('dnshealth_resolver_status'),
          },
          // Probe durations.
          {
            record: 'job:probe_duration_seconds:max',
            expr: 'max by (job) (%s and on (job, instance) %s)' % [m('probe_duration_seconds'), m('dnshealth_probe_info')],
          },
          {
            record: 'job:probe_duration_seconds:avg',
            expr: 'avg by (job) (%s and on (job, instance) %s)' % [m('probe_duration_seconds'), m('dnshealth_probe_info')],
          },
        ],
      },
    ],
  },
}
