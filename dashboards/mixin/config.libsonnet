// The mixin's settings. Override them when vendoring the mixin:
//
//   (import 'dnshealth-mixin/mixin.libsonnet') + {
//     _config+:: {
//       jobSelector: 'job="probe/monitoring/dns-zones"',
//       reportURL: 'https://dnshealth.example.net',
//     },
//   }
//
// dashboards/README.md describes every key.
{
  _config+:: {
    // Selects the series of the Prometheus job(s) that scrape the
    // exporter's /probe (one target per zone, `instance` the zone). Every
    // alert and recording rule uses it; the dashboard's Job variable lists
    // the jobs it matches. The Helm chart's Probe objects set jobName
    // "dnshealth", so the default fits there too.
    jobSelector: 'job="dnshealth"',

    // Selects the job that scrapes the exporter's own /metrics: the
    // dashboard's Exporter row.
    exporterSelector: 'job="dnshealth_exporter"',

    // docs/checks.md as published: runbook_url annotations and the
    // dashboard's finding links append #<check_id>.
    runbookURL: 'https://github.com/dnshealth/dnshealth_exporter/blob/main/docs/checks.md',

    // The exporter as users reach it: its --web.external-url. Alerts'
    // report_url annotation and the dashboard's zone links append
    // /report?target=<zone>&module=<module>.
    reportURL: 'http://dnshealth-exporter.example.net:9553',

    // The dashboard colours days to expiry at these values. The alerts
    // use no fixed number of days: DNSHealthRRSIGExpiry follows the
    // probe's rrsig_expiring finding and its refresh-margin threshold
    // (docs/checks.md#rrsig_expiring).
    rrsigWarningDays: 7,
    rrsigCriticalDays: 2,

    // DNSHealthSignerStalled fires when the newest signature is older than
    // signerStalledFactor times the longest re-signing interval learned
    // over 30 days, and at least signerStalledMinSeconds.
    signerStalledFactor: 1.5,
    signerStalledMinSeconds: 86400,

    // The dashboard's uid (links between its panels use it; importing it
    // again replaces it) and title.
    dashboardUID: 'dnshealth-zones',
    dashboardTitle: 'DNS health',
  },
}
