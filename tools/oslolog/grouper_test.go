package oslolog

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/input"
)

// group feeds lines (of one file, "f.log", numbered from 1) to g and returns
// the records, Flush's included.
func group(g *Grouper, file string, lines ...string) []Record {
	var out []Record
	for i, l := range lines {
		if r, ok := g.Add(file, int64(i+1), []byte(l)); ok {
			out = append(out, r)
		}
	}
	if r, ok := g.Flush(); ok {
		out = append(out, r)
	}
	return out
}

// brief is the part of a record the grouper tests compare.
type brief struct {
	File, Source string
	Line         int64
	Lines        int
	Level, Req   string
	Extra        []string
	Dropped      int
}

func briefs(rs []Record) []brief {
	var out []brief
	for _, r := range rs {
		out = append(out, brief{r.File, r.Source, r.Line, r.Lines, r.Level, r.Context.RequestID, r.Extra, r.Dropped})
	}
	return out
}

func checkBriefs(t *testing.T, got []Record, want []brief) {
	t.Helper()
	g := briefs(got)
	if len(g) != len(want) {
		t.Fatalf("%d records, want %d:\n%s", len(g), len(want), sprint(g))
	}
	for i := range want {
		if w, g := fmt.Sprintf("%#v", want[i]), fmt.Sprintf("%#v", g[i]); w != g {
			t.Errorf("record %d:\n-%s\n+%s", i, w, g)
		}
	}
}

func checkStats(t *testing.T, got, want Stats) {
	t.Helper()
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("stats:\n-%+v\n+%+v", want, got)
	}
}

// The old form: TRACE lines with the record's timestamp, PID and logger
// and no context, as in os-log-merger's nova-api log.
const (
	head   = "2015-11-13 03:22:26.973 16482 ERROR nova.api.openstack [req-31ac e75f d819 - - -] Caught error: Unable to establish connection"
	trace1 = "2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack Traceback (most recent call last):"
	trace2 = "2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack   File \"/usr/lib/python2.7/site-packages/nova/api/openstack/__init__.py\", line 125, in __call__"
	trace3 = "2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack "
	access = "2015-11-13 03:22:26.974 16482 INFO nova.osapi_compute.wsgi.server [req-31ac e75f d819 - - -] 10.211.55.140 \"GET /v2/d819/servers/detail HTTP/1.1\" status: 500 len: 359 time: 0.0387890"
)

func TestGrouperTraceback(t *testing.T) {
	g := NewGrouper(nil)
	got := group(g, "f.log", head, trace1, trace2, trace3, access)
	checkBriefs(t, got, []brief{
		{"f.log", "f.log", 1, 4, "ERROR", "req-31ac", []string{trace1, trace2, trace3}, 0},
		{"f.log", "f.log", 5, 1, "INFO", "req-31ac", nil, 0},
	})
	checkStats(t, g.Stats(), Stats{Lines: 5, Records: 2, Continued: 3, Joined: 3})
	if got[0].Message != "Caught error: Unable to establish connection" {
		t.Errorf("Message = %q", got[0].Message)
	}
}

// Newer releases write ERROR for each traceback line, with the record's
// "[instance: …]"; the first of them is the head only if it has a context.
func TestGrouperTracebackNewer(t *testing.T) {
	lines := []string{
		"2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager [req-97b1 - - - - -] [instance: 42] Error updating resources: ProcessExecutionError",
		"Command: ceph df --format=json",
		"Exit code: 1",
		"2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager [instance: 42] Traceback (most recent call last):",
		"2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager [instance: 42]   File \"/usr/lib/python3/dist-packages/nova/compute/manager.py\", line 9807",
		"2022-02-04 10:21:58.881 284971 ERROR nova.compute.manager [instance: 42] ",
		"2022-02-04 10:21:58.890 284971 DEBUG oslo_concurrency.lockutils [req-97b1 - - - - -] Lock released",
	}
	g := NewGrouper(nil)
	got := group(g, "c.log", lines...)
	checkBriefs(t, got, []brief{
		{"c.log", "c.log", 1, 6, "ERROR", "req-97b1", lines[1:6], 0},
		{"c.log", "c.log", 7, 1, "DEBUG", "req-97b1", nil, 0},
	})
	checkStats(t, g.Stats(), Stats{Lines: 7, Records: 2, Continued: 5, Joined: 3})
}

