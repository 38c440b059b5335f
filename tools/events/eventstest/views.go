package eventstest

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// The viewer's questions: requests, histograms and incidents, which both
// stores answer beside the Store interface.

// withRequests is Generate's events with their request IDs drawn from 40,
// so that requests have several events across services and projects.
func withRequests(n int, seed uint64) []events.Event {
	evs := Generate(n, seed)
	for i := range evs {
		if i%17 == 0 {
			evs[i].RequestID = ""
			continue
		}
		evs[i].RequestID = fmt.Sprintf("req-%02d", (i*7+i/50)%40)
	}
	return evs
}

func testRequests(t *testing.T, s events.Store) {
	rl, ok := s.(events.RequestLister)
	if !ok {
		t.Fatalf("%T is not an events.RequestLister", s)
	}
	evs := withRequests(900, 11)
	insert(t, s, evs)
	mid := evs[len(evs)/2].Time
	for _, tc := range []struct {
		name string
		q    events.Query
	}{
		{"all", events.Query{Scope: admin}},
		{"project", events.Query{Scope: events.Scope{Projects: []string{"project-3"}}}},
		{"projects", events.Query{Scope: events.Scope{Projects: []string{"project-3", "project-5"}}}},
		{"warning", events.Query{Scope: admin, MinLevel: "WARNING"}},
		{"service", events.Query{Scope: admin, Filters: []events.Filter{{Field: "service", Values: []string{"nova-api"}}}}},
		{"window", events.Query{Scope: admin, Since: mid.Add(-2 * time.Hour), Until: mid}},
		{"none", events.Query{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantReqs := wantRequests(evs, tc.q)
			var got []events.Request
			q := tc.q
			q.Limit = 7
			for pages := 0; ; pages++ {
				if pages > 100 {
					t.Fatal("more than 100 pages")
				}
				p, err := rl.Requests(ctx(t), q)
				if err != nil {
					t.Fatalf("Requests: %v", err)
				}
				if len(p.Requests) > 7 {
					t.Fatalf("page of %d, limit 7", len(p.Requests))
				}
				got = append(got, p.Requests...)
				if p.Next.IsZero() {
					break
				}
				q.After = p.Next
			}
			if len(got) != len(wantReqs) {
				t.Fatalf("%d requests, want %d (got %v, want %v)", len(got), len(wantReqs), reqIDs(got), reqIDs(wantReqs))
			}
			for i := range got {
				g, w := got[i], wantReqs[i]
				if g.ID != w.ID || g.Count != w.Count || !g.First.Equal(w.First) || !g.Last.Equal(w.Last) ||
					g.WorstLevel != w.WorstLevel || !slices.Equal(g.Services, w.Services) || !g.Start.Equal(w.Start) {
					t.Fatalf("request %d:\n got  %+v\n want %+v", i, g, w)
				}
			}
		})
	}
	if _, err := rl.Requests(ctx(t), events.Query{Scope: admin, MinLevel: "LOUD"}); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("Requests with level LOUD: %v, want ErrInvalid", err)
	}
}

