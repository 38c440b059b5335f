package report

import (
	"bufio"
	"compress/gzip"
	"context"
	"encoding/json"
	"math"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// line is the fixture's lines as encoding/json reads them: the answers
// the analyses must agree with are computed from it independently.
type line struct {
	Timestamp time.Time `json:"timestamp"`
	Kind      string    `json:"kind"`
	Level     string    `json:"level"`
	Service   string    `json:"service"`
	Action    string    `json:"action"`
	Status    *int      `json:"status"`
	Duration  *float64  `json:"duration_ms"`
	Outcome   string    `json:"outcome"`
	User      struct {
		ID string `json:"id"`
	} `json:"user"`
	Target struct {
		ID, Type string
	} `json:"target"`
	Context struct {
		RequestID  string `json:"request_id"`
		RemoteAddr string `json:"remote_addr"`
	} `json:"context"`
	RPC struct {
		Method, Route, Statement string
	} `json:"rpc"`
	Exception struct {
		Type string `json:"type"`
	} `json:"exception"`
}

func fixtureLines(t *testing.T) []line {
	t.Helper()
	f, err := os.Open(fixturePath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var out []line
	sc := bufio.NewScanner(zr)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			t.Fatal(err)
		}
		out = append(out, l)
	}
	return out
}

func runFixture(t *testing.T, name string, o Options) *Report {
	t.Helper()
	a, err := New(name, o)
	if err != nil {
		t.Fatal(err)
	}
	rd := NewReader(ReadOptions{})
	if err := rd.ReadFiles(context.Background(), []string{fixturePath}, a.Add); err != nil {
		t.Fatal(err)
	}
	r := a.Report()
	r.Input = rd.Stats()
	if r.Input.Malformed != 0 {
		t.Fatalf("malformed: %+v", r.Input.MalformedAt)
	}
	return r
}

