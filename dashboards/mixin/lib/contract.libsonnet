// Label values the exporter emits (collector/descs.go, probe package): the
// dashboard's value mappings name each of them, and the dashboards module's
// tests fail when these lists and the exporter's differ.
{
  // dnshealth_dnssec_status's status label, in the order of the
  // dashboard's DNSSEC code (0 secure ... 3 bogus, worst highest).
  dnssecStatuses: ['secure', 'insecure', 'indeterminate', 'bogus'],

  // dnshealth_diagnosis_info's severity label, in the order of the
  // dashboard's severity code; dnshealth_finding uses the last three.
  severities: ['none', 'notice', 'warning', 'error'],

  // dnshealth_nameserver_status's status label; every one but ok and
  // family_unreachable is lame.
  nameserverStatuses: [
    'ok',
    'timeout',
    'refused',
    'servfail',
    'not_authoritative',
    'referral',
    'upward_referral',
    'wrong_zone',
    'network_error',
    'malformed',
    'family_unreachable',
  ],

  // dnshealth_resolver_status's status label.
  resolverStatuses: [
    'ok',
    'dnssec_failure',
    'servfail',
    'nxdomain',
    'timeout',
    'refused',
    'insecure',
    'network_error',
    'malformed',
  ],
}
