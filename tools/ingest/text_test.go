package ingest

import (
	"bufio"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// TestTextSample reads a real nova-api log through the Grouper and Text.
// The counts, by hand:
//
//	wc -l nova-api.log                                                    → 2294 lines
//	grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [0-9]+ [A-Z]+ ' …      → 2247 start like a record
//	grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:.]+ [0-9]+ TRACE' …        → 59, lines 16-74: one traceback
//	grep -c 'Traceback (most recent call last)' …                         → 1 (line 16)
//
// so 2247-59 = 2188 records, one of them an exception of 1+59 lines (the
// ERROR on line 15), and 47 continuation lines (bodies) in the others.
func TestTextSample(t *testing.T) {
	path := osdata.Path(t, "os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-api.log")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	g := oslolog.NewGrouper(nil)
	var evs []events.Event
	var recs []oslolog.Record
	add := func(r oslolog.Record, ok bool) {
		if ok {
			recs = append(recs, r)
			evs = append(evs, Text(r))
		}
	}
	for i, l := range lines {
		add(g.Add(path, int64(i+1), []byte(l)))
	}
	add(g.Flush())
	if len(evs) != 2188 {
		t.Fatalf("%d events, want 2188", len(evs))
	}
	var exceptions, extra, rebuilt int
	for i, ev := range evs {
		r := recs[i]
		if ev.Kind == "exception" {
			exceptions++
			if r.Line != 15 || r.Lines != 60 || ev.Level != "ERROR" || ev.RequestID != "req-e4f91dbb-6b8f-4240-8a23-f424f1900e54" ||
				ev.Service != "nova.api.openstack" || strings.Count(string(ev.Raw), "\n") != 59 {
				t.Errorf("exception: line %d, %d lines, level %s, request %s, service %s, %d newlines in Raw",
					r.Line, r.Lines, ev.Level, ev.RequestID, ev.Service, strings.Count(string(ev.Raw), "\n"))
			}
		} else {
			extra += len(r.Extra)
		}
		// Raw is the record's lines as in the file: its first line rebuilt
		// from the fields, the rest as written, credentials masked.
		want := string(maskText([]byte(strings.Join(lines[r.Line-1:r.Line-1+int64(r.Lines)], "\n"))))
		if string(ev.Raw) == want {
			rebuilt++
		} else if rebuilt+1 == i+1 { // report the first difference only
			t.Errorf("record at line %d: Raw differs from the file:\n got %q\nwant %q", r.Line, ev.Raw, want)
		}
		if ev.ID != events.ContentID(ev.Raw) || ev.Format != events.FormatOsloText {
			t.Errorf("record at line %d: ID or Format wrong", r.Line)
		}
		if ev.Time.Location() != time.UTC || ev.Time.Year() != 2015 {
			t.Errorf("record at line %d: time %v", r.Line, ev.Time)
		}
		if _, ok := events.LevelRank(ev.Level); !ok || ev.Level == "" {
			t.Errorf("record at line %d: level %q", r.Line, ev.Level)
		}
	}
	if exceptions != 1 || extra != 47 {
		t.Errorf("%d exceptions, %d continuation lines in the others; want 1 and 47", exceptions, extra)
	}
	if rebuilt != len(evs) {
		t.Errorf("%d of %d records rebuilt byte for byte", rebuilt, len(evs))
	}
}

// TestTextContext: the user and project of a context, the global request
// id of newer releases, an instance as the target.
func TestTextContext(t *testing.T) {
	line := "2017-05-16 00:00:04.500 25746 INFO nova.compute.manager [req-G1 req-3f2a u-9 p-7 - default default] [instance: 6f1b2c3d] VM Paused (Lifecycle Event)"
	rec, err := oslolog.ParseLine([]byte(line), nil)
	if err != nil {
		t.Fatal(err)
	}
	ev := TextAt(rec, line)
	if ev.RequestID != "req-3f2a" || ev.GlobalRequestID != "req-G1" || ev.UserID != "u-9" || ev.Project != "p-7" ||
		ev.TargetType != "server" || ev.TargetID != "6f1b2c3d" || ev.Kind != "log" || ev.Level != "INFO" ||
		ev.Message != "VM Paused (Lifecycle Event)" || string(ev.Raw) != line {
		t.Errorf("got %+v", ev)
	}
	if got := Text(rec); string(got.Raw) != line {
		t.Errorf("Text rebuilt %q, want %q", got.Raw, line)
	}
}
