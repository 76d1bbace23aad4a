package collector

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
)

// The text writer renders one probe's metrics in the Prometheus text format
// straight from the report, the bytes a registry, Gather and expfmt make
// of the same collector (TestTextMatchesTheRegistry holds it to that). A
// registry per probe was 40% of the bytes the exporter allocated and a
// tenth of its CPU at 10,000 probes a minute (docs/benchmarks.md). It
// serves the text formats only; the handler leaves anything else to
// promhttp.

var (
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
	valueEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`, `"`, `\"`)
)

// series is one line to write: its Desc's metadata, value and label values.
type series struct {
	d      *descMeta
	v      float64
	labels []string
}

// textBufs holds the writer's buffers between probes.
var textBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// gaugeFunc receives one series: a Desc made by newDesc, its value and
// its label values.
type gaugeFunc = func(d *prometheus.Desc, v float64, labels ...string)

// writeText appends c's metrics to buf in the text format; see writeSeries.
func (c *ProbeCollector) writeText(buf *bytes.Buffer) (dropped int) {
	return writeSeries(buf, c.each)
}

// writeSeries appends the series each gives to buf in the text format.
// dropped counts series a registry would have refused (a repeated label
// set, a label value that is not UTF-8), which it leaves out likewise.
func writeSeries(buf *bytes.Buffer, each func(gaugeFunc)) (dropped int) {
	samples := make([]series, 0, 128)
	each(func(d *prometheus.Desc, v float64, labels ...string) {
		m := descMetas[d]
		for _, l := range labels {
			if !utf8.ValidString(l) {
				dropped++
				return
			}
		}
		samples = append(samples, series{d: m, v: v, labels: labels})
	})
	// As Gather orders them: families by name, and a family's series by
	// their label values taken in label-name order.
	slices.SortStableFunc(samples, func(a, b series) int {
		if c := strings.Compare(a.d.name, b.d.name); c != 0 {
			return c
		}
		for _, i := range a.d.order {
			if c := strings.Compare(a.labels[i], b.labels[i]); c != 0 {
				return c
			}
		}
		return 0
	})
	var num []byte
	for i, s := range samples {
		if i > 0 && samples[i-1].d == s.d && slices.Equal(samples[i-1].labels, s.labels) {
			dropped++ // the registry keeps the first of a repeated series
			continue
		}
		if i == 0 || samples[i-1].d != s.d {
			buf.WriteString(s.d.header)
		}
		buf.WriteString(s.d.name)
		for j, li := range s.d.order {
			if j == 0 {
				buf.WriteByte('{')
			} else {
				buf.WriteByte(',')
			}
			buf.WriteString(s.d.labels[li])
			buf.WriteString(`="`)
			_, _ = valueEscaper.WriteString(buf, s.labels[li])
			buf.WriteByte('"')
		}
		if len(s.d.order) > 0 {
			buf.WriteByte('}')
		}
		buf.WriteByte(' ')
		num = appendValue(num[:0], s.v)
		buf.Write(num)
		buf.WriteByte('\n')
	}
	return dropped
}

// appendValue formats v as expfmt does.
func appendValue(b []byte, v float64) []byte {
	switch {
	case v == 1:
		return append(b, '1')
	case v == 0:
		return append(b, '0')
	case v == -1:
		return append(b, "-1"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, +1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