func reqIDs(rs []events.Request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

// wantRequests is the suite's own reading of Requests: the requests with
// an event q selects, by their last such event, newest first, summed up
// over their events in scope.
func wantRequests(evs []events.Event, q events.Query) []events.Request {
	type key struct {
		t  time.Time
		id string
	}
	last := map[string]key{}
	for i := range evs {
		e := &evs[i]
		if e.RequestID == "" || !Matches(e, q) {
			continue
		}
		k := key{e.Time, e.ID}
		if l, ok := last[e.RequestID]; !ok || cmpKey(k.t, k.id, l.t, l.id) > 0 {
			last[e.RequestID] = k
		}
	}
	var rids []string
	for r := range last {
		rids = append(rids, r)
	}
	slices.SortFunc(rids, func(a, b string) int {
		return -cmpKey(last[a].t, last[a].id, last[b].t, last[b].id)
	})
	var out []events.Request
	for _, rid := range rids {
		var r events.Request
		r.ID = rid
		mine := ordered(slices.DeleteFunc(slices.Clone(evs), func(e events.Event) bool {
			return e.RequestID != rid || !inScope(&e, q.Scope)
		}), false)
		for j, e := range mine {
			start := e.Time
			if e.HasDuration {
				start = e.Time.Add(-time.Duration(e.DurationMS * float64(time.Millisecond)))
			}
			if j == 0 {
				r.First, r.Start = e.Time, start
			}
			r.Start = minTime(r.Start, start)
			r.Last, r.End = e.Time, e.Time
			r.Count++
			if e.Service != "" && !slices.Contains(r.Services, e.Service) {
				r.Services = append(r.Services, e.Service)
			}
			if a, _ := events.LevelRank(e.Level); r.WorstLevel == "" || a > rank(r.WorstLevel) {
				if e.Level != "" {
					r.WorstLevel = e.Level
				}
			}
		}
		slices.Sort(r.Services)
		out = append(out, r)
	}
	return out
}

func rank(l string) int { r, _ := events.LevelRank(l); return r }

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func cmpKey(t1 time.Time, id1 string, t2 time.Time, id2 string) int {
	if c := t1.Compare(t2); c != 0 {
		return c
	}
	return cmp.Compare(id1, id2)
}

func testHistogram(t *testing.T, s events.Store) {
	h, ok := s.(events.Histogrammer)
	if !ok {
		t.Fatalf("%T is not an events.Histogrammer", s)
	}
	evs := Generate(1200, 12)
	insert(t, s, evs)
	q := events.Query{Scope: events.Scope{Projects: []string{"project-2", "project-4"}},
		Since: Base.Add(90 * time.Minute), Until: Base.Add(5*time.Hour + 7*time.Minute)}
	step := 10 * time.Minute
	got, err := h.Histogram(ctx(t), q, step)
	if err != nil {
		t.Fatal(err)
	}
	n := int((q.Until.Sub(q.Since) + step - 1) / step)
	if len(got) != n {
		t.Fatalf("%d buckets, want %d", len(got), n)
	}
	want := make([][5]int64, n)
	total := 0
	for i := range evs {
		if Matches(&evs[i], q) {
			r, _ := events.LevelRank(evs[i].Level)
			want[int(evs[i].Time.Sub(q.Since)/step)][max(r, 0)]++
			total++
		}
	}
	if total == 0 {
		t.Fatal("the test's window holds no event")
	}
	for i := range got {
		if !got[i].Start.Equal(q.Since.Add(time.Duration(i) * step)) {
			t.Errorf("bucket %d starts %v", i, got[i].Start)
		}
		if got[i].Counts != want[i] {
			t.Errorf("bucket %d (%v): %v, want %v", i, got[i].Start, got[i].Counts, want[i])
		}
	}
	if n, err := h.WindowCount(ctx(t), q.Scope, q.Since, q.Until); err != nil || n != int64(total) {
		t.Errorf("WindowCount: %d, %v; want %d", n, err, total)
	}
	if _, err := h.Histogram(ctx(t), events.Query{Scope: admin}, step); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("Histogram without a window: %v, want ErrInvalid", err)
	}
}