// When two processes write into one file, a traceback line of one process
// that follows a line of another is not joined: it becomes a record of its
// own, with no context (os-log-merger's nova-api log has 25 such).
func TestGrouperInterleaved(t *testing.T) {
	other := "2015-11-13 03:22:26.973 16480 TRACE nova.api.openstack Traceback (most recent call last):"
	g := NewGrouper(nil)
	got := group(g, "f.log", head, trace1, other, trace2)
	checkBriefs(t, got, []brief{
		{"f.log", "f.log", 1, 2, "ERROR", "req-31ac", []string{trace1}, 0},
		{"f.log", "f.log", 3, 1, "TRACE", "", nil, 0},
		{"f.log", "f.log", 4, 1, "TRACE", "", nil, 0},
	})
	if got[1].HasContext() || !got[0].HasContext() {
		t.Errorf("HasContext: %v %v", got[0].HasContext(), got[1].HasContext())
	}
	checkStats(t, g.Stats(), Stats{Lines: 4, Records: 3, Continued: 1, Joined: 1})
}

// A line that parses but differs from the record before it in timestamp,
// logger or Loghub name, or that has a context, starts a record.
func TestGrouperNotJoined(t *testing.T) {
	for _, l := range []string{
		"2015-11-13 03:22:26.974 16482 TRACE nova.api.openstack Traceback (most recent call last):",
		"2015-11-13 03:22:26.97 16482 TRACE nova.api.openstack Traceback (most recent call last):",
		"2015-11-13 03:22:26.973 16482 TRACE nova.api Traceback (most recent call last):",
		"2015-11-13 03:22:26.973 TRACE nova.api.openstack Traceback (most recent call last):",
		"2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack [-] Traceback (most recent call last):",
		"x.log 2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack Traceback (most recent call last):",
	} {
		got := group(NewGrouper(nil), "f.log", head, l)
		if len(got) != 2 {
			t.Errorf("%q: joined to the record before it", l)
		}
	}
}

func TestGrouperLoghub(t *testing.T) {
	a := "nova-api.log.1 2017-05-16 00:00:00.008 25746 ERROR nova.api [req-1 - - - - -] failed"
	b := "nova-api.log.1 2017-05-16 00:00:00.008 25746 ERROR nova.api Traceback (most recent call last):"
	c := "nova-compute.log.1 2017-05-16 00:00:00.008 25746 ERROR nova.api Traceback (most recent call last):"
	g := NewGrouper(nil)
	got := group(g, "OpenStack_2k.log", a+"\r", b+"\r", c)
	checkBriefs(t, got, []brief{
		{"OpenStack_2k.log", "nova-api.log.1", 1, 2, "ERROR", "req-1", []string{b}, 0},
		{"OpenStack_2k.log", "nova-compute.log.1", 3, 1, "ERROR", "", nil, 0},
	})
}

func TestGrouperBodies(t *testing.T) {
	lines := []string{
		"+ exec /bin/bash -c 'cd /opt/stack/new/nova && /usr/local/bin/nova-api'",
		"",
		"2013-09-27 18:33:04.262 DEBUG nova.api.ec2.apirequest [req-4f34 demo demo] <DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2013-07-15/\">",
		"  <requestId>req-4f34</requestId>\r",
		"",
		"</DescribeInstancesResponse>",
		" _render_response /opt/stack/new/nova/nova/api/ec2/apirequest.py:87",
		"2013-09-27 18:33:04.270 INFO nova.api.ec2 [req-4f34 demo demo] 0.1s 127.0.0.1 POST /services/Cloud/ CloudController:DescribeInstances 200",
	}
	g := NewGrouper(nil)
	got := group(g, "screen-n-api.txt", lines...)
	checkBriefs(t, got, []brief{
		{"screen-n-api.txt", "screen-n-api.txt", 3, 5, "DEBUG", "req-4f34", []string{"  <requestId>req-4f34</requestId>", "", "</DescribeInstancesResponse>", " _render_response /opt/stack/new/nova/nova/api/ec2/apirequest.py:87"}, 0},
		{"screen-n-api.txt", "screen-n-api.txt", 8, 1, "INFO", "req-4f34", nil, 0},
	})
	checkStats(t, g.Stats(), Stats{Lines: 8, Records: 2, Continued: 4, Malformed: 2,
		MalformedAt: []LineRange{{"screen-n-api.txt", 1, 2}}})
	if got[0].PID != 0 || got[0].Context.User != "demo" {
		t.Errorf("PID %d User %q", got[0].PID, got[0].Context.User)
	}
}