func section(t *testing.T, r *Report, id string) *Section {
	t.Helper()
	for _, s := range r.Sections {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("report %s has no section %s", r.Name, id)
	return nil
}

func col(s *Section, name string) int {
	for i, c := range s.Columns {
		if c.Name == name {
			return i
		}
	}
	panic("no column " + name)
}

func TestUsersAgreeWithExactCounts(t *testing.T) {
	lines := fixtureLines(t)
	active := map[string]map[string]bool{}
	actions := map[string]int64{}
	for _, l := range lines {
		if l.User.ID == "" {
			continue
		}
		d := l.Timestamp.UTC().Format("2006-01-02")
		if active[d] == nil {
			active[d] = map[string]bool{}
		}
		active[d][l.User.ID] = true
		if (l.Kind == "request" || l.Kind == "lifecycle") && l.Action != "" {
			actions[l.User.ID]++
		}
	}
	r := runFixture(t, "users", Options{Top: 100})
	daily := section(t, r, "daily")
	if len(daily.Rows) != len(active) {
		t.Fatalf("%d days, want %d", len(daily.Rows), len(active))
	}
	for i, row := range daily.Rows {
		d := row[0].(string)
		if got, want := row[col(daily, "active")].(int64), int64(len(active[d])); got != want {
			t.Errorf("%s: %d active, want %d", d, got, want)
		}
		// 7 days ending that day, from the exact sets.
		week := map[string]bool{}
		for j := max(0, i-6); j <= i; j++ {
			for u := range active[daily.Rows[j][0].(string)] {
				week[u] = true
			}
		}
		if got := row[col(daily, "active_7d")].(int64); got != int64(len(week)) {
			t.Errorf("%s: %d active over 7 days, want %d", d, got, len(week))
		}
	}
	top := section(t, r, "top-actions")
	if len(top.Rows) != len(actions) {
		t.Fatalf("%d users with actions, want %d", len(top.Rows), len(actions))
	}
	for i, row := range top.Rows {
		u := row[0].(string)
		if got := row[col(top, "actions")].(int64); got != actions[u] {
			t.Errorf("%s: %d actions, want %d", u, got, actions[u])
		}
		if i > 0 && row[col(top, "actions")].(int64) > top.Rows[i-1][col(top, "actions")].(int64) {
			t.Errorf("not ordered by actions at row %d", i)
		}
	}
	if first := top.Rows[0][0]; first != "u-alice" {
		t.Errorf("biggest user %v, want u-alice", first)
	}
	// New users: dave and erin on the 19th, mallory and eve on the 23rd.
	for i, row := range daily.Rows {
		want := map[string]int64{"2026-11-16": 3, "2026-11-19": 2, "2026-11-23": 2}[row[0].(string)]
		if got := row[col(daily, "new")].(int64); got != want {
			t.Errorf("day %d %s: %d new, want %d", i, row[0], got, want)
		}
	}
}

func TestPerfAgreesWithExactPercentiles(t *testing.T) {
	byRoute := map[string][]float64{}
	for _, l := range fixtureLines(t) {
		if l.Kind == "request" && l.RPC.Route != "" && l.Duration != nil {
			k := l.Service + " " + l.RPC.Method + " " + l.RPC.Route
			byRoute[k] = append(byRoute[k], *l.Duration)
		}
	}
	r := runFixture(t, "perf", Options{Top: 100})
	s := section(t, r, "route")
	if len(s.Rows) != len(byRoute) {
		t.Fatalf("%d routes, want %d", len(s.Rows), len(byRoute))
	}
	for _, row := range s.Rows {
		vals := byRoute[row[0].(string)]
		slices.Sort(vals)
		if got := row[col(s, "count")].(int64); got != int64(len(vals)) {
			t.Errorf("%s: count %d, want %d", row[0], got, len(vals))
		}
		if got := float64(row[col(s, "max")].(Dur)); got != vals[len(vals)-1] {
			t.Errorf("%s: max %g, want %g", row[0], got, vals[len(vals)-1])
		}
		for _, p := range []struct {
			col string
			q   float64
		}{{"p50", 0.5}, {"p90", 0.9}, {"p99", 0.99}} {
			got, want := float64(row[col(s, p.col)].(Dur)), exactAt(vals, p.q)
			if math.Abs(got-want)/want > RelativeAccuracy+1e-9 {
				t.Errorf("%s %s = %g, exact %g", row[0], p.col, got, want)
			}
		}
	}
	slow := section(t, r, "slowest")
	if slow.Rows[0][col(slow, "request_id")] != "req-never-finished" {
		t.Errorf("slowest call %v, want the 30 s UPDATE of req-never-finished", slow.Rows[0])
	}
}

func TestLoadFindsTheSpike(t *testing.T) {
	r := runFixture(t, "load", Options{})
	s := section(t, r, "spikes")
	if len(s.Rows) != 1 {
		t.Fatalf("%d spikes, want 1: %v", len(s.Rows), s.Rows)
	}
	row := s.Rows[0]
	if !strings.HasPrefix(row[col(s, "top_users")].(string), "u-mallory 60") || !strings.HasPrefix(row[col(s, "top_actions")].(string), "create 60") {
		t.Fatalf("spike %v: want mallory's 60 creates", row)
	}
	if at := row[0].(time.Time); at.Format("15:04") != "10:30" || at.Day() != 23 {
		t.Fatalf("spike at %s, want 2026-11-23 10:30", at)
	}
	if c := s.Chart; len(c.Marks) != 1 || len(c.Series) != 1 || len(c.Series[0].Values) != len(c.X) {
		t.Fatalf("chart: %d marks, %d series", len(c.Marks), len(c.Series))
	}
}

func TestExceptionsSplitAtTheVersionChange(t *testing.T) {
	lines := fixtureLines(t)
	r := runFixture(t, "exceptions", Options{})
	s := section(t, r, "before-after")
	if !strings.Contains(s.Title, "29.0.1 → 30.0.0") {
		t.Fatalf("title %q: want the version change", s.Title)
	}
	// The split is the first line of the new version; counts go by the
	// bucket, so the edge is that time cut to the bucket width.
	var first time.Time
	for _, l := range lines {
		if l.Kind == "exception" && first.IsZero() && l.Timestamp.After(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) {
			first = l.Timestamp
		}
	}
	edge := first.Truncate(5 * time.Minute)
	want := map[string][2]int64{}
	for _, l := range lines {
		if l.Kind != "exception" {
			continue
		}
		c := want[l.Exception.Type]
		if l.Timestamp.Before(edge) {
			c[0]++
		} else {
			c[1]++
		}
		want[l.Exception.Type] = c
	}
	seen := 0
	for _, row := range s.Rows[1:] {
		w := want[row[0].(string)]
		if row[2].(int64) != w[0] || row[3].(int64) != w[1] {
			t.Errorf("%v: before/after %d/%d, want %d/%d", row[0], row[2], row[3], w[0], w[1])
		}
		seen++
		if row[0] == "report.noValidHost" && row[7] != "new" {
			t.Errorf("noValidHost is not marked new: %v", row)
		}
	}
	if seen != len(want) || s.Rows[1][0] != "report.noValidHost" {
		t.Fatalf("rows %v, want the new type first, %d types", s.Rows, len(want))
	}
	// Given split.
	r = runFixture(t, "exceptions", Options{SplitAt: time.Date(2026, 11, 20, 0, 0, 0, 0, time.UTC)})
	if s := section(t, r, "before-after"); !strings.Contains(s.Title, "given with --split-at") {
		t.Fatalf("title %q", s.Title)
	}
}

func TestForensics(t *testing.T) {
	lines := fixtureLines(t)
	open := map[string]bool{}
	for _, l := range lines {
		if (l.Kind == "request" || l.Kind == "lifecycle") && l.Outcome != "failure" {
			switch l.Action {
			case "create":
				open[l.Target.ID] = true
			case "delete":
				delete(open, l.Target.ID)
			}
		}
	}
	r := runFixture(t, "forensics", Options{Top: 1000, Around: time.Date(2026, 11, 23, 14, 0, 0, 0, time.UTC), Window: 30 * time.Minute})
	if got := len(section(t, r, "never-deleted").Rows); got != len(open) {
		t.Errorf("%d never deleted, want %d", got, len(open))
	}
	den := section(t, r, "denied")
	var n401 int64
	for _, row := range den.Rows {
		if row[0] != "u-eve" || row[1] != "203.0.113.9" {
			t.Errorf("denied row %v, want eve from 203.0.113.9", row)
		}
		n401 += row[3].(int64)
	}
	var want401 int64
	for _, l := range lines {
		if l.Status != nil && (*l.Status == 401 || *l.Status == 403) {
			want401++
		}
	}
	if n401 != want401 || n401 == 0 {
		t.Errorf("%d denied, want %d", n401, want401)
	}
	if crashed := section(t, r, "crashed").Rows; len(crashed) != 2 {
		t.Errorf("crashed %v, want the two instances that failed to spawn", crashed)
	}
	unf := section(t, r, "unfinished").Rows
	if len(unf) != 1 || unf[0][0] != "req-never-finished" {
		t.Errorf("unfinished %v, want req-never-finished alone", unf)
	}
	aff := section(t, r, "affected").Rows
	if len(aff) != 1 || aff[0][0] != "u-eve" {
		t.Errorf("affected %v, want eve", aff)
	}
}

// TestMemoryIsBounded feeds every analysis a million records whose users,
// routes, request ids, targets and exception types are all distinct, over
// a year, and checks the heap stays far below the 200 MB goal.
func TestMemoryIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("a million records")
	}
	var anas []Analysis
	for _, n := range Names() {
		a, err := New(n, Options{Around: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC), Window: 24 * time.Hour * 365})
		if err != nil {
			t.Fatal(err)
		}
		anas = append(anas, a)
	}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	kinds := []string{"request", "rpc", "db", "exception", "lifecycle"}
	var peak uint64
	var ms runtime.MemStats
	for i := range 1000000 {
		s := strconv.Itoa(i)
		r := Record{Time: start + int64(i)*31_536_000, Level: 20 + 10*(i%4), Kind: kinds[i%5], Service: "svc-" + strconv.Itoa(i%50),
			UserID: "user-" + s, Action: []string{"create", "delete", "pause"}[i%3], TargetType: "server", TargetID: "srv-" + s,
			RequestID: "req-" + s, Route: "/r/" + s, Method: "GET", Statement: "SELECT " + s, ExcType: "Err" + s, Version: strconv.Itoa(i / 100000),
			Status: 200 + i%300, HasStatus: true, DurationMS: float64(i % 5000), HasDuration: true, RemoteAddr: "10.0.0.1:" + s}
		for _, a := range anas {
			a.Add(&r)
		}
		if i%100000 == 0 {
			runtime.GC()
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
		}
	}
	for _, a := range anas {
		a.Report()
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	peak = max(peak, ms.HeapInuse)
	t.Logf("peak heap in use: %.1f MB", float64(peak)/1e6)
	if peak > 100e6 {
		t.Fatalf("heap reached %.1f MB", float64(peak)/1e6)
	}
}
