// The Grafana dashboard: a fleet overview with one row per zone, and a
// drill-down into the zone chosen in $instance. The metric names and label
// sets are the exporter's contract (docs/metrics.md, collector/descs.go); the
// fleet panels read the recording rules of rules.libsonnet.
local g = import 'lib/grafana.libsonnet';
local c = g.colors;
local contract = import 'lib/contract.libsonnet';

{
  grafanaDashboards+:: {
    'dnshealth-dashboard.json':
      local cfg = $._config;
      local warn = cfg.rrsigWarningDays, crit = cfg.rrsigCriticalDays;

      // Label selectors: the fleet view is every zone of the chosen jobs,
      // the drill-down one zone (the instance label is the zone, as the
      // docs/deployment.md scrape configuration relabels it).
      local fleet = 'job=~"$job"';
      local zone = 'job=~"$job", instance="$instance"';
      local exporter = cfg.exporterSelector;

      local aggregate(op, by, expr) =
        if by == '' then '%s (%s)' % [op, expr] else '%s by (%s) (%s)' % [op, by, expr];

      // dnssecCode turns the dnshealth_dnssec_status state set into one
      // number, worst highest: 0 secure, 1 insecure, 2 indeterminate, 3
      // bogus (dnssecMappings). by is the grouping ('' for one number).
      local dnssecCode(sel, by) = aggregate('max',
                                            by,
                                            'dnshealth_dnssec_status{%(s)s, status="bogus"} * 3' % { s: sel } +
                                            ' or dnshealth_dnssec_status{%(s)s, status="indeterminate"} * 2' % { s: sel } +
                                            ' or dnshealth_dnssec_status{%(s)s, status="insecure"}' % { s: sel } +
                                            ' or dnshealth_dnssec_status{%(s)s, status="secure"} * 0' % { s: sel });

      // severityCode turns dnshealth_diagnosis_info's severity label into
      // one number: 0 none (healthy), 1 notice, 2 warning, 3 error
      // (severityCodeMappings), keeping the cause label.
      local severityCode(sel, by) = aggregate('max',
                                              by,
                                              'dnshealth_diagnosis_info{%(s)s, severity="error"} * 3' % { s: sel } +
                                              ' or dnshealth_diagnosis_info{%(s)s, severity="warning"} * 2' % { s: sel } +
                                              ' or dnshealth_diagnosis_info{%(s)s, severity="notice"}' % { s: sel } +
                                              ' or dnshealth_diagnosis_info{%(s)s, severity="none"} * 0' % { s: sel });

      // ---------------------------------------------------------- value lists
      // The label values the exporter emits (the tests compare them with
      // the probe package's lists).
      local dnssecStatuses = contract.dnssecStatuses;
      local severities = contract.severities;
      local severityColors = [c.green, c.blue, c.orange, c.red];

      local dnssecMappings = g.codeMappings(dnssecStatuses, [c.green, c.blue, c.orange, c.red]);
      local severityCodeMappings = g.codeMappings(severities, severityColors);
      local severityTextMappings = g.valueMappings({
        [severities[i]]: g.result(severities[i], severityColors[i], i)
        for i in std.range(0, std.length(severities) - 1)
      });

      // Every nameserver status but ok and family_unreachable is lame.
      local nsStatuses = contract.nameserverStatuses;
      local nsColor(s) =
        if s == 'ok' then c.green else if s == 'family_unreachable' then c.grey else c.red;
      local nameserverStatusMappings = g.valueMappings({
        [nsStatuses[i]]: g.result(nsStatuses[i], nsColor(nsStatuses[i]), i)
        for i in std.range(0, std.length(nsStatuses) - 1)
      });

      local resolverStatuses = contract.resolverStatuses;
      local resolverColor(s) =
        if s == 'ok' then c.green
        else if s == 'insecure' then c.orange
        // the resolver's view is missing, not the zone broken
        else if std.member(['timeout', 'refused', 'network_error', 'malformed'], s) then c.grey
        else c.red;
      local resolverStatusMappings = g.valueMappings({
        [resolverStatuses[i]]: g.result(resolverStatuses[i], resolverColor(resolverStatuses[i]), i)
        for i in std.range(0, std.length(resolverStatuses) - 1)
      });

      // DNSSEC algorithm numbers (IANA registry "DNS Security Algorithm
      // Numbers").
      local algorithms = [
        ['5', 'RSASHA1'],
        ['7', 'RSASHA1-NSEC3-SHA1'],
        ['8', 'RSASHA256'],
        ['10', 'RSASHA512'],
        ['13', 'ECDSAP256SHA256'],
        ['14', 'ECDSAP384SHA384'],
        ['15', 'ED25519'],
        ['16', 'ED448'],
      ];
      local algorithmMappings = g.valueMappings({
        [algorithms[i][0]]: g.result(algorithms[i][0] + ' ' + algorithms[i][1], '', i)
        for i in std.range(0, std.length(algorithms) - 1)
      });

      // RFC 8914 Extended DNS Error codes (IANA registry "Extended DNS
      // Error Codes").
      local ede = [
        'Other',
        'Unsupported DNSKEY Algorithm',
        'Unsupported DS Digest Type',
        'Stale Answer',
        'Forged Answer',
        'DNSSEC Indeterminate',
        'DNSSEC Bogus',
        'Signature Expired',
        'Signature Not Yet Valid',
        'DNSKEY Missing',
        'RRSIGs Missing',
        'No Zone Key Bit Set',
        'NSEC Missing',
        'Cached Error',
        'Not Ready',
        'Blocked',
        'Censored',
        'Filtered',
        'Prohibited',
        'Stale NXDOMAIN Answer',
        'Not Authoritative',
        'Not Supported',
        'No Reachable Authority',
        'Network Error',
        'Invalid Data',
        'Signature Expired before Valid',
        'Too Early',
        'Unsupported NSEC3 Iterations Value',
        'Unable to conform to policy',
        'Synthesized',
        'Invalid Query Type',
      ];
      local edeMappings = g.valueMappings({
        [std.toString(i)]: g.result('%d %s' % [i, ede[i]], '', i)
        for i in std.range(0, std.length(ede) - 1)
      });

      // expiryThresholds colours days to expiry as the alert rules do: red
      // under the critical threshold, orange under the warning one.
      local expiryThresholds = {
        mode: 'absolute',
        steps: [
          { value: null, color: c.red },
          { value: crit, color: c.orange },
          { value: warn, color: c.green },
        ],
      };

      // ---------------------------------------------------------- links

      // drillDownLink opens this dashboard on the zone in the cell.
      local drillDownLink = {
        title: 'Drill down into ${__value.text}',
        url: '/d/%s?var-instance=${__value.raw}&${datasource:queryparam}&${job:queryparam}&${__url_time_range}' % cfg.dashboardUID,
      };
      // reportLink opens the exporter's report page of the zone in the
      // cell, probed with the module in the row's "module" field.
      local reportLink = {
        title: 'Zone report for ${__value.text}',
        url: '${report}/report?target=${__value.raw}&module=${__data.fields.module}',
        targetBlank: true,
      };
      // runbookLink opens the check's entry in docs/checks.md.
      local runbookLink = g.prop('links', [{
        title: 'Runbook: ${__value.text}',
        url: '${runbook}#${__value.raw}',
        targetBlank: true,
      }]);

      // ---------------------------------------------------------- panel kinds

      // serverGraph is a time series of one zone's expr in unit, a line per
      // nameserver address, listed in the legend.
      local serverGraph(title, desc, unit, expr) =
        g.graph(title, desc, 8, 8, [g.rangeQuery('A', expr, '{{nameserver}} {{address}}')]) +
        g.unit(unit) + g.tableLegend;

      // expiryGraph is days to the earliest RRSIG expiry, with the alert
      // thresholds drawn as bands.
      local expiryGraph(desc, w, query) =
        g.graph('Days to the earliest RRSIG expiry', desc, w, 8, [query]) +
        g.unit('d') + g.decimals(1) + g.thresholds(expiryThresholds) +
        g.defaults({ custom+: { thresholdsStyle: { mode: 'line+area' } } }) +
        g.tableLegend;

      // ---------------------------------------------------------- fleet

      local countStat(title, desc, expr, bad) =
        g.stat(title, desc, 3, 4, [g.instant('A', expr)]) +
        g.decimals(0) +
        g.thresholds(g.steps(if bad == c.blue then c.blue else c.green, 1, bad));

      local fleetRow = g.row('Fleet: every zone of $job', [
        countStat('Zones probed',
                  'Zones probed (one dnshealth_probe_info series each; recording rule job:dnshealth_zones:count).',
                  'sum(job:dnshealth_zones:count{%s}) or vector(0)' % fleet,
                  c.blue),
        countStat('Failing probes',
                  'Zones whose probe raised an error-severity finding (probe_success 0; recording rule job:dnshealth_zones_failing:sum).',
                  'sum(job:dnshealth_zones_failing:sum{%s}) or vector(0)' % fleet,
                  c.red),
        countStat('Bogus zones',
                  'Zones whose DNSSEC verdict is bogus: validating resolvers reject data from at least one address (recording rule job:dnshealth_dnssec_status:sum).',
                  'sum(job:dnshealth_dnssec_status:sum{%s, status="bogus"}) or vector(0)' % fleet,
                  c.red),
        countStat('SERVFAIL on every path',
                  'Zones the diagnosis expects validating resolvers to SERVFAIL whatever server they ask (recording rule job:dnshealth_servfail_expected:sum).',
                  'sum(job:dnshealth_servfail_expected:sum{%s}) or vector(0)' % fleet,
                  c.red),
        countStat('SERVFAIL on some paths',
                  'Zones where only some servers, paths or resolvers lead to SERVFAIL (recording rule job:dnshealth_servfail_intermittent:sum).',
                  'sum(job:dnshealth_servfail_intermittent:sum{%s}) or vector(0)' % fleet,
                  c.orange),
        countStat('Lame addresses',
                  'Nameserver addresses, over all zones, that do not answer authoritatively (recording rule job:dnshealth_delegation_lame:sum).',
                  'sum(job:dnshealth_delegation_lame:sum{%s}) or vector(0)' % fleet,
                  c.red),
        countStat('Signatures past refresh',
                  "Zones whose earliest signature has less time left than the threshold the probe judges it by, its signer's refresh margin less a grace (finding rrsig_expiring, the warning alert DNSHealthRRSIGExpiry), expired ones included.",
                  'count(dnshealth_rrsig_days_to_expiry{%(s)s} * 86400 < on (job, instance) dnshealth_rrsig_expiry_threshold_seconds{%(s)s}) or vector(0)' % { s: fleet },
                  c.orange),
        countStat('Signatures expired',
                  'Zones serving a signature that has expired (finding rrsig_expired, the critical alert DNSHealthRRSIGExpiry).',
                  'count(dnshealth_rrsig_days_to_expiry{%s} < 0) or vector(0)' % fleet,
                  c.red),

        // One row per zone: instant queries joined on instance.
        g.table(
          'Zones',
          "One row per zone, worst first. DNSSEC is the verdict a validating resolver reaches; days to RRSIG expiry is the earliest signature any server serves; Diagnosis is the probe's one conclusion (docs/checks.md explains each cause). Click a zone for its drill-down or the exporter's report page.",
          24,
          10,
          [
            g.instantTable('A', 'max by (instance) (probe_success{%s})' % fleet),
            g.instantTable('B', dnssecCode(fleet, 'instance')),
            g.instantTable('C', 'min by (instance) (dnshealth_rrsig_days_to_expiry{%s})' % fleet),
            g.instantTable('D', 'min by (instance) (dnshealth_ds_matches_dnskey{%s})' % fleet),
            g.instantTable('E', 'sum by (instance) (instance:dnshealth_delegation_lame:sum{%s})' % fleet),
            g.instantTable('F', 'min by (instance) (dnshealth_soa_serial_consistent{%s})' % fleet),
            g.instantTable('G', severityCode(fleet, 'instance, cause')),
            g.instantTable('H', 'sum by (instance) (instance:dnshealth_delegation_addresses:count{%s})' % fleet),
            g.instantTable('I', 'max by (instance, module) (dnshealth_probe_info{%s})' % fleet),
          ]
        ) +
        g.transformations(g.joinedColumns(['Time', 'Value #I'], [
          ['instance', 'Zone'],
          ['module', 'Module'],
          ['Value #A', 'Probe'],
          ['Value #B', 'DNSSEC'],
          ['Value #C', 'Days to RRSIG expiry'],
          ['Value #D', 'DS matches DNSKEY'],
          ['Value #E', 'Lame addresses'],
          ['Value #H', 'Addresses'],
          ['Value #F', 'SOA serials'],
          ['cause', 'Diagnosis'],
          ['Value #G', 'Severity'],
        ])) +
        g.noValue('–') +
        g.overrideByName('Zone', [g.prop('links', [drillDownLink, reportLink])]) +
        g.overrideByName('Probe', g.mappedCells(g.boolMappings('ok', c.green, 'failing', c.red))) +
        g.overrideByName('DNSSEC', g.mappedCells(dnssecMappings)) +
        g.overrideByName('Days to RRSIG expiry', [
          g.unitProp('d'),
          g.prop('decimals', 1),
          g.prop('thresholds', expiryThresholds),
          g.prop('color', { mode: 'thresholds' }),
          g.prop('noValue', 'unsigned'),
          g.cellColorBackground,
        ]) +
        g.overrideByName('DS matches DNSKEY', [
          g.mappingsProp(g.boolMappings('yes', c.green, 'no', c.red)),
          g.prop('noValue', 'no DS'),
          g.cellColorBackground,
        ]) +
        g.overrideByName('Lame addresses', [
          g.prop('decimals', 0),
          g.prop('thresholds', g.steps(c.green, 1, c.red)),
          g.prop('color', { mode: 'thresholds' }),
          g.cellColorBackground,
        ]) +
        g.overrideByName('Addresses', [g.prop('decimals', 0)]) +
        g.overrideByName('SOA serials', g.mappedCells(g.boolMappings('consistent', c.green, 'drift', c.orange))) +
        g.overrideByName('Diagnosis', [g.prop('links', [{
          title: 'What ${__value.text} means',
          url: '${runbook}',
          targetBlank: true,
        }])]) +
        g.overrideByName('Severity', g.mappedCells(severityCodeMappings)) +
        g.sortBy('Severity', desc=true),

        expiryGraph(
          'dnshealth_rrsig_days_to_expiry per zone. The bands are the alert thresholds: orange under %d days, red under %d.' % [warn, crit],
          12,
          g.rangeQuery('A', 'min by (instance) (dnshealth_rrsig_days_to_expiry{%s})' % fleet, '{{instance}}')
        ),

        g.table('Findings raised',
                'Every check raised now, per zone. The check links to its runbook entry in docs/checks.md.',
                12,
                8,
                [g.instantTable('A', 'max by (instance, check, severity) (dnshealth_finding{%s})' % fleet)]) +
        g.transformations(g.labelColumns([['instance', 'Zone'], ['check', 'Check'], ['severity', 'Severity']])) +
        g.overrideByName('Check', [runbookLink]) +
        g.overrideByName('Severity', g.mappedCells(severityTextMappings)) +
        g.overrideByName('Zone', [g.prop('links', [drillDownLink])]) +
        g.sortBy('Severity'),

        g.table('Zones per diagnosis cause',
                'How many zones each diagnosis cause explains (recording rule job:dnshealth_diagnosis_info:count).',
                6,
                8,
                [g.instantTable('A', 'sum by (cause, severity) (job:dnshealth_diagnosis_info:count{%s})' % fleet)]) +
        g.transformations([g.organize(['Time'], [['cause', 'Diagnosis'], ['severity', 'Severity'], ['Value', 'Zones']])]) +
        g.overrideByName('Diagnosis', [g.prop('links', [{
          title: 'What ${__value.text} means',
          url: '${runbook}',
          targetBlank: true,
        }])]) +
        g.overrideByName('Severity', g.mappedCells(severityTextMappings)) +
        g.sortBy('Zones', desc=true),

        g.table('Zones per raised check',
                'How many zones raise each check now (recording rule job:dnshealth_finding:count). The check links to its runbook entry.',
                6,
                8,
                [g.instantTable('A', 'sum by (check, severity) (job:dnshealth_finding:count{%s})' % fleet)]) +
        g.transformations([g.organize(['Time'], [['check', 'Check'], ['severity', 'Severity'], ['Value', 'Zones']])]) +
        g.overrideByName('Check', [runbookLink]) +
        g.overrideByName('Severity', g.mappedCells(severityTextMappings)) +
        g.sortBy('Zones', desc=true),

        g.table('Resolver answers over all zones',
                'Zones per resolver and status (recording rule job:dnshealth_resolver_status:sum): one resolver failing many zones is a resolver problem, many resolvers failing one zone a zone problem.',
                6,
                8,
                [g.instantTable('A', 'sum by (resolver, status) (job:dnshealth_resolver_status:sum{%s} > 0)' % fleet)]) +
        g.transformations([g.organize(['Time'], [['resolver', 'Resolver'], ['status', 'Status'], ['Value', 'Zones']])]) +
        g.noValue('no resolvers configured') +
        g.overrideByName('Status', g.mappedCells(resolverStatusMappings)) +
        g.sortBy('Zones', desc=true),

        g.graph('Probe duration, all zones',
                'The slowest and the mean probe over the zones of each job (recording rules job:probe_duration_seconds:max and :avg).',
                6,
                8,
                [
                  g.rangeQuery('A', 'max by (job) (job:probe_duration_seconds:max{%s})' % fleet, '{{job}} max'),
                  g.rangeQuery('B', 'avg by (job) (job:probe_duration_seconds:avg{%s})' % fleet, '{{job}} mean'),
                ]) +
        g.unit('s') + g.min(0) + g.tableLegend,
      ]);

      // ---------------------------------------------------------- drill-down

      local zoneRow = g.row('Zone $instance', [
        g.labelledStat('Diagnosis',
                       "The probe's one conclusion (the cause) and the severity of the findings behind it. docs/checks.md explains each cause.",
                       6,
                       5,
                       [g.namedInstant('A', severityCode(zone, 'cause'), '{{cause}}')]) +
        g.mappings(severityCodeMappings) +
        {
          links: [{
            title: 'Runbook: diagnosis causes',
            type: '',
            icon: '',
            tooltip: '',
            url: '${runbook}',
            tags: [],
            asDropdown: false,
            targetBlank: true,
            includeVars: false,
            keepTime: false,
          }],
        },

        g.stat('DNSSEC',
               'dnshealth_dnssec_status: the verdict a validating resolver reaches. bogus when any address serves data a validator rejects.',
               4,
               5,
               [g.instant('A', dnssecCode(zone, ''))]) +
        g.mappings(dnssecMappings),

        g.stat('Days to RRSIG expiry',
               'Earliest expiration of any signature any address serves. Orange under %d days, red under %d, as the alerts.' % [warn, crit],
               4,
               5,
               [g.instant('A', 'min(dnshealth_rrsig_days_to_expiry{%s})' % zone)]) +
        g.unit('d') + g.decimals(1) + g.noValue('unsigned') + g.thresholds(expiryThresholds) +
        g.options({ graphMode: 'area' }),

        g.stat('SERVFAIL',
               'What validating resolvers do: SERVFAIL on every path (dnshealth_servfail_expected), on some servers or paths only (dnshealth_servfail_intermittent), or not at all.',
               4,
               5,
               [g.instant('A', 'max(dnshealth_servfail_expected{%(z)s} * 2 + dnshealth_servfail_intermittent{%(z)s})' % { z: zone })]) +
        g.mappings(g.valueMappings({
          '0': g.result('no', c.green, 0),
          '1': g.result('some paths', c.orange, 1),
        }) + [g.rangeMapping(2, null, g.result('every path', c.red, 2))]),

        g.labelledStat('Probe',
                       'probe_success: 0 when the probe raised an error-severity finding. dnshealth_dnssec_intermittent: some addresses validate and others do not.',
                       6,
                       5,
                       [
                         g.namedInstant('A', 'max(probe_success{%s})' % zone, 'probe'),
                         g.namedInstant('B', 'max(1 - dnshealth_dnssec_intermittent{%s})' % zone, 'DNSSEC on every address'),
                       ]) +
        g.mappings(g.boolMappings('ok', c.green, 'failing', c.red)),

        g.table('Findings',
                'Checks raised by the latest probe of $instance. The check links to its runbook entry; the debug view (/probe?target=…&debug=true) names the servers and gives the messages.',
                24,
                6,
                [g.instantTable('A', 'max by (check, severity) (dnshealth_finding{%s})' % zone)]) +
        g.transformations(g.labelColumns([['check', 'Check'], ['severity', 'Severity']])) +
        g.noValue('no findings') +
        g.overrideByName('Check', [runbookLink]) +
        g.overrideByName('Severity', g.mappedCells(severityTextMappings)),
      ]);

      local signaturesRow = g.row('Signatures: $instance', [
        serverGraph('Earliest RRSIG expiration per server',
                    'dnshealth_rrsig_expiration_timestamp_seconds, the earliest over the RRset types each address serves. A server whose line falls behind the others stopped getting freshly signed data.',
                    'dateTimeAsIso',
                    'min by (nameserver, address) (dnshealth_rrsig_expiration_timestamp_seconds{%s})' % zone),
        serverGraph('Latest RRSIG inception per server',
                    "dnshealth_rrsig_inception_timestamp_seconds, the latest over the RRset types each address serves: when the server's data was last re-signed.",
                    'dateTimeAsIso',
                    'max by (nameserver, address) (dnshealth_rrsig_inception_timestamp_seconds{%s})' % zone),
        expiryGraph(
          'dnshealth_rrsig_days_to_expiry. Bands: orange under %d days, red under %d (the alert thresholds).' % [warn, crit],
          8,
          g.rangeQuery('A', 'dnshealth_rrsig_days_to_expiry{%s}' % zone, 'days to expiry')
        ),

        g.table('Signatures now, per server and type',
                'Earliest expiration and latest inception of the signatures each address serves per RRset type, and whether they validate (dnshealth_rrsig_valid).',
                12,
                8,
                [
                  g.instantTable('A', 'max by (nameserver, address, type) (dnshealth_rrsig_valid{%s})' % zone),
                  g.instantTable('B', 'min by (nameserver, address, type) (dnshealth_rrsig_expiration_timestamp_seconds{%s})' % zone),
                  g.instantTable('C', 'max by (nameserver, address, type) (dnshealth_rrsig_inception_timestamp_seconds{%s})' % zone),
                ]) +
        g.transformations(g.joinedColumns(['Time'], [
          ['nameserver', 'Nameserver'],
          ['address', 'Address'],
          ['type', 'Type'],
          ['Value #A', 'Valid'],
          ['Value #B', 'Expires'],
          ['Value #C', 'Signed'],
        ])) +
        g.overrideByName('Valid', g.mappedCells(g.boolMappings('valid', c.green, 'invalid', c.red))) +
        g.overrideByName('Expires', [g.unitProp('dateTimeFromNow')]) +
        g.overrideByName('Signed', [g.unitProp('dateTimeFromNow')]),

        g.timeline('Signature validity over time',
                   'dnshealth_rrsig_valid per server and RRset type, and dnshealth_denial_valid (NSEC/NSEC3 proofs) per server.',
                   12,
                   8,
                   [
                     g.rangeQuery('A', 'dnshealth_rrsig_valid{%s}' % zone, '{{nameserver}} {{address}} {{type}}'),
                     g.rangeQuery('B', 'dnshealth_denial_valid{%s}' % zone, '{{nameserver}} {{address}} denial'),
                   ]) +
        g.mappings(g.boolMappings('valid', c.green, 'invalid', c.red)),

        g.graph('Age of the newest signature',
                'How long ago the newest RRSIG any address serves was made (recording rule instance:dnshealth_rrsig_newest_signature_age_seconds). It drops at each re-sign; a line that keeps climbing is a stalled signer (alert DNSHealthSignerStalled).',
                12,
                6,
                [g.rangeQuery('A', 'instance:dnshealth_rrsig_newest_signature_age_seconds{%s}' % zone, 'newest signature age')]) +
        g.unit('s') + g.min(0),

        g.graph('Signing rhythm',
                "Time left on the earliest signature against the threshold the probe judges it by: the signer's refresh margin (dnshealth_rrsig_refresh_margin_seconds, from the module's signing_policy, learned, or the default) less its grace (dnshealth_rrsig_expiry_threshold_seconds). Time left under the threshold is rrsig_expiring. Also the signatures' validity period, the newest signature's age as the probe saw them, and the spread of inceptions across RRsets.",
                12,
                6,
                [
                  g.rangeQuery('A', 'dnshealth_rrsig_days_to_expiry{%s} * 86400' % zone, 'time left'),
                  g.rangeQuery('B', 'dnshealth_rrsig_expiry_threshold_seconds{%s}' % zone, 'threshold'),
                  g.rangeQuery('C', 'dnshealth_rrsig_refresh_margin_seconds{%s}' % zone, 'refresh margin ({{source}})'),
                  g.rangeQuery('D', 'dnshealth_rrsig_validity_seconds{%s}' % zone, 'validity'),
                  g.rangeQuery('E', 'time() - dnshealth_rrsig_newest_inception_timestamp_seconds{%s}' % zone, 'newest signature age (probe)'),
                  g.rangeQuery('F', 'dnshealth_rrsig_inception_spread_seconds{%s}' % zone, 'inception spread'),
                ]) +
        g.unit('s') + g.min(0) + g.tableLegend,
      ]);

      local keysRow = g.row('Keys and DS: $instance', [
        g.table('DNSKEYs served',
                'dnshealth_dnskey_info: every DNSKEY any address serves. Flags 257 = KSK, 256 = ZSK, +128 when revoked.',
                6,
                7,
                [g.instantTable('A', 'max by (key_tag, algorithm, flags) (dnshealth_dnskey_info{%s})' % zone)]) +
        g.transformations(g.labelColumns([['key_tag', 'Key tag'], ['algorithm', 'Algorithm'], ['flags', 'Flags']])) +
        g.overrideByName('Flags', [g.mappingsProp(g.valueMappings({
          '257': g.result('257 KSK', c.green, 0),
          '256': g.result('256 ZSK', c.blue, 1),
          '385': g.result('385 KSK revoked', c.orange, 2),
          '384': g.result('384 ZSK revoked', c.orange, 3),
        })), g.cellColorText]) +
        g.overrideByName('Algorithm', [g.mappingsProp(algorithmMappings)]),

        g.table('DS at the parent',
                'dnshealth_ds_info: every DS the parent serves for the zone, and whether it matches a key that signs the DNSKEY RRset.',
                6,
                7,
                [g.instantTable('A', 'max by (key_tag, algorithm, digest_type, matched) (dnshealth_ds_info{%s})' % zone)]) +
        g.transformations(g.labelColumns([['key_tag', 'Key tag'], ['algorithm', 'Algorithm'], ['digest_type', 'Digest type'], ['matched', 'Matches a key']])) +
        g.noValue('no DS') +
        g.overrideByName('Matches a key', g.mappedCells(g.valueMappings({
          'true': g.result('yes', c.green, 0),
          'false': g.result('no', c.red, 1),
        }))) +
        g.overrideByName('Algorithm', [g.mappingsProp(algorithmMappings)]) +
        g.overrideByName('Digest type', [g.mappingsProp(g.valueMappings({
          '1': g.result('1 SHA-1', c.orange, 0),
          '2': g.result('2 SHA-256', '', 1),
          '4': g.result('4 SHA-384', '', 2),
        }))]),

        g.labelledStat('Chain and rollover',
                       'dnshealth_ds_matches_dnskey (absent without DS), dnshealth_dnskey_consistent (every address serves the same DNSKEY RRset) and dnshealth_cds_matches_ds (absent without CDS; 0 while a rollover is in flight or stuck).',
                       6,
                       7,
                       [
                         g.namedInstant('A', 'max(dnshealth_ds_matches_dnskey{%s})' % zone, 'DS matches DNSKEY'),
                         g.namedInstant('B', 'min(dnshealth_dnskey_consistent{%s})' % zone, 'DNSKEY consistent'),
                         g.namedInstant('C', 'max(dnshealth_cds_matches_ds{%s})' % zone, 'CDS matches DS'),
                       ]) +
        g.mappings(g.boolMappings('yes', c.green, 'no', c.red)) +
        g.overrideByName('CDS matches DS', [g.mappingsProp(g.boolMappings('yes', c.green, 'rollover', c.orange))]) +
        g.options({ orientation: 'horizontal' }),

        g.labelledStat('NSEC3',
                       "dnshealth_nsec3_iterations and dnshealth_nsec3_salt_length_bytes (RFC 9276 says 0 for both), dnshealth_nsec3_opt_out, and dnshealth_nsec3_denials_insecure (the iterations exceed a validator's limit, so it treats the zone's denials as insecure); absent when the zone uses NSEC.",
                       6,
                       7,
                       [
                         g.namedInstant('A', 'max(dnshealth_nsec3_iterations{%s})' % zone, 'iterations'),
                         g.namedInstant('B', 'max(dnshealth_nsec3_salt_length_bytes{%s})' % zone, 'salt bytes'),
                         g.namedInstant('C', 'max(dnshealth_nsec3_opt_out{%s})' % zone, 'opt-out'),
                         g.namedInstant('D', 'max(dnshealth_nsec3_denials_insecure{%s})' % zone, 'denials insecure'),
                       ]) +
        g.decimals(0) + g.noValue('NSEC') + g.thresholds(g.steps(c.green, 1, c.orange)) +
        g.overrideByName('opt-out', [g.mappingsProp(g.boolMappings('yes', c.blue, 'no', c.green))]) +
        g.overrideByName('denials insecure', [g.mappingsProp(g.boolMappings('yes', c.orange, 'no', c.green))]) +
        g.options({ orientation: 'horizontal' }),

        g.labelledStat('Key rollover',
                       'dnshealth_rollover_state (the state, named by the exporter; docs/metrics.md, Rollover state), how long the zone has been in a rollover (dnshealth_rollover_seconds) and in this state (dnshealth_rollover_state_seconds), when the next step is safe by the TTLs (dnshealth_rollover_next_step_safe_timestamp_seconds, absent when steady), and how long the exporter has remembered the zone (dnshealth_rollover_memory_seconds: nothing older is known). Absent for zones without a DS.',
                       24,
                       4,
                       [
                         g.namedInstant('A', 'max by (state) (dnshealth_rollover_state{%s} == 1)' % zone, '{{state}}'),
                         g.namedInstant('B', 'max(dnshealth_rollover_seconds{%s})' % zone, 'in a rollover for'),
                         g.namedInstant('C', 'max(dnshealth_rollover_state_seconds{%s})' % zone, 'in this state for'),
                         g.namedInstant('D', 'max(dnshealth_rollover_next_step_safe_timestamp_seconds{%s}) * 1000' % zone, 'next step safe'),
                         g.namedInstant('E', 'max(dnshealth_rollover_memory_seconds{%s})' % zone, 'remembered for'),
                       ]) +
        g.noValue('no DS') +
        g.overrideByName('in a rollover for', [g.unitProp('s')]) +
        g.overrideByName('in this state for', [g.unitProp('s')]) +
        g.overrideByName('remembered for', [g.unitProp('s')]) +
        g.overrideByName('next step safe', [g.unitProp('dateTimeFromNow')]) +
        g.options({ orientation: 'horizontal' }),
      ]);

      local nameserversRow = g.row('Nameservers: $instance', [
        g.table('Nameserver addresses now',
                "Every address of every nameserver: its status for the zone's SOA (docs/checks.md maps each status to a check), the SOA round trip and the serial it serves.",
                12,
                8,
                [
                  g.instantTable('A', 'max by (nameserver, address, status) (dnshealth_nameserver_status{%s} == 1)' % zone),
                  g.instantTable('B', 'max by (nameserver, address) (dnshealth_nameserver_rtt_seconds{%s})' % zone),
                  g.instantTable('C', 'max by (nameserver, address) (dnshealth_soa_serial{%s})' % zone),
                  g.instantTable('D', 'max by (nameserver, address) (dnshealth_delegation_lame{%s})' % zone),
                ]) +
        g.transformations(g.joinedColumns(['Time', 'Value #A'], [
          ['nameserver', 'Nameserver'],
          ['address', 'Address'],
          ['status', 'Status'],
          ['Value #D', 'Lame'],
          ['Value #B', 'SOA RTT'],
          ['Value #C', 'SOA serial'],
        ])) +
        g.overrideByName('Status', g.mappedCells(nameserverStatusMappings)) +
        g.overrideByName('Lame', [g.mappingsProp(g.boolMappings('lame', c.red, 'no', c.green)), g.cellColorText]) +
        g.overrideByName('SOA RTT', [g.unitProp('s')]) +
        g.overrideByName('SOA serial', [g.unitProp('none'), g.prop('decimals', 0)]),

        g.timeline('Lame addresses over time',
                   'dnshealth_delegation_lame per address: red while the address did not answer authoritatively.',
                   12,
                   8,
                   [g.rangeQuery('A', 'dnshealth_delegation_lame{%s}' % zone, '{{nameserver}} {{address}}')]) +
        g.mappings(g.boolMappings('lame', c.red, 'authoritative', c.green)),

        serverGraph('SOA round-trip time per address',
                    'dnshealth_nameserver_rtt_seconds: round trip of the SOA query, for addresses that answered.',
                    's',
                    'dnshealth_nameserver_rtt_seconds{%s}' % zone) +
        g.min(0),

        serverGraph('SOA serial per server',
                    'dnshealth_soa_serial per address with status ok. Lines that part are serial drift: a secondary that stopped transferring.',
                    'none',
                    'dnshealth_soa_serial{%s}' % zone) +
        g.decimals(0),

        g.timeline('Consistency over time',
                   'dnshealth_soa_serial_consistent, dnshealth_ns_parent_child_consistent and dnshealth_glue_consistent (absent when there is nothing to compare).',
                   8,
                   8,
                   [
                     g.rangeQuery('A', 'dnshealth_soa_serial_consistent{%s}' % zone, 'SOA serials'),
                     g.rangeQuery('B', 'dnshealth_ns_parent_child_consistent{%s}' % zone, 'NS parent/child'),
                     g.rangeQuery('C', 'dnshealth_glue_consistent{%s}' % zone, 'glue'),
                   ]) +
        g.mappings(g.boolMappings('consistent', c.green, 'differs', c.orange)),
      ]);

      local resolversRow = g.row('Resolver view: $instance', [
        g.table('Resolvers now',
                "What each of the module's recursive resolvers answers for the zone's SOA, with and without +cd (dnshealth_resolver_status), whether it set AD (dnshealth_resolver_authenticated) and its round trip. Empty when the module lists no resolvers.",
                10,
                8,
                [
                  g.instantTable('A', 'max by (resolver, status) (dnshealth_resolver_status{%s} == 1)' % zone),
                  g.instantTable('B', 'max by (resolver) (dnshealth_resolver_authenticated{%s})' % zone),
                  g.instantTable('C', 'max by (resolver) (dnshealth_resolver_rtt_seconds{%s})' % zone),
                ]) +
        g.transformations(g.joinedColumns(['Time', 'Value #A'], [
          ['resolver', 'Resolver'],
          ['status', 'Status'],
          ['Value #B', 'AD (validated)'],
          ['Value #C', 'RTT'],
        ])) +
        g.noValue('no resolvers configured') +
        g.overrideByName('Status', g.mappedCells(resolverStatusMappings)) +
        g.overrideByName('AD (validated)', [g.mappingsProp(g.boolMappings('yes', c.green, 'no', c.grey))]) +
        g.overrideByName('RTT', [g.unitProp('s')]),

        g.table('Extended DNS errors',
                'dnshealth_resolver_extended_error: the RFC 8914 codes each resolver attached to its replies. Hints only: resolvers disagree on codes.',
                6,
                8,
                [g.instantTable('A', 'max by (resolver, code) (dnshealth_resolver_extended_error{%s})' % zone)]) +
        g.transformations(g.labelColumns([['resolver', 'Resolver'], ['code', 'EDE']])) +
        g.noValue('none') +
        g.overrideByName('EDE', [g.mappingsProp(edeMappings)]),

        g.graph('Resolver round-trip time',
                'dnshealth_resolver_rtt_seconds: the SOA query with CD=0, for resolvers that answered.',
                8,
                8,
                [g.rangeQuery('A', 'dnshealth_resolver_rtt_seconds{%s}' % zone, '{{resolver}}')]) +
        g.unit('s') + g.min(0) + g.tableLegend,

        g.timeline('Resolver status over time',
                   'dnshealth_resolver_status per resolver: one lane per status it has shown.',
                   24,
                   6,
                   [g.rangeQuery('A', 'dnshealth_resolver_status{%s} == 1' % zone, '{{resolver}} {{status}}')]) +
        g.mappings(g.valueMappings({ '1': g.result('seen', c.blue, 0) })),
      ]);

      local probeRow = g.row('Probe: $instance', [
        g.graph('Probe duration',
                'probe_duration_seconds: how long each probe of the zone took. Near the scrape timeout means probe_timeout findings.',
                8,
                7,
                [g.rangeQuery('A', 'probe_duration_seconds{%s}' % zone, '{{job}}')]) +
        g.unit('s') + g.min(0),

        g.graph('DNS queries per probe',
                "dnshealth_probe_queries: DNS messages each probe sent (cache hits excluded); the module's max_queries caps it.",
                8,
                7,
                [g.rangeQuery('A', 'dnshealth_probe_queries{%s}' % zone, '{{job}}')]) +
        g.unit('short') + g.decimals(0) + g.min(0),

        g.timeline('Probe result over time',
                   'probe_success: red while the probe raised an error-severity finding.',
                   8,
                   7,
                   [g.rangeQuery('A', 'probe_success{%s}' % zone, '{{job}}')]) +
        g.mappings(g.boolMappings('ok', c.green, 'failing', c.red)),
      ]);

      local exporterRow = g.row('Exporter', [
        g.graph('Probes by outcome',
                "dnshealth_exporter_probes_total from the exporter's /metrics: success, failure (probe_success 0) or error (no result served).",
                8,
                7,
                [g.rangeQuery('A', 'sum by (module, outcome) (rate(dnshealth_exporter_probes_total{%s}[$__rate_interval]))' % exporter, '{{module}} {{outcome}}')]) +
        g.unit('reqps') + g.min(0),

        g.graph('Probe duration quantiles',
                'From the dnshealth_exporter_probe_duration_seconds histogram, all zones of a module together.',
                8,
                7,
                [
                  g.rangeQuery('A', 'histogram_quantile(0.5, sum by (le, module) (rate(dnshealth_exporter_probe_duration_seconds_bucket{%s}[$__rate_interval])))' % exporter, '{{module}} p50'),
                  g.rangeQuery('B', 'histogram_quantile(0.9, sum by (le, module) (rate(dnshealth_exporter_probe_duration_seconds_bucket{%s}[$__rate_interval])))' % exporter, '{{module}} p90'),
                  g.rangeQuery('C', 'sum by (module) (rate(dnshealth_exporter_probe_duration_seconds_sum{%(s)s}[$__rate_interval])) / sum by (module) (rate(dnshealth_exporter_probe_duration_seconds_count{%(s)s}[$__rate_interval]))' % { s: exporter }, '{{module}} mean'),
                ]) +
        g.unit('s') + g.min(0),

        g.graph('Turned-away requests',
                'dnshealth_exporter_probes_rejected_total (503: the concurrency limit stayed full) and dnshealth_exporter_module_unknown_total (a scrape names a module the configuration lacks).',
                8,
                7,
                [
                  g.rangeQuery('A', 'sum(rate(dnshealth_exporter_probes_rejected_total{%s}[$__rate_interval]))' % exporter, 'rejected (503)'),
                  g.rangeQuery('B', 'sum(rate(dnshealth_exporter_module_unknown_total{%s}[$__rate_interval]))' % exporter, 'unknown module'),
                ]) +
        g.unit('reqps') + g.min(0),

        g.graph('Probe slots and queue',
                'Probes running (dnshealth_exporter_probes_in_flight) against the slots (dnshealth_exporter_probe_slots, --probe.max-concurrent), probes waiting for one (dnshealth_exporter_probes_queued), and how long they waited (dnshealth_exporter_probe_queue_wait_seconds: p90 and mean). Waiting near the scrape timeout ends in 503s: docs/configuration.md gives the formula for the slots.',
                12,
                7,
                [
                  g.rangeQuery('A', 'sum by (instance) (dnshealth_exporter_probes_in_flight{%s})' % exporter, '{{instance}} running'),
                  g.rangeQuery('B', 'max by (instance) (dnshealth_exporter_probe_slots{%s})' % exporter, '{{instance}} slots'),
                  g.rangeQuery('C', 'sum by (instance) (dnshealth_exporter_probes_queued{%s})' % exporter, '{{instance}} queued'),
                  g.rangeQuery('D', 'histogram_quantile(0.9, sum by (le, instance) (rate(dnshealth_exporter_probe_queue_wait_seconds_bucket{%s}[$__rate_interval])))' % exporter, '{{instance}} wait p90 (s)'),
                  g.rangeQuery('E', 'sum by (instance) (rate(dnshealth_exporter_probe_queue_wait_seconds_sum{%(s)s}[$__rate_interval])) / sum by (instance) (rate(dnshealth_exporter_probe_queue_wait_seconds_count{%(s)s}[$__rate_interval]))' % { s: exporter }, '{{instance}} wait mean (s)'),
                ]) +
        g.min(0),

        g.graph('Shared cache',
                'Bytes held by the shared delegation, address and key cache (dnshealth_exporter_cache_bytes, bounded by --cache.max-bytes) and entries evicted to keep it so (dnshealth_exporter_cache_evictions_total). Steady evictions mean the bound is below the working set: probes then refetch referrals and keys.',
                12,
                7,
                [
                  g.rangeQuery('A', 'max by (instance) (dnshealth_exporter_cache_bytes{%s})' % exporter, '{{instance}} bytes'),
                  g.rangeQuery('B', 'sum by (instance) (rate(dnshealth_exporter_cache_evictions_total{%s}[$__rate_interval]))' % exporter, '{{instance}} evictions/s'),
                ]) +
        g.min(0),

        g.labelledStat('Exporter',
                       'Build (dnshealth_exporter_build_info), cache size (dnshealth_exporter_cache_entries) and configuration reloads (dnshealth_exporter_config_last_reload_successful, …_success_timestamp_seconds), per exporter instance.',
                       24,
                       4,
                       [
                         g.namedInstant('A', 'count by (instance, version) (dnshealth_exporter_build_info{%s})' % exporter, '{{instance}} version {{version}}'),
                         g.namedInstant('B', 'max by (instance) (dnshealth_exporter_cache_entries{%s})' % exporter, '{{instance}} cache entries'),
                         g.namedInstant('C', 'min by (instance) (dnshealth_exporter_config_last_reload_successful{%s})' % exporter, '{{instance}} config loaded'),
                         g.namedInstant('D', 'max by (instance) (dnshealth_exporter_config_last_reload_success_timestamp_seconds{%s})' % exporter, '{{instance}} config loaded at'),
                       ]) +
        g.overrideByQuery('A', [g.mappingsProp([g.rangeMapping(1, null, g.result('running', c.blue, 0))])]) +
        g.overrideByQuery('B', [g.unitProp('short')]) +
        g.overrideByQuery('C', [g.mappingsProp(g.boolMappings('ok', c.green, 'failed', c.red))]) +
        g.overrideByQuery('D', [g.unitProp('dateTimeFromNow')]) +
        g.options({ colorMode: 'value' }),
      ]);

      local variable(type, name, label) = {
        type: type,
        name: name,
        label: label,
        skipUrlSync: false,
        multi: false,
        allowCustomValue: true,
        includeAll: false,
        auto: false,
        auto_min: '10s',
        auto_count: 30,
      };
      local queryVariable(name, label, desc, query) = variable('query', name, label) {
        description: desc,
        query: query,
        definition: query,
        datasource: g.datasource,
        refresh: 2,  // on time range change
        sort: 1,  // alphabetical
      };
      local constant(name, label, desc, value) = variable('constant', name, label) {
        hide: 2,
        description: desc,
        query: value,
      };

      {
        uid: cfg.dashboardUID,
        title: cfg.dashboardTitle,
        description: 'Health of the DNS zones probed by dnshealth_exporter: a fleet overview with one row per zone, and a drill-down into the zone chosen in $instance.',
        tags: ['dns', 'dnssec', 'dnshealth'],
        timezone: 'browser',
        editable: true,
        graphTooltip: 1,
        time: { from: 'now-24h', to: 'now' },
        fiscalYearStartMonth: 0,
        refresh: '1m',
        schemaVersion: 42,
        annotations: {},
        links: [{
          title: 'Check runbook',
          type: 'link',
          icon: 'doc',
          tooltip: 'docs/checks.md: what each check ID and diagnosis cause means and who fixes it',
          url: '${runbook}',
          tags: [],
          asDropdown: false,
          targetBlank: true,
          includeVars: false,
          keepTime: false,
        }],
        templating: {
          list: [
            variable('datasource', 'datasource', 'Data source') { query: 'prometheus' },
            queryVariable('job',
                          'Job',
                          "Prometheus jobs that scrape dnshealth_exporter's /probe.",
                          'label_values(dnshealth_probe_info{%s}, job)' % cfg.jobSelector) {
              multi: true,
              includeAll: true,
            },
            queryVariable('instance',
                          'Zone',
                          'The zone the drill-down rows show (the instance label is the probed zone).',
                          'label_values(dnshealth_probe_info{job=~"$job"}, instance)'),
            constant('runbook', 'Runbook', 'URL of docs/checks.md; finding links append #<check_id>.', cfg.runbookURL),
            constant('report', 'Report', "The exporter's external URL (its --web.external-url); zone links append /report?target=<zone>&module=<module>.", cfg.reportURL),
          ],
        },
        panels: g.layout([fleetRow, zoneRow, signaturesRow, keysRow, nameserversRow, resolversRow, probeRow, exporterRow]),
      },
  },
}
