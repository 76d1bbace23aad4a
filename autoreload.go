package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// autoReload polls the configuration file every interval and reloads it
// through the reload loop, as SIGHUP and POST /-/reload do, when its content
// or that of a file it names (root hints, trust anchors) has changed. It
// returns at once when interval is 0 or there is no configuration file.
//
// Polling a checksum, not file events, because the kubelet updates a
// mounted ConfigMap by swapping a symlink to a new directory: the file
// watched by inotify is never written, it is replaced. Prometheus's
// --config.auto-reload-interval polls a checksum for the same reason.
func (e *exporter) autoReload(ctx context.Context, interval time.Duration) {
	if interval <= 0 || e.configFile == "" {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	e.watchConfig(ctx, t.C)
}

// watchConfig reloads the configuration on each tick when it has changed.
func (e *exporter) watchConfig(ctx context.Context, ticks <-chan time.Time) {
	last := e.configChecksum()
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.stopped:
			return
		case <-ticks:
			e.reloadIfChanged(ctx, &last)
		}
	}
}

// reloadIfChanged reloads the configuration through the reload loop when
// its checksum differs from *last, and returns once the reload is done. A
// content that failed to load is not retried until it changes again: the
// failure is logged and config_last_reload_successful stays 0 meanwhile.
func (e *exporter) reloadIfChanged(ctx context.Context, last *[sha256.Size]byte) {
	sum := e.configChecksum()
	if sum == *last {
		return
	}
	*last = sum
	e.logger.Info("Configuration file changed; reloading", "file", e.configFile)
	reply := make(chan error, 1)
	select {
	case e.reloadCh <- reply:
	case <-ctx.Done():
		return
	case <-e.stopped:
		return
	}
	<-reply // reload logs the outcome and sets the reload gauges
}

// configChecksum hashes the configuration file and the files the current
// configuration names. A file that cannot be read hashes as its error, so
// that it coming back is a change too.
func (e *exporter) configChecksum() [sha256.Size]byte {
	files := []string{e.configFile}
	if cfg := e.config.Load(); cfg != nil {
		dir := filepath.Dir(e.configFile)
		var named []string
		for _, m := range cfg.Modules {
			for _, f := range []string{m.RootHintsFile, m.TrustAnchorsFile} {
				if f == "" {
					continue
				}
				// Relative names are relative to the configuration
				// file, as probe.LoadConfig resolves them.
				if !filepath.IsAbs(f) {
					f = filepath.Join(dir, f)
				}
				named = append(named, f)
			}
		}
		slices.Sort(named)
		files = append(files, slices.Compact(named)...)
	}
	h := sha256.New()
	for _, name := range files {
		fmt.Fprintf(h, "%s\x00", name)
		if err := hashFile(h, name); err != nil {
			fmt.Fprintf(h, "error: %v", err)
		}
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

func hashFile(w io.Writer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}
