// Command differential is the generator and the comparer of the
// differential test (docs/differential.md): signed zone variants across the
// choices validators make, served by BIND and NSD under a private signed
// root on 127.60.0.0/16, and the exporter's DNSSEC verdict for each
// compared with Unbound's and with BIND's delv.
//
//	differential gen -dir DIR [-subset N -seed S]   keys, zones, configurations
//	differential compare -dir DIR -exporter BIN -expect FILE
//	differential list [-subset N -seed S]           the variants and their dimensions
//
// e2e/differential.sh brings the servers up between the two.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/miekg/dns"
)

// Manifest is what gen leaves for compare.
type Manifest struct {
	Generated time.Time
	Variants  []ManifestVariant
}

// ManifestVariant is one variant as compare needs it.
type ManifestVariant struct {
	Name      string
	Zone      string
	Server    string
	Signer    string
	Questions []Question
	Dims      [][2]string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: differential gen|compare|list [flags]")
		os.Exit(3)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		err = cmdGen(os.Args[2:])
	case "compare":
		err = cmdCompare(os.Args[2:])
	case "list":
		err = cmdList(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "differential:", err)
		os.Exit(1)
	}
}

func pick(subset int, seed int64) []Variant {
	vs := Space()
	if subset > 0 {
		vs = Subset(vs, seed, subset)
	}
	return vs
}

func cmdList(args []string) error {
	fs := flag.NewFlagSet("list", flag.ContinueOnError)
	subset := fs.Int("subset", 0, "a seeded subset of at most this many variants (every dimension covered); 0: all")
	seed := fs.Int64("seed", 1, "the subset's seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, v := range pick(*subset, *seed) {
		var d []string
		for _, kv := range v.Dims {
			d = append(d, kv[0]+"="+kv[1])
		}
		fmt.Printf("%s\t%s\n", v.Name, strings.Join(d, " "))
	}
	return nil
}

func cmdGen(args []string) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	dir := fs.String("dir", "", "output directory (emptied first)")
	subset := fs.Int("subset", 0, "a seeded subset of at most this many variants (every dimension covered); 0: all")
	seed := fs.Int64("seed", 1, "the subset's seed")
	workers := fs.Int("workers", 2*runtime.NumCPU(), "variants built in parallel")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *dir == "" {
		return fmt.Errorf("gen: -dir is required")
	}
	for _, d := range []string{"zones", "keys"} {
		if err := os.MkdirAll(filepath.Join(*dir, d), 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", d, err)
		}
	}
	logf, err := os.Create(filepath.Join(*dir, "sign.log"))
	if err != nil {
		return fmt.Errorf("creating sign.log: %w", err)
	}
	defer logf.Close()
	g := &Gen{Dir: *dir, Now: time.Now().UTC().Truncate(time.Second), Log: nil}
	vs := pick(*subset, *seed)

	built := make([]*Built, len(vs))
	errs := make([]error, len(vs))
	var wg sync.WaitGroup
	next := make(chan int)
	var logMu sync.Mutex
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				built[i], errs[i] = g.Build(vs[i])
				if errs[i] != nil {
					logMu.Lock()
					fmt.Fprintf(logf, "%s: %v\n", vs[i].Name, errs[i])
					logMu.Unlock()
				}
			}
		}()
	}
	for i := range vs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	if err := g.buildTop(built); err != nil {
		return err
	}
	// Server zone lists, exporter modules, manifest.
	lists := map[string][]string{}
	for _, b := range built {
		for srv, f := range b.Files {
			lists[srv] = append(lists[srv], b.Zone+" "+f)
		}
	}
	for _, srv := range []string{"bind", "nsd"} {
		sort.Strings(lists[srv])
		if err := os.WriteFile(filepath.Join(*dir, "zones-"+srv+".txt"), []byte(strings.Join(lists[srv], "\n")+"\n"), 0o644); err != nil {
			return fmt.Errorf("writing the %s zone list: %w", srv, err)
		}
	}
	m := Manifest{Generated: g.Now}
	var y strings.Builder
	y.WriteString("# Written by e2e/differential gen: one module per variant (its records).\nmodules:\n")
	for _, b := range built {
		m.Variants = append(m.Variants, ManifestVariant{Name: b.V.Name, Zone: b.Zone, Server: b.V.Server, Signer: b.V.Signer, Questions: b.V.Questions, Dims: b.V.Dims})
		fmt.Fprintf(&y, "  %s:\n    root_hints_file: %s\n    trust_anchors_file: %s\n    timeout: 20s\n    query_timeout: 2s\n    max_queries: 1000\n    records:\n",
			b.V.Name, filepath.Join(*dir, "root.hints"), filepath.Join(*dir, "root.ds"))
		for _, q := range b.V.Questions {
			fmt.Fprintf(&y, "      - {name: %q, type: %s}\n", q.Name, dns.TypeToString[q.Type])
		}
	}
	if err := os.WriteFile(filepath.Join(*dir, "exporter.yml"), []byte(y.String()), 0o644); err != nil {
		return fmt.Errorf("writing exporter.yml: %w", err)
	}
	js, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return fmt.Errorf("encoding the manifest: %w", err)
	}
	if err := os.WriteFile(filepath.Join(*dir, "manifest.json"), js, 0o644); err != nil {
		return fmt.Errorf("writing the manifest: %w", err)
	}
	fmt.Printf("differential: generated %d variants in %s\n", len(built), *dir)
	return nil
}