// A record ends with its file: lines at the start of the next file that
// continue nothing are malformed, and are reported with their file.
func TestGrouperFiles(t *testing.T) {
	g := NewGrouper(nil)
	var got []Record
	add := func(file string, num int64, text string) {
		if r, ok := g.Add(file, num, []byte(text)); ok {
			got = append(got, r)
		}
	}
	add("a.log", 1, "junk")
	add("a.log", 2, head)
	add("a.log", 3, "body")
	add("b.log", 1, "  File \"x.py\"")
	add("b.log", 2, "more")
	add("b.log", 4, "gap")
	add("b.log", 5, access)
	add("a.log", 4, "late")
	if r, ok := g.Flush(); ok {
		got = append(got, r)
	}
	checkBriefs(t, got, []brief{
		{"a.log", "a.log", 2, 2, "ERROR", "req-31ac", []string{"body"}, 0},
		{"b.log", "b.log", 5, 1, "INFO", "req-31ac", nil, 0},
	})
	checkStats(t, g.Stats(), Stats{Lines: 8, Records: 2, Continued: 1, Malformed: 5,
		MalformedAt: []LineRange{{"a.log", 1, 1}, {"b.log", 1, 2}, {"b.log", 4, 4}, {"a.log", 4, 4}}})
}

func TestGrouperFlush(t *testing.T) {
	g := NewGrouper(nil)
	if _, ok := g.Flush(); ok {
		t.Fatal("Flush of an empty Grouper returned a record")
	}
	g.Add("f", 1, []byte(head))
	if r, ok := g.Flush(); !ok || r.Line != 1 {
		t.Fatalf("Flush: %v %v", r.Line, ok)
	}
	if _, ok := g.Flush(); ok {
		t.Fatal("second Flush returned a record")
	}
	// A continuation after Flush has no record to go to.
	if _, ok := g.Add("f", 2, []byte(trace1)); ok {
		t.Fatal("Add after Flush returned a record")
	}
	s := g.Stats()
	if s.Records != 1 || s.Malformed != 0 {
		// trace1 parses: it starts a record of its own.
		t.Errorf("stats %+v", s)
	}
	g.Add("f", 3, []byte("  body"))
	g.Flush()
	g.Add("f", 4, []byte("  more"))
	s = g.Stats()
	if s.Records != 2 || s.Continued != 1 || s.Malformed != 1 {
		t.Errorf("stats %+v", s)
	}
}

func TestGrouperLimits(t *testing.T) {
	g := NewGrouper(&GrouperOptions{MaxExtraLines: 2})
	got := group(g, "f", head, "a", "b", "c", "d", access, "e")
	checkBriefs(t, got, []brief{
		{"f", "f", 1, 5, "ERROR", "req-31ac", []string{"a", "b"}, 2},
		{"f", "f", 6, 2, "INFO", "req-31ac", []string{"e"}, 0},
	})
	checkStats(t, g.Stats(), Stats{Lines: 7, Records: 2, Continued: 5, Dropped: 2})

	g = NewGrouper(&GrouperOptions{MaxExtraBytes: 10})
	got = group(g, "f", head, "12345", "123456", "1234", "1", "x")
	checkBriefs(t, got, []brief{{"f", "f", 1, 6, "ERROR", "req-31ac", []string{"12345", "1234", "1"}, 2}})

	// The defaults: 1000 lines.
	lines := []string{head}
	for i := range 1500 {
		lines = append(lines, fmt.Sprint("line ", i))
	}
	got = group(NewGrouper(nil), "f", lines...)
	if len(got) != 1 || len(got[0].Extra) != 1000 || got[0].Dropped != 500 || got[0].Lines != 1501 {
		t.Errorf("default limits: %d records, %d extra, %d dropped", len(got), len(got[0].Extra), got[0].Dropped)
	}
	// And 1 MiB.
	long := strings.Repeat("x", 300<<10)
	got = group(NewGrouper(nil), "f", head, long, long, long, long, "y")
	if len(got[0].Extra) != 4 || got[0].Dropped != 1 || got[0].Extra[3] != "y" {
		t.Errorf("1 MiB limit: %d extra, %d dropped", len(got[0].Extra), got[0].Dropped)
	}
}

func TestGrouperNoExtra(t *testing.T) {
	for _, o := range []GrouperOptions{{MaxExtraLines: -1}, {MaxExtraBytes: -1}} {
		g := NewGrouper(&o)
		got := group(g, "f", head, trace1, "body", access)
		checkBriefs(t, got, []brief{
			{"f", "f", 1, 3, "ERROR", "req-31ac", nil, 2},
			{"f", "f", 4, 1, "INFO", "req-31ac", nil, 0},
		})
		checkStats(t, g.Stats(), Stats{Lines: 4, Records: 2, Continued: 2, Joined: 1, Dropped: 2})
	}
}

