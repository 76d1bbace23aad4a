package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/common/promslog"
)

// lockedBuffer is a log sink the reload loop and the test share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) count(s string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Count(b.buf.String(), s)
}

// configMapDir lays out dir as the kubelet lays out a ConfigMap volume:
// dnshealth.yml -> ..data/dnshealth.yml, ..data -> a timestamped directory.
// Each update writes a new directory and swaps ..data, so the file the
// exporter opened is never written in place.
type configMapDir struct {
	t   *testing.T
	dir string
	n   int
}

func newConfigMapDir(t *testing.T, files map[string]string) *configMapDir {
	c := &configMapDir{t: t, dir: t.TempDir()}
	c.update(files)
	for name := range files {
		if err := os.Symlink(filepath.Join("..data", name), filepath.Join(c.dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

func (c *configMapDir) update(files map[string]string) {
	c.t.Helper()
	c.n++
	version := filepath.Join(c.dir, "..v"+strconv.Itoa(c.n))
	if err := os.Mkdir(version, 0o700); err != nil {
		c.t.Fatal(err)
	}
	for name, text := range files {
		writeFile(c.t, filepath.Join(version, name), text)
	}
	tmp := filepath.Join(c.dir, "..data_tmp")
	if err := os.Symlink(filepath.Base(version), tmp); err != nil {
		c.t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(c.dir, "..data")); err != nil {
		c.t.Fatal(err)
	}
}

func TestAutoReload(t *testing.T) {
	hints, err := os.ReadFile("docs/lab.hints")
	if err != nil {
		t.Fatal(err)
	}
	const withHints = "modules:\n  lab:\n    root_hints_file: lab.hints\n"
	cm := newConfigMapDir(t, map[string]string{"dnshealth.yml": goodConfig, "lab.hints": string(hints)})

	o, err := parseFlags([]string{"--config.file", filepath.Join(cm.dir, "dnshealth.yml")}, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	o.log.Writer = logs
	e, err := newExporter(o, promslog.New(o.log))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.close)
	ctx, cancel := context.WithCancel(context.Background())
	go e.reloadLoop(ctx, make(chan os.Signal))
	t.Cleanup(func() { cancel(); <-e.stopped })

	// tick is what the watcher does on each tick of its ticker, run here
	// so that the test knows when it is done.
	last := e.configChecksum()
	tick := func() { e.reloadIfChanged(ctx, &last) }
	has := func(name string) bool { _, ok := e.config.Load().Modules[name]; return ok }
	reloadOK := func() float64 { return testutil.ToFloat64(e.metrics.ConfigLastReloadSuccessful) }

	t.Run("unchanged", func(t *testing.T) {
		before := e.config.Load()
		cm.update(map[string]string{"dnshealth.yml": goodConfig, "lab.hints": string(hints)})
		tick()
		if e.config.Load() != before {
			t.Error("the configuration was reloaded though no file changed")
		}
	})

	t.Run("changed", func(t *testing.T) {
		cm.update(map[string]string{"dnshealth.yml": withHints, "lab.hints": string(hints)})
		tick()
		if !has("lab") || has("fast") {
			t.Errorf("modules after the change: lab %v, fast %v; want lab only", has("lab"), has("fast"))
		}
		if got := reloadOK(); got != 1 {
			t.Errorf("config_last_reload_successful = %v, want 1", got)
		}
	})

	t.Run("named_file_changed", func(t *testing.T) {
		before := e.config.Load()
		cm.update(map[string]string{"dnshealth.yml": withHints, "lab.hints": string(hints) + "; a comment changes the file, not the servers\n"})
		tick()
		if e.config.Load() == before {
			t.Error("a change to the root hints file the configuration names did not reload it")
		}
	})

	t.Run("bad_change_keeps_config", func(t *testing.T) {
		before := e.config.Load()
		failed := logs.count("Loading configuration failed")
		cm.update(map[string]string{"dnshealth.yml": "modules:\n  lab:\n    timeuot: 3s\n", "lab.hints": string(hints)})
		tick()
		if e.config.Load() != before {
			t.Error("a configuration that does not load replaced the one in use")
		}
		if got := reloadOK(); got != 0 {
			t.Errorf("config_last_reload_successful = %v, want 0", got)
		}
		if got := logs.count("Loading configuration failed") - failed; got != 1 {
			t.Errorf("%d failed loads logged, want 1", got)
		}
		tick()
		if got := logs.count("Loading configuration failed") - failed; got != 1 {
			t.Errorf("%d failed loads logged after a tick with the same bad file, want it tried once", got)
		}
	})

	t.Run("fixed", func(t *testing.T) {
		cm.update(map[string]string{"dnshealth.yml": "modules:\n  fixed:\n    timeout: 3s\n", "lab.hints": string(hints)})
		tick()
		if !has("fixed") || reloadOK() != 1 {
			t.Errorf("after fixing the file: module fixed %v, config_last_reload_successful %v; want true, 1", has("fixed"), reloadOK())
		}
	})
}

func TestAutoReloadOff(t *testing.T) {
	// With interval 0, or no file to watch, autoReload returns at once
	// rather than polling (it would block until ctx ends).
	e, _ := newTestExporter(t)
	e.autoReload(t.Context(), time.Second)
	path := filepath.Join(t.TempDir(), "dnshealth.yml")
	writeFile(t, path, goodConfig)
	e, _ = newTestExporter(t, "--config.file", path)
	e.autoReload(t.Context(), 0)
}

func TestAutoReloadFlag(t *testing.T) {
	var stderr bytes.Buffer
	if code := run(t.Context(), []string{"--config.auto-reload-interval=-1s"}, io.Discard, &stderr); code != 2 {
		t.Errorf("exit code %d, want 2", code)
	}
	if !strings.Contains(stderr.String(), "--config.auto-reload-interval must not be negative") {
		t.Errorf("stderr %q does not name the flag", stderr.String())
	}
	o, err := parseFlags([]string{"--config.auto-reload-interval=30s"}, io.Discard, io.Discard)
	if err != nil || o.autoReload != 30*time.Second {
		t.Errorf("parsed %v, %v; want 30s", o, err)
	}
}

func TestWatchConfig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dnshealth.yml")
	writeFile(t, path, goodConfig)
	e, _ := newTestExporter(t, "--config.file", path)
	ctx, cancel := context.WithCancel(t.Context())
	ticks := make(chan time.Time)
	done := make(chan struct{})
	go func() { defer close(done); e.watchConfig(ctx, ticks) }()
	ticks <- time.Time{} // taken once watchConfig has its first checksum

	writeFile(t, path, "modules:\n  ticked:\n    timeout: 3s\n")
	ticks <- time.Time{}
	ticks <- time.Time{} // taken once the first tick's reload is done
	if _, ok := e.config.Load().Modules["ticked"]; !ok {
		t.Error("a tick after the file changed did not reload it")
	}
	cancel()
	<-done // watchConfig returns when ctx ends
}