func testIncidents(t *testing.T, s events.Store) {
	is, ok := s.(events.IncidentStore)
	if !ok {
		t.Fatalf("%T is not an events.IncidentStore", s)
	}
	evs := Generate(300, 13)
	insert(t, s, evs)
	created := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	mk := func(id string, at int, projects ...string) (events.Incident, []events.Event) {
		inc := events.Incident{ID: id, At: evs[at].Time, Range: time.Minute, Created: created.Add(time.Duration(at) * time.Minute),
			Reason: "test <b>" + id + "</b>", Trigger: evs[at].ID}
		var kept []events.Event
		for _, e := range evs[max(at-30, 0) : at+30] {
			if slices.Contains(projects, e.Project) {
				kept = append(kept, e)
			}
		}
		return inc, kept
	}
	a, aEvs := mk("inc-a", 50, "project-1", "project-2")
	b, bEvs := mk("inc-b", 150, "project-2")
	c, cEvs := mk("inc-c", 250, "project-3")
	for _, x := range []struct {
		inc events.Incident
		evs []events.Event
	}{{a, aEvs}, {b, bEvs}, {c, cEvs}} {
		ok, err := is.SaveIncident(ctx(t), x.inc, x.evs)
		if err != nil || !ok {
			t.Fatalf("SaveIncident %s: %v, %v", x.inc.ID, ok, err)
		}
	}
	if ok, err := is.SaveIncident(ctx(t), a, aEvs[:1]); err != nil || ok {
		t.Errorf("SaveIncident of a stored id: %v, %v; want false, nil", ok, err)
	}
	if _, err := is.SaveIncident(ctx(t), events.Incident{ID: "INC/1", At: created, Created: created}, nil); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("SaveIncident with a bad id: %v, want ErrInvalid", err)
	}
	list := func(sc events.Scope) string {
		got, err := is.Incidents(ctx(t), events.IncidentQuery{Scope: sc})
		if err != nil {
			t.Fatal(err)
		}
		var parts []string
		for _, g := range got {
			parts = append(parts, fmt.Sprintf("%s:%d", g.ID, g.Count))
		}
		return strings.Join(parts, " ")
	}
	count := func(es []events.Event, p string) int {
		n := 0
		for _, e := range es {
			if p == "" || e.Project == p {
				n++
			}
		}
		return n
	}
	if got, w := list(admin), fmt.Sprintf("inc-c:%d inc-b:%d inc-a:%d", len(cEvs), len(bEvs), len(aEvs)); got != w {
		t.Errorf("admin's incidents: %s, want %s", got, w)
	}
	p2 := events.Scope{Projects: []string{"project-2"}}
	if got, w := list(p2), fmt.Sprintf("inc-b:%d inc-a:%d", count(bEvs, "project-2"), count(aEvs, "project-2")); got != w {
		t.Errorf("project-2's incidents: %s, want %s", got, w)
	}
	if got := list(events.Scope{}); got != "" {
		t.Errorf("no scope sees incidents %s", got)
	}
	page, err := is.Incidents(ctx(t), events.IncidentQuery{Scope: admin, Limit: 1, BeforeAt: b.At, BeforeID: b.ID})
	if err != nil || len(page) != 1 || page[0].ID != "inc-a" {
		t.Errorf("the page before inc-b: %v, %v", page, err)
	}
	got, gotEvs, err := is.Incident(ctx(t), "inc-a", p2)
	if err != nil {
		t.Fatal(err)
	}
	if got.Reason != a.Reason || !got.At.Equal(a.At) || got.Range != time.Minute || got.Trigger != a.Trigger {
		t.Errorf("Incident: %+v, want %+v", got, a)
	}
	var wantEvs []events.Event
	for _, e := range aEvs {
		if e.Project == "project-2" {
			wantEvs = append(wantEvs, e)
		}
	}
	sameIDs(t, "incident events in scope", gotEvs, ordered(wantEvs, false))
	if len(gotEvs) > 0 {
		sameEvent(t, gotEvs[0], ordered(wantEvs, false)[0])
	}
	if _, _, err := is.Incident(ctx(t), "inc-c", p2); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("another project's incident: %v, want ErrNotFound", err)
	}
	if _, _, err := is.Incident(ctx(t), "inc-zz", admin); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("a missing incident: %v, want ErrNotFound", err)
	}
	// A purge of events leaves incidents whole; their own purge removes them.
	if _, err := s.Purge(ctx(t), events.Purge{Before: Base.Add(48 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, evsAfter, err := is.Incident(ctx(t), "inc-b", admin); err != nil || len(evsAfter) != len(bEvs) {
		t.Errorf("after purging every event, inc-b has %d events (%v), want %d", len(evsAfter), err, len(bEvs))
	}
	n, err := is.PurgeIncidents(ctx(t), c.Created)
	if err != nil || n != 2 {
		t.Errorf("PurgeIncidents: %d, %v; want 2", n, err)
	}
	if got := list(admin); got != fmt.Sprintf("inc-c:%d", len(cEvs)) {
		t.Errorf("after the purge: %s", got)
	}
}
