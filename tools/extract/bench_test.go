package extract

import (
	"compress/gzip"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// bigLog is the 83 MB nova-api log (612,511 lines, 95.6% of them a
// traceback loop) the issue sets the speed target on.
const bigLog = "os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-api.log-20151113.gz"

// BenchmarkExtract runs the whole extraction over the big log, gzip as
// stored and unpacked; bytes are those of the unpacked log. Compare with
// `grep -cE` on the unpacked file (bench script) for the target.
func BenchmarkExtract(b *testing.B) {
	gz := osdata.Path(b, bigLog)
	plain := filepath.Join(b.TempDir(), "nova-api.log")
	size := unpack(b, gz, plain)
	for _, name := range []string{gz, plain} {
		b.Run(filepath.Ext(name), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				if _, err := Run(context.Background(), []string{name}, Options{}, func(action.Action) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
				if n != 9 {
					b.Fatalf("%d actions, want 9", n)
				}
			}
		})
	}
}

func unpack(b *testing.B, src, dst string) int64 {
	in, err := os.Open(src)
	if err != nil {
		b.Fatal(err)
	}
	defer in.Close()
	zr, err := gzip.NewReader(in)
	if err != nil {
		b.Fatal(err)
	}
	out, err := os.Create(dst)
	if err != nil {
		b.Fatal(err)
	}
	defer out.Close()
	n, err := io.Copy(out, zr)
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// The recognisers, one line each.

func BenchmarkParseAccess(b *testing.B) {
	msg := `10.211.55.142 "POST /v2/0c7fe42d8b9f4f7ebcf4cd563078dcb4/servers/f730a1bc-5972-48ab-9ca2-e9f178ca97f0/action HTTP/1.1" status: 202 len: 763 time: 0.3611078`
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseAccess(msg); !ok {
			b.Fatal("not an access line")
		}
	}
}

func BenchmarkClassifyVM(b *testing.B) {
	path := "/v2/0c7fe42d8b9f4f7ebcf4cd563078dcb4/servers/f730a1bc-5972-48ab-9ca2-e9f178ca97f0/action"
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ClassifyVM("POST", path); !ok {
			b.Fatal("not a server action")
		}
	}
}

func BenchmarkDebugAction(b *testing.B) {
	msg := `Action: 'action', calling method: <bound method AdminActionsController._migrate_live of <nova.api.openstack.compute.contrib.admin_actions.AdminActionsController object at 0x50e61d0>>, body: {"os-migrateLive": {"disk_over_commit": false, "block_migration": false, "host": "hp-ms-01-c29"}} _process_stack /usr/lib/python2.7/site-packages/nova/api/openstack/wsgi.py:934`
	b.ReportAllocs()
	for b.Loop() {
		if DebugAction(msg, nil) != "live-migrate" {
			b.Fatal("not read")
		}
	}
}

// BenchmarkScan is the look every line gets: a TRACE line of the big log,
// skipped after its timestamp and level.
func BenchmarkScan(b *testing.B) {
	line := []byte(`2015-11-12 13:17:36.104 16480 TRACE nova.api.openstack   File "/usr/lib/python2.7/site-packages/nova/api/openstack/__init__.py", line 125, in __call__`)
	c := &cursor{e: New(Options{}, nil)}
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		if _, interesting, ok := c.scan(line); !ok || interesting {
			b.Fatal("wrong look")
		}
	}
}

// BenchmarkAddJSON is one of our JSON request lines (as httpaudit writes a
// server action) through the extractor.
func BenchmarkAddJSON(b *testing.B) {
	line := []byte(`{"action":"pause","context":{"remote_addr":"10.0.0.7:51234","request_id":"req-0b9c6f1e-4d2a-4c8e-9f3b-7a5d1e2c4b6a"},"duration_ms":12.345,"kind":"request","level":"INFO","message":"POST /v2.1/servers/3f2a0b9c-1d2e-4f5a-8b9c-0d1e2f3a4b5c/action","outcome":"success","rpc":{"method":"POST","route":"/v2.1/servers/{id}/action","system":"http"},"schema_version":1,"seq":7,"service":"nova-api","status":202,"target":{"id":"3f2a0b9c-1d2e-4f5a-8b9c-0d1e2f3a4b5c","type":"server"},"timestamp":"2026-11-27T07:38:55.123456Z","user":{"id":"9a1f","project_id":"p-42"}}`)
	e := New(Options{IncludeDelete: true}, func(action.Action) error { return nil })
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		n++
		if err := e.AddJSON("api.log", n, line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAddJSONLog is the common case: one of our lines that is not a
// request (a plain log line), read for its time and passed over.
func BenchmarkAddJSONLog(b *testing.B) {
	line := []byte(`{"kind":"log","level":"DEBUG","message":"Running periodic task ComputeManager._reclaim_queued_deletes","schema_version":1,"seq":2,"service":"nova-compute","timestamp":"2026-11-23T09:00:00.004058Z"}`)
	e := New(Options{}, func(action.Action) error { return nil })
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	var n int64
	for b.Loop() {
		n++
		if err := e.AddJSON("api.log", n, line); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLanguages runs the extraction over a compute log full of
// instance lines (hotsos's, DEBUG on) and the big nova-api log, with nova's
// translation tables and with none (English only), alternating round by
// round so both see the same machine; "tables/none" is the cost of reading
// every language, which should be lost in the noise (≈ 1.00).
func BenchmarkLanguages(b *testing.B) {
	none := newTranslator(nil)
	full := catalog()
	defer func() { catalog = func() *translator { return full } }()
	for _, f := range []string{"hotsos/nova-compute.log.1.gz", bigLog} {
		name := osdata.Path(b, f)
		b.Run(filepath.Base(filepath.Dir(f)), func(b *testing.B) {
			var took [2]time.Duration
			for b.Loop() {
				for k, tr := range []*translator{full, none} {
					catalog = func() *translator { return tr }
					t0 := time.Now()
					if _, err := Run(context.Background(), []string{name}, Options{}, func(action.Action) error { return nil }); err != nil {
						b.Fatal(err)
					}
					took[k] += time.Since(t0)
				}
			}
			b.ReportMetric(took[0].Seconds()/took[1].Seconds(), "tables/none")
			b.ReportMetric(float64(took[0].Microseconds())/float64(b.N)/1000, "ms-tables")
			b.ReportMetric(float64(took[1].Microseconds())/float64(b.N)/1000, "ms-none")
			b.ReportMetric(0, "ns/op")
		})
	}
}
