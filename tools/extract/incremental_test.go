package extract

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
)

// TestIncremental reads logs that grow, as an incremental run every 15
// seconds of log time would find them, each run starting from the last
// one's checkpoints: together the runs emit exactly what one run over the
// whole logs emits, nothing twice, nothing lost, every record whole
// (evidence line numbers included).
func TestIncremental(t *testing.T) {
	base := "os-log-merger/debug-live-migration/"
	src := sampleFiles(t, []string{
		base + "hp-ms-01-c29/var/log/nova/nova-api.log",
		base + "hp-ms-01-c29/var/log/nova/nova-compute.log",
		base + "hp-ms-01-c30/var/log/nova/nova-compute.log",
	})
	dir := t.TempDir()
	var logs [][]string // the lines of each file
	var names []string
	for i, f := range src {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		logs = append(logs, strings.SplitAfter(string(data), "\n"))
		names = append(names, filepath.Join(dir, fmt.Sprintf("%d.log", i)))
	}
	// grow writes, for each file, its lines up to the first record after cut.
	grow := func(cut time.Time) {
		for i, lines := range logs {
			n := len(lines)
			for j, l := range lines {
				if isStamp([]byte(l)) {
					if ts, err := time.Parse("2006-01-02 15:04:05.000", l[:23]); err == nil && ts.After(cut) {
						n = j
						break
					}
				}
			}
			if err := os.WriteFile(names[i], []byte(strings.Join(lines[:n], "")), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	format := func(a action.Action) string {
		a.Evidence = slices.Clone(a.Evidence)
		for i := range a.Evidence {
			a.Evidence[i].Source = filepath.Base(a.Evidence[i].Source)
		}
		return fmt.Sprintf("%+v", a)
	}
	run := func(opts Options) ([]string, Stats) {
		var got []string
		st, err := Run(context.Background(), names, opts, func(a action.Action) error {
			got = append(got, format(a))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got, st
	}

	grow(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	want, _ := run(Options{})
	if len(want) != 2 {
		t.Fatalf("one run: %d actions, want the 2 migrations", len(want))
	}

	var got []string
	var start map[string]input.Position
	from := time.Date(2015, 10, 29, 10, 50, 0, 0, time.UTC)
	for cut := from; cut.Before(from.Add(10 * time.Minute)); cut = cut.Add(15 * time.Second) {
		grow(cut)
		acts, st := run(Options{Incremental: true, Start: start})
		got = append(got, acts...)
		start = st.Checkpoints
	}
	grow(time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC))
	acts, _ := run(Options{Start: start})
	got = append(got, acts...)
	if !slices.Equal(got, want) {
		t.Errorf("incremental runs differ from one run:\n-%s\n+%s", strings.Join(want, "\n-"), strings.Join(got, "\n+"))
	}
}

// TestCheckpointHoldsPending checks what a pause at the end of the input
// leaves: the waiting action is not emitted, and the checkpoint of each
// file stops before the first line it used.
func TestCheckpointHoldsPending(t *testing.T) {
	dir := t.TempDir()
	api := write(t, dir, "api.log", ""+
		"2015-10-29 10:00:00.000 1 INFO nova.osapi_compute.wsgi.server [-] 10.0.0.1 \"GET /v2/p/servers HTTP/1.1\" status: 200 len: 0 time: 0.1\n"+
		"2015-10-29 10:00:01.000 1 DEBUG nova.api.openstack.wsgi "+ctx1+" Action: 'action', body: {\"pause\": null} _process_stack /x.py:1\n"+
		"2015-10-29 10:00:01.200 1 INFO nova.osapi_compute.wsgi.server "+ctx1+" 10.0.0.1 \"POST /v2/p/servers/"+vm1+"/action HTTP/1.1\" status: 202 len: 0 time: 0.2\n"+
		"2015-10-29 10:00:02.000 1 INFO nova.osapi_compute.wsgi.server [-] 10.0.0.1 \"GET /v2/p/servers HTTP/1.1\" status: 200 len: 0 time: 0.1\n")
	compute := write(t, dir, "compute.log", ""+
		"2015-10-29 09:59:00.000 2 INFO nova.compute.manager [-] Auditing locally available compute resources\n"+
		"2015-10-29 10:00:01.500 2 INFO nova.compute.manager [-] [instance: "+vm1+"] VM Paused (Lifecycle Event)\n"+
		"2015-10-29 10:00:03.000 2 INFO nova.compute.manager [-] Auditing locally available compute resources\n")
	n := 0
	st, err := Run(context.Background(), []string{api, compute}, Options{Incremental: true}, func(action.Action) error { n++; return nil })
	if err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d actions emitted inside their window", n)
	}
	line1 := int64(len("2015-10-29 10:00:00.000 1 INFO nova.osapi_compute.wsgi.server [-] 10.0.0.1 \"GET /v2/p/servers HTTP/1.1\" status: 200 len: 0 time: 0.1\n"))
	line2 := int64(len("2015-10-29 09:59:00.000 2 INFO nova.compute.manager [-] Auditing locally available compute resources\n"))
	want := map[string]input.Position{api: {Offset: line1, Line: 1}, compute: {Offset: line2, Line: 1}}
	if fmt.Sprint(st.Checkpoints) != fmt.Sprint(want) {
		t.Errorf("checkpoints %v, want %v", st.Checkpoints, want)
	}
	// The final run from there emits it, resolved by its DEBUG line.
	var got []action.Action
	if _, err := Run(context.Background(), []string{api, compute}, Options{Start: st.Checkpoints}, func(a action.Action) error {
		got = append(got, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Action != "pause" || got[0].Match != action.MatchRequestID {
		t.Errorf("got %+v, want the pause", got)
	}
}

// TestCheckpointInEmit takes checkpoints from inside emit, as a command
// that writes batches does: one taken while a request's first create is
// emitted still holds its access line, since its second create is not out.
func TestCheckpointInEmit(t *testing.T) {
	dir := t.TempDir()
	lines := []string{
		"2015-10-29 10:00:00.100 1 DEBUG nova.compute.api " + ctx1 + " [instance: 11111111-0000-0000-0000-000000000001] block_device_mapping []\n",
		"2015-10-29 10:00:00.110 1 DEBUG nova.compute.api " + ctx1 + " [instance: 11111111-0000-0000-0000-000000000002] block_device_mapping []\n",
		"2015-10-29 10:00:00.300 1 INFO nova.osapi_compute.wsgi.server " + ctx1 + " 10.0.0.1 \"POST /v2/p1/servers HTTP/1.1\" status: 202 len: 0 time: 0.3\n",
		"2015-10-29 10:05:00.000 1 INFO nova.osapi_compute.wsgi.server [-] 10.0.0.1 \"GET /v2/p/servers HTTP/1.1\" status: 200 len: 0 time: 0.1\n",
	}
	api := write(t, dir, "api.log", strings.Join(lines, ""))
	var e *Extractor
	var cps []string
	e = New(Options{}, func(a action.Action) error {
		cps = append(cps, fmt.Sprint(e.Checkpoint()[api]))
		return nil
	})
	if err := e.ReadFiles(context.Background(), []string{api}); err != nil {
		t.Fatal(err)
	}
	want := []string{"{0 0}", fmt.Sprint(input.Position{Offset: int64(len(strings.Join(lines, ""))), Line: 4})}
	if !slices.Equal(cps, want) {
		t.Errorf("checkpoints in emit %v, want %v", cps, want)
	}
}
