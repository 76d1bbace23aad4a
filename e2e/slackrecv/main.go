// Command slackrecv stands in for Slack's incoming-webhook endpoint in the
// end-to-end test of the alerting pipeline (e2e/monitoring.sh): Alertmanager's
// slack_configs post to it instead of hooks.slack.com.
//
// It answers every POST with 200 "ok", as Slack does, and appends one JSON
// line per request to the -out file:
//
//	{"time":"<RFC 3339>","path":"/critical","payload":{...the body...}}
//
// A body that is not JSON is recorded as a string under "invalid" and
// answered 400 "invalid_payload", as Slack does. It listens on -listen
// (127.0.0.1:0 picks a free port) and writes the address it bound to the
// -addr-file, so that the caller needs no free-port guessing. It exits on
// SIGTERM or SIGINT.
package main

import (
	"encoding/json"
	"flag"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

type record struct {
	Time    string          `json:"time"`
	Path    string          `json:"path"`
	Payload json.RawMessage `json:"payload,omitempty"`
	Invalid string          `json:"invalid,omitempty"`
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	out := flag.String("out", "", "file to append one JSON line per request to (required)")
	addrFile := flag.String("addr-file", "", "file to write the bound address to")
	flag.Parse()
	if *out == "" {
		log.Fatal("slackrecv: -out is required")
	}
	f, err := os.OpenFile(*out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		log.Fatalf("slackrecv: %v", err)
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatalf("slackrecv: %v", err)
	}
	if *addrFile != "" {
		// Written to a temporary name and renamed, so a reader never sees
		// a partial address.
		tmp := *addrFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(ln.Addr().String()+"\n"), 0o644); err != nil {
			log.Fatalf("slackrecv: %v", err)
		}
		if err := os.Rename(tmp, *addrFile); err != nil {
			log.Fatalf("slackrecv: %v", err)
		}
	}

	var mu sync.Mutex
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
		if err != nil {
			http.Error(w, "read error", http.StatusBadRequest)
			return
		}
		rec := record{Time: time.Now().UTC().Format(time.RFC3339Nano), Path: r.URL.Path}
		valid := json.Valid(body)
		if valid {
			rec.Payload = body
		} else {
			rec.Invalid = string(body)
		}
		line, err := json.Marshal(rec)
		if err != nil {
			http.Error(w, "encode error", http.StatusInternalServerError)
			return
		}
		mu.Lock()
		_, err = f.Write(append(line, '\n'))
		mu.Unlock()
		if err != nil {
			log.Printf("slackrecv: write %s: %v", *out, err)
			http.Error(w, "write error", http.StatusInternalServerError)
			return
		}
		if !valid {
			http.Error(w, "invalid_payload", http.StatusBadRequest)
			return
		}
		_, _ = io.WriteString(w, "ok")
	})

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		_ = srv.Close()
	}()
	log.Printf("slackrecv: listening on %s, recording to %s", ln.Addr(), *out)
	if err := srv.Serve(ln); err != nil && err != http.ErrServerClosed {
		log.Fatalf("slackrecv: %v", err)
	}
	_ = f.Close()
}