// buildTop signs diff. (delegations and DS of every variant) and the root,
// and writes the root hints and the trust anchor in the three formats.
func (g *Gen) buildTop(built []*Built) error {
	tv := Variant{Name: "top", Signer: "dnssec-signzone", Denial: "nsec", Inc: -hour, Exp: 30 * day}
	kdir := filepath.Join(g.Dir, "keys", "top")
	if err := os.MkdirAll(kdir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", kdir, err)
	}
	signTop := func(zone string, data []dns.RR, out string) (*genKey, error) {
		keys, err := makeKeys(zone, std(dns.ECDSAP256SHA256))
		if err != nil {
			return nil, err
		}
		d := filepath.Join(kdir, strings.TrimSuffix(zone, ".")+"root")
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, fmt.Errorf("creating %s: %w", d, err)
		}
		var signers []*genKey
		for _, id := range sortedIDs(keys) {
			if err := writeKeyFiles(d, keys[id], false); err != nil {
				return nil, err
			}
			signers = append(signers, keys[id])
			data = append(data, keys[id].rr)
		}
		in := filepath.Join(d, "zone.unsigned")
		if err := writeZone(in, data); err != nil {
			return nil, err
		}
		if err := g.sign(tv, zone, in, out, signers); err != nil {
			return nil, err
		}
		return keys["ksk"], nil
	}
	tld := []dns.RR{
		mustRR(fmt.Sprintf("%s 3600 IN SOA %s hostmaster.%s 1 3600 600 86400 300", TLD, tldNSName, TLD)),
		mustRR(fmt.Sprintf("%s 3600 IN NS %s", TLD, tldNSName)),
		mustRR(fmt.Sprintf("%s 3600 IN A %s", tldNSName, TLDAddr)),
		mustRR(fmt.Sprintf("%s 3600 IN A %s", rootNS, RootAddr)),
	}
	for _, b := range built {
		tld = append(tld, b.Parent...)
	}
	tk, err := signTop(TLD, tld, filepath.Join(g.Dir, "zones", "diff.zone"))
	if err != nil {
		return fmt.Errorf("signing %s: %w", TLD, err)
	}
	root := []dns.RR{
		mustRR(fmt.Sprintf(". 3600 IN SOA %s hostmaster. 1 3600 600 86400 300", rootNS)),
		mustRR(fmt.Sprintf(". 3600 IN NS %s", rootNS)),
		mustRR(fmt.Sprintf("%s 3600 IN NS %s", TLD, tldNSName)),
		mustRR(fmt.Sprintf("%s 3600 IN A %s", rootNS, RootAddr)),
		mustRR(fmt.Sprintf("%s 3600 IN A %s", tldNSName, TLDAddr)),
		dsOf(tk.rr, dns.SHA256),
	}
	rk, err := signTop(".", root, filepath.Join(g.Dir, "zones", "root.zone"))
	if err != nil {
		return fmt.Errorf("signing the root: %w", err)
	}
	ds := dsOf(rk.rr, dns.SHA256)
	files := map[string]string{
		"root.ds":     ds.String() + "\n",
		"root.hints":  fmt.Sprintf(". 3600000 IN NS %s\n%s 3600000 IN A %s\n", rootNS, rootNS, RootAddr),
		"delv.anchor": fmt.Sprintf("trust-anchors {\n\t. static-ds %d %d %d \"%s\";\n};\n", ds.KeyTag, ds.Algorithm, ds.DigestType, strings.ToUpper(ds.Digest)),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(g.Dir, name), []byte(content), 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", name, err)
		}
	}
	return nil
}
