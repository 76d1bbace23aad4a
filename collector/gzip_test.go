package collector

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"

	kgzip "github.com/klauspost/compress/gzip"
)

// A probe's metrics are gzipped when Prometheus accepts gzip, at gzip's
// fastest level: the body is exactly what klauspost/compress's fastest
// level makes of the text, and the standard library reads it.
func TestProbeResponseIsGzippedAtTheFastestLevel(t *testing.T) {
	h, _ := newTestHandler(t, nil)
	w := get(t, h, "/probe?target=example.org&module=fast", http.Header{"Accept-Encoding": {"gzip"}})
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, Content-Encoding %q; want 200, gzip", w.Code, w.Header().Get("Content-Encoding"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(w.Body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(text), "probe_success 1") {
		t.Fatalf("decompressed body:\n%s", text)
	}
	var want bytes.Buffer
	zw, _ := kgzip.NewWriterLevel(&want, kgzip.BestSpeed)
	_, _ = zw.Write(text)
	_ = zw.Close()
	if !bytes.Equal(w.Body.Bytes(), want.Bytes()) {
		t.Errorf("gzip body of %d bytes is not the fastest level's (%d bytes)", w.Body.Len(), want.Len())
	}
}

// Without gzip in Accept-Encoding, or with q=0, the text goes as it is.
func TestProbeResponseIsPlainUnlessGzipIsAccepted(t *testing.T) {
	for _, ae := range []string{"", "identity", "gzip;q=0", "br, gzip; q=0.0"} {
		h, _ := newTestHandler(t, nil)
		header := http.Header{}
		if ae != "" {
			header.Set("Accept-Encoding", ae)
		}
		w := get(t, h, "/probe?target=example.org&module=fast", header)
		if enc := w.Header().Get("Content-Encoding"); enc != "" || !strings.Contains(w.Body.String(), "probe_success 1") {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, body:\n%s", ae, enc, w.Body.String())
		}
	}
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"gzip": true, "GZIP": true, "deflate, gzip": true, "gzip;q=0.5": true, "*": true, "br;q=1, *;q=0.1": true,
		"": false, "identity": false, "gzip;q=0": false, "gzip; q=0.000": false, "deflate, br": false,
		"gzip;q=0, *": false, "*;q=0": false, "*;q=0, gzip": true,
	} {
		if got := acceptsGzip([]string{v}); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", v, got, want)
		}
	}
}
