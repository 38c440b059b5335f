package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/internal/golden"
	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/store"
)

// The real OpenStack samples: the live migrations of os-log-merger (a
// nova-api and a nova-compute log of 2015-10-29, DEBUG on) and the error
// loop of its router/network/VM-creation case (612,511 lines, 95% TRACE).
const (
	liveMigration = "os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/"
	errorLoop     = "os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-api.log-20151113.gz"
	creation      = "os-log-merger/debug-router-net-vm-creation/"
)

// TestRealSamplesThroughTheExtractor runs log-extract's extractor over
// the real logs, as `log-extract … | log-report users` does, and holds
// the reports of its lifecycle records to testdata/real.
func TestRealSamplesThroughTheExtractor(t *testing.T) {
	dir := osdata.Dir(t)
	for _, tc := range []struct {
		name   string
		files  []string
		report []string
	}{
		{"extract-creation-users", []string{creation + "controller1/var/log/nova/nova-api.log-20151113.gz",
			creation + "controller1/var/log/nova/nova-compute.log-20151124.gz"}, []string{"users", "--section", "summary", "--section", "daily", "--section", "top-actions"}},
		{"extract-live-migration-perf", []string{liveMigration + "nova-api.log", liveMigration + "nova-compute.log"}, []string{"perf"}},
		{"extract-creation-forensics", []string{creation + "controller1/var/log/nova/nova-api.log-20151113.gz",
			creation + "controller1/var/log/nova/nova-compute.log-20151124.gz", creation + "networker2/var/log/nova/nova-compute.log-20151124.gz",
			creation + "networker3/var/log/nova/nova-compute.log-20151124.gz"},
			[]string{"forensics", "--around", "2015-11-12 13:00", "--window", "24h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var names []string
			for _, f := range tc.files {
				names = append(names, filepath.Join(dir, f))
			}
			var lines bytes.Buffer
			sink := store.NewJSONLines(&lines, nil)
			_, err := extract.Run(context.Background(), names, extract.Options{Mode: "vm", IncludeDelete: true}, func(a action.Action) error {
				_, err := sink.Write(context.Background(), []action.Action{a})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if lines.Len() == 0 {
				t.Fatal("the extractor found no action")
			}
			// The evidence names the files by absolute path: make it the
			// samples' relative one, so the golden file is the same anywhere.
			in := bytes.ReplaceAll(lines.Bytes(), []byte(dir+string(filepath.Separator)), nil)
			var out, errOut bytes.Buffer
			code := run(tc.report, cli.IO{In: bytes.NewReader(in), Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			check(t, tc.name, out.Bytes())
		})
	}
}

// TestRealSamplesAsText reads the text logs themselves.
func TestRealSamplesAsText(t *testing.T) {
	dir := osdata.Dir(t)
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"text-live-migration-perf", []string{"perf", liveMigration + "nova-api.log", liveMigration + "nova-compute.log"}},
		{"text-creation-users", []string{"users", "--section", "summary", "--section", "daily", "--section", "top-actions", errorLoop}},
		{"text-error-loop-exceptions", []string{"exceptions", errorLoop}},
		{"text-error-loop-load", []string{"load", errorLoop}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Chdir(dir) // relative names in the report
			var out, errOut bytes.Buffer
			code := run(tc.args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut.String())
			}
			check(t, tc.name, out.Bytes())
		})
	}
}

func check(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join(testdataDir, "real", name), got, true)
}

// testdataDir is this package's testdata, made absolute before a test
// changes directory.
var testdataDir = func() string {
	d, err := filepath.Abs("testdata")
	if err != nil {
		panic(err)
	}
	return d
}()