func TestGrouperMalformedRanges(t *testing.T) {
	g := NewGrouper(nil)
	for i := range 500 {
		g.Add("f", int64(2*i+1), []byte("junk")) // every other line: no two runs merge
	}
	s := g.Stats()
	if s.Malformed != 500 || len(s.MalformedAt) != MaxMalformedRanges || s.MalformedAt[99] != (LineRange{"f", 199, 199}) {
		t.Errorf("Malformed %d, %d ranges, last %v", s.Malformed, len(s.MalformedAt), s.MalformedAt[len(s.MalformedAt)-1])
	}
	// Stats returns a copy.
	s.MalformedAt[0].File = "changed"
	if g.Stats().MalformedAt[0].File != "f" {
		t.Error("Stats shares MalformedAt")
	}
}

func TestGrouperLocation(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	got := group(NewGrouper(&GrouperOptions{Location: loc}), "f", head)
	if want := time.Date(2015, 11, 13, 2, 22, 26, 973e6, time.UTC); !got[0].Time.Equal(want) || got[0].Time.Location() != loc {
		t.Errorf("Time %v, want %v", got[0].Time, want)
	}
	got = group(NewGrouper(nil), "f", head)
	if got[0].Time.Location() != time.UTC {
		t.Errorf("Time %v, want UTC", got[0].Time)
	}
}

// Records keep nothing of the Grouper's buffers.
func TestGrouperRecordsOwnTheirStrings(t *testing.T) {
	g := NewGrouper(nil)
	buf := []byte(head)
	g.Add("f", 1, buf)
	body := []byte("body one")
	g.Add("f", 2, body)
	copy(buf, "XXXXXXXXXXXX")
	copy(body, "XXXX")
	r, _ := g.Add("f", 3, []byte(access))
	g.Add("f", 4, []byte("body two is longer"))
	g.Flush()
	if r.Logger != "nova.api.openstack" || r.Extra[0] != "body one" || !strings.HasPrefix(r.Message, "Caught") {
		t.Errorf("record changed: %+v", r)
	}
}

func TestGrouperAddLine(t *testing.T) {
	g := NewGrouper(nil)
	var got []Record
	for _, l := range []input.Line{
		{Source: "a", Num: 1, Text: []byte(head)},
		{Source: "a", Num: 2, Text: []byte("long continuation, first piece"), Piece: input.First},
		{Source: "a", Num: 2, Text: []byte("middle"), Piece: input.Middle},
		{Source: "a", Num: 2, Text: []byte("last"), Piece: input.Last},
		{Source: "a", Num: 3, Text: []byte("--"), GroupSep: true},
		{Source: "a", Num: 4, Text: []byte("after the separator")},
		{Source: "a", Num: 5, Text: []byte(access[:120]), Piece: input.First},
		{Source: "a", Num: 5, Text: []byte(access[120:]), Piece: input.Last},
	} {
		if r, ok := g.AddLine(&l); ok {
			got = append(got, r)
		}
	}
	if r, ok := g.Flush(); ok {
		got = append(got, r)
	}
	checkBriefs(t, got, []brief{
		{"a", "a", 1, 2, "ERROR", "req-31ac", []string{"long continuation, first piece"}, 0},
		{"a", "a", 5, 1, "INFO", "req-31ac", nil, 0},
	})
	if got[1].Message != access[len("2015-11-13 03:22:26.974 16482 INFO nova.osapi_compute.wsgi.server [req-31ac e75f d819 - - -] "):120] {
		t.Errorf("Message %q", got[1].Message)
	}
	checkStats(t, g.Stats(), Stats{Lines: 5, Records: 2, Continued: 1, Malformed: 1, MalformedAt: []LineRange{{"a", 4, 4}}})
}

func TestGrouperAllocs(t *testing.T) {
	g := NewGrouper(nil)
	lines := [][]byte{[]byte(head), []byte(trace1), []byte(trace2), []byte(trace3)}
	// Warm up the buffers.
	for _, l := range lines {
		g.Add("f", 1, l)
	}
	g.Flush()
	n := testing.AllocsPerRun(100, func() {
		for _, l := range lines {
			g.Add("f", 1, l)
		}
		g.Flush()
	})
	// The head line, the Extra lines' string and the Extra slice.
	if n != 3 {
		t.Errorf("%v allocations per record, want 3", n)
	}
}
