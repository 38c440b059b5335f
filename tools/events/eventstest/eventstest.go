// Package eventstest holds every [events.Store] to one contract, in the
// style of testing/slogtest: [Run] stores generated events ([Generate])
// and checks each answer of the store against the suite's own reading of
// the query ([Matches]), so a store that passes returns exactly what the
// contract says — no more (scope), no less (paging), in order.
package eventstest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// Run runs the suite; open returns a new, empty store for each subtest
// (and closes it when the test ends, through t.Cleanup).
func Run(t *testing.T, open func(t *testing.T) events.Store) {
	tests := []struct {
		name string
		fn   func(*testing.T, events.Store)
	}{
		{"InsertAndGet", testInsertAndGet},
		{"Duplicates", testDuplicates},
		{"Refused", testRefused},
		{"SeqGrows", testSeqGrows},
		{"ConcurrentFollow", testConcurrentFollow},
		{"Filters", testFilters},
		{"Window", testWindow},
		{"Text", testText},
		{"Scope", testScope},
		{"Paging", testPaging},
		{"CursorByID", testCursorByID},
		{"Limits", testLimits},
		{"Values", testValues},
		{"Purge", testPurge},
		{"Offsets", testOffsets},
		{"BadInput", testBadInput},
		{"Closed", testClosed},
		{"Requests", testRequests},
		{"Histogram", testHistogram},
		{"Incidents", testIncidents},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var admin = events.Scope{All: true}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return c
}

// insert stores evs in batches of 500 and fails t on any error.
func insert(t *testing.T, s events.Store, evs []events.Event) {
	t.Helper()
	for i := 0; i < len(evs); i += 500 {
		batch := evs[i:min(i+500, len(evs))]
		res, err := s.Insert(ctx(t), batch)
		if err != nil {
			t.Fatalf("Insert: %v", err)
		}
		if res.Inserted != len(batch) || res.Duplicates != 0 {
			t.Fatalf("Insert of %d new events: %+v", len(batch), res)
		}
	}
}

// all reads every event q selects, page by page, and fails t on a repeat.
func all(t *testing.T, s events.Store, q events.Query) []events.Event {
	t.Helper()
	var out []events.Event
	seen := map[string]bool{}
	q.After = events.Cursor{}
	for pages := 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("List does not end")
		}
		p, err := s.List(ctx(t), q)
		if err != nil {
			t.Fatalf("List(%+v): %v", q, err)
		}
		for _, e := range p.Events {
			if seen[e.ID] {
				t.Fatalf("List returned %s twice", e.ID)
			}
			seen[e.ID] = true
		}
		out = append(out, p.Events...)
		if p.Next.IsZero() {
			return out
		}
		if len(p.Events) == 0 {
			t.Fatal("an empty page with a next cursor")
		}
		q.After = p.Next
	}
}

// want is what q selects among evs, in the list's order.
func want(evs []events.Event, q events.Query) []events.Event {
	var out []events.Event
	for i := range evs {
		if Matches(&evs[i], q) {
			out = append(out, evs[i])
		}
	}
	return ordered(out, q.Desc)
}

func ids(evs []events.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

// sameIDs fails t unless got and want hold the same events in the same
// order, saying where they first differ.
func sameIDs(t *testing.T, what string, got, want []events.Event) {
	t.Helper()
	g, w := ids(got), ids(want)
	if slices.Equal(g, w) {
		return
	}
	i := 0
	for i < len(g) && i < len(w) && g[i] == w[i] {
		i++
	}
	t.Errorf("%s: got %d events, want %d; first difference at %d (got %v, want %v)",
		what, len(g), len(w), i, at(g, i), at(w, i))
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(end)"
}

// sameEvent fails t unless got is want as stored: every column, and Raw
// byte for byte.
func sameEvent(t *testing.T, got, want events.Event) {
	t.Helper()
	want.Seq, got.Seq = 0, 0
	if !got.Time.Equal(want.Time) || got.Time.Location() != time.UTC {
		t.Errorf("%s: time %v, want %v (UTC)", want.ID, got.Time, want.Time)
	}
	got.Time, want.Time = time.Time{}, time.Time{}
	if string(got.Raw) != string(want.Raw) {
		t.Errorf("%s: raw %q, want %q", want.ID, got.Raw, want.Raw)
	}
	got.Raw, want.Raw = nil, nil
	if !want.HasStatus {
		want.Status = 0
	}
	if !want.HasDuration {
		want.DurationMS = 0
	}
	if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
		t.Errorf("stored event differs:\n got  %+v\n want %+v", got, want)
	}
}

func testInsertAndGet(t *testing.T, s events.Store) {
	evs := Generate(300, 1)
	res, err := s.Insert(ctx(t), evs)
	if err != nil || res.Inserted != len(evs) || res.Duplicates != 0 {
		t.Fatalf("Insert = %+v, %v; want %d inserted", res, err, len(evs))
	}
	last := int64(0)
	for i, e := range evs {
		if e.Seq <= last {
			t.Fatalf("event %d: Seq %d after %d: Seq must grow in batch order", i, e.Seq, last)
		}
		last = e.Seq
	}
	for _, i := range []int{0, 1, 150, 299} {
		got, err := s.Get(ctx(t), evs[i].ID, admin)
		if err != nil {
			t.Fatalf("Get(%s): %v", evs[i].ID, err)
		}
		if got.Seq != evs[i].Seq {
			t.Errorf("Get(%s).Seq = %d, Insert set %d", evs[i].ID, got.Seq, evs[i].Seq)
		}
		sameEvent(t, got, evs[i])
	}
	// Every column round-trips, the absent ones included.
	for _, e := range all(t, s, events.Query{Scope: admin, Limit: events.MaxLimit}) {
		i := slices.IndexFunc(evs, func(x events.Event) bool { return x.ID == e.ID })
		if i < 0 {
			t.Fatalf("List returned %s, never stored", e.ID)
		}
		sameEvent(t, e, evs[i])
	}
	if _, err := s.Get(ctx(t), events.ContentID([]byte("never stored")), admin); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("Get of a missing id: %v, want ErrNotFound", err)
	}
	if _, err := s.Get(ctx(t), "not-an-id", admin); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("Get of a malformed id: %v, want ErrNotFound", err)
	}
	// An event without an ID gets its content ID.
	e := Generate(1, 99)[0]
	e.ID = ""
	batch := []events.Event{e}
	if _, err := s.Insert(ctx(t), batch); err != nil {
		t.Fatal(err)
	}
	if batch[0].ID != events.ContentID(e.Raw) {
		t.Errorf("an event without an ID got %q, want its ContentID", batch[0].ID)
	}
	if _, err := s.Get(ctx(t), events.ContentID(e.Raw), admin); err != nil {
		t.Errorf("Get by the filled-in ID: %v", err)
	}
}

func testDuplicates(t *testing.T, s events.Store) {
	evs := Generate(200, 2)
	insert(t, s, evs[:100])
	// Half old, half new, and one new event twice in the batch.
	batch := slices.Clone(evs[50:150])
	batch = append(batch, evs[120])
	res, err := s.Insert(ctx(t), batch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != 50 || res.Duplicates != 51 {
		t.Errorf("Insert of 50 stored, 50 new and a repeat: %+v, want 50 inserted, 51 duplicates", res)
	}
	for i, e := range batch {
		dup := i < 50 || i == len(batch)-1
		if dup != (e.Seq == 0) {
			t.Errorf("batch[%d] (duplicate %v): Seq %d", i, dup, e.Seq)
		}
	}
	// A duplicate is left as it was: same Seq as first stored.
	got, err := s.Get(ctx(t), evs[60].ID, admin)
	if err != nil || got.Seq != evs[60].Seq {
		t.Errorf("a duplicate changed the stored event: Seq %d, want %d (%v)", got.Seq, evs[60].Seq, err)
	}
	if n := len(all(t, s, events.Query{Scope: admin, Limit: events.MaxLimit})); n != 150 {
		t.Errorf("%d events stored, want 150", n)
	}
	res, err = s.Insert(ctx(t), nil)
	if err != nil || res != (events.Result{}) {
		t.Errorf("Insert(nil) = %+v, %v", res, err)
	}
}

func testRefused(t *testing.T, s events.Store) {
	evs := Generate(10, 3)
	evs[7].Level = "LOUD"
	_, err := s.Insert(ctx(t), evs)
	if !errors.Is(err, events.ErrInvalid) || !strings.Contains(err.Error(), "LOUD") || !strings.Contains(err.Error(), "7") {
		t.Errorf("Insert with a bad level: %v; want ErrInvalid naming the level and the event", err)
	}
	if errors.Is(err, events.ErrUnavailable) {
		t.Errorf("bad input is not an unavailable store: %v", err)
	}
	evs[7].Level = "INFO"
	evs[3].ID = "nope"
	if _, err := s.Insert(ctx(t), evs); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("Insert with a malformed id: %v, want ErrInvalid", err)
	}
	if n := len(all(t, s, events.Query{Scope: admin})); n != 0 {
		t.Errorf("a refused batch stored %d events; it must store none", n)
	}
}

func testSeqGrows(t *testing.T, s events.Store) {
	evs := Generate(600, 4)
	var last int64
	for i := 0; i < len(evs); i += 100 {
		insert(t, s, evs[i:i+100])
		if first := evs[i].Seq; first <= last {
			t.Fatalf("batch %d starts at Seq %d, after %d", i/100, first, last)
		}
		last = evs[i+99].Seq
	}
	got, err := s.Since(ctx(t), 0, events.Query{Scope: admin}, events.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "Since(0) in Seq order", got, evs)
	mid := evs[299].Seq
	got, err = s.Since(ctx(t), mid, events.Query{Scope: admin}, 50)
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "Since(mid, limit 50)", got, evs[300:350])
	q := events.Query{Scope: events.Scope{Projects: []string{"project-3"}}, Filters: []events.Filter{{Field: "outcome", Values: []string{"failure"}}}}
	got, err = s.Since(ctx(t), mid, q, events.MaxLimit)
	if err != nil {
		t.Fatal(err)
	}
	var w []events.Event
	for _, e := range evs[300:] {
		if Matches(&e, q) {
			w = append(w, e)
		}
	}
	sameIDs(t, "Since with scope and filter", got, w)
}

// testConcurrentFollow inserts from several goroutines while a follower
// reads Since(last seen Seq): it must see every event exactly once. A
// store whose Seq order differs from its commit order fails here (the
// follower passes a Seq whose event commits later).
func testConcurrentFollow(t *testing.T, s events.Store) {
	evs := Generate(2000, 5)
	const writers = 4
	var wg sync.WaitGroup
	errc := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * 25; i < len(evs); i += writers * 25 {
				if _, err := s.Insert(context.Background(), evs[i:i+25]); err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	seen := map[string]bool{}
	var last int64
	finished := false
	for !finished {
		select {
		case <-done:
			finished = true // one more read after the last commit
		default:
		}
		for {
			got, err := s.Since(ctx(t), last, events.Query{Scope: admin}, events.MaxLimit)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range got {
				if e.Seq <= last {
					t.Fatalf("Since(%d) returned Seq %d", last, e.Seq)
				}
				if seen[e.ID] {
					t.Fatalf("Since returned %s twice", e.ID)
				}
				seen[e.ID] = true
				last = e.Seq
			}
			if len(got) < events.MaxLimit {
				break
			}
		}
	}
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	if len(seen) != len(evs) {
		t.Errorf("the follower saw %d of %d events: Seq order is not commit order", len(seen), len(evs))
	}
}

// someValues picks up to n distinct non-empty values of field among evs,
// never all of them, so that a filter on them leaves some events out.
func someValues(evs []events.Event, field string, n int) []string {
	var distinct []string
	for i := range evs {
		for _, v := range fieldValues(&evs[i], field) {
			if v != "" && !slices.Contains(distinct, v) {
				distinct = append(distinct, v)
			}
		}
	}
	return distinct[:min(n, len(distinct)-1)]
}

func testFilters(t *testing.T, s events.Store) {
	evs := Generate(1500, 6)
	insert(t, s, evs)
	for _, field := range events.Fields() {
		for _, n := range []int{1, 3} {
			vals := someValues(evs[len(evs)/2:], field, n)
			if len(vals) == 0 {
				t.Fatalf("no values of %s to filter on", field)
			}
			if field == "request_id" && n == 1 {
				// A global request ID, matched through "request_id".
				for _, e := range evs {
					if e.GlobalRequestID != "" {
						vals = []string{e.GlobalRequestID}
						break
					}
				}
			}
			for _, not := range []bool{false, true} {
				q := events.Query{Scope: admin, Filters: []events.Filter{{Field: field, Values: vals, Not: not}}, Limit: 500}
				w := want(evs, q)
				if len(w) == 0 || len(w) == len(evs) {
					t.Fatalf("%s not=%v %v selects %d of %d: a useless case", field, not, vals, len(w), len(evs))
				}
				sameIDs(t, fmt.Sprintf("%s not=%v %v", field, not, vals), all(t, s, q), w)
			}
		}
	}
	// Filters combine with AND, and with every other condition.
	q := events.Query{
		Scope: events.Scope{Projects: []string{"project-1", "project-2", "project-7"}},
		Filters: []events.Filter{
			{Field: "outcome", Values: []string{"success"}, Not: true},
			{Field: "service", Values: []string{"nova-api", "glance-api", "cinder-api"}},
			{Field: "status", Values: []string{"200", "404", "500"}, Not: true},
		},
		MinLevel: "INFO",
		Since:    Base.Add(2 * time.Hour),
		Until:    Base.Add(20 * time.Hour),
		Limit:    7,
	}
	sameIDs(t, "combined", all(t, s, q), want(evs, q))
	q.Desc = true
	sameIDs(t, "combined, descending", all(t, s, q), want(evs, q))
	// An absent status is "none of them".
	q = events.Query{Scope: admin, Filters: []events.Filter{{Field: "status", Values: []string{"200"}, Not: true}}}
	got := all(t, s, q)
	if !slices.ContainsFunc(got, func(e events.Event) bool { return !e.HasStatus }) {
		t.Error("status=!200 leaves out the events without a status")
	}
	// MinLevel is a range over the levels' order.
	for _, lvl := range events.Levels() {
		q := events.Query{Scope: admin, MinLevel: lvl}
		sameIDs(t, "MinLevel "+lvl, all(t, s, q), want(evs, q))
	}
}

func testWindow(t *testing.T, s events.Store) {
	evs := Generate(800, 7)
	insert(t, s, evs)
	at := evs[400].Time // Since is inclusive, Until exclusive, to the microsecond
	for _, q := range []events.Query{
		{Since: at},
		{Until: at},
		{Since: at, Until: at.Add(time.Microsecond)},
		{Since: at.Add(-time.Hour), Until: at.Add(time.Hour), Desc: true},
		{Since: Base.Add(48 * time.Hour)},
	} {
		q.Scope = admin
		w := want(evs, q)
		sameIDs(t, fmt.Sprintf("since %v until %v", q.Since, q.Until), all(t, s, q), w)
	}
	q := events.Query{Scope: admin, Since: at, Until: at.Add(time.Microsecond)}
	if len(want(evs, q)) == 0 {
		t.Fatal("the one-microsecond window holds nothing")
	}
}

func testText(t *testing.T, s events.Store) {
	evs := Generate(400, 8)
	special := []string{"Disk 100% full_now", "disk 100x fullXnow", `back\slash path`, "ÉCHEC du Déjà", "plain words"}
	for i, m := range special {
		e := Generate(1, uint64(1000+i))[0]
		e.Message = m
		e.Raw = append(e.Raw, []byte(fmt.Sprintf(" %d", i))...)
		e.ID = events.ContentID(e.Raw)
		evs = append(evs, e)
	}
	insert(t, s, evs)
	for _, needle := range []string{"SERVERS", "instance spawned", "100%", "100% FULL_", "_now", `\s`, "déjà", "échec", "DÉJÀ", "%", "_", "no such words"} {
		q := events.Query{Scope: admin, Text: needle}
		sameIDs(t, "text "+needle, all(t, s, q), want(evs, q))
	}
	q := events.Query{Scope: admin, Text: "100% full"}
	if got := all(t, s, q); len(got) != 1 {
		t.Errorf("%q matched %d events, want 1: %% must be a literal", q.Text, len(got))
	}
}

func testScope(t *testing.T, s events.Store) {
	evs := Generate(1000, 9)
	insert(t, s, evs)
	mine := events.Scope{Projects: []string{"project-4"}}
	var outside, inside, noProject *events.Event
	for i := range evs {
		e := &evs[i]
		switch {
		case e.Project == "" && noProject == nil:
			noProject = e
		case e.Project == "project-4" && inside == nil:
			inside = e
		case e.Project == "project-5" && outside == nil:
			outside = e
		}
	}
	if outside == nil || inside == nil || noProject == nil {
		t.Fatal("the generated events lack a case")
	}
	for _, sc := range []events.Scope{mine, {}, {Projects: []string{""}}} {
		for _, e := range []*events.Event{outside, noProject} {
			if _, err := s.Get(ctx(t), e.ID, sc); !errors.Is(err, events.ErrNotFound) {
				t.Errorf("scope %+v: Get of project %q's event: %v, want ErrNotFound", sc, e.Project, err)
			}
			// Not by request id, not by target id, not as a cursor.
			for _, f := range []events.Filter{{Field: "request_id", Values: []string{e.RequestID}}, {Field: "target_id", Values: []string{e.TargetID}}} {
				if got := all(t, s, events.Query{Scope: sc, Filters: []events.Filter{f}}); len(got) != 0 {
					t.Errorf("scope %+v: %s of project %q's event lists %d", sc, f.Field, e.Project, len(got))
				}
			}
			if _, err := s.List(ctx(t), events.Query{Scope: sc, After: events.Cursor{ID: e.ID}}); !errors.Is(err, events.ErrNotFound) {
				t.Errorf("scope %+v: a cursor at project %q's event: %v, want ErrNotFound", sc, e.Project, err)
			}
		}
	}
	if _, err := s.Get(ctx(t), inside.ID, mine); err != nil {
		t.Errorf("Get of the caller's own event: %v", err)
	}
	for _, e := range []*events.Event{outside, noProject, inside} {
		if _, err := s.Get(ctx(t), e.ID, admin); err != nil {
			t.Errorf("admin: Get of project %q's event: %v", e.Project, err)
		}
	}
	for _, sc := range []events.Scope{mine, {Projects: []string{"project-4", "project-8"}}, {}, {Projects: []string{""}}, admin} {
		q := events.Query{Scope: sc}
		got := all(t, s, q)
		sameIDs(t, fmt.Sprintf("list in scope %+v", sc), got, want(evs, q))
		if !sc.All && slices.ContainsFunc(got, func(e events.Event) bool { return e.Project == "" }) {
			t.Errorf("scope %+v sees an event without a project", sc)
		}
		for _, field := range []string{"project", "user", "service"} {
			vs, err := s.Values(ctx(t), field, q, 1000)
			if err != nil {
				t.Fatal(err)
			}
			var n int64
			for _, v := range vs {
				n += v.Count
				if field == "project" && !sc.All && !slices.Contains(sc.Projects, v.Value) {
					t.Errorf("scope %+v: Values(project) shows %q", sc, v.Value)
				}
			}
			if w := countWith(want(evs, q), field); n != w {
				t.Errorf("scope %+v: Values(%s) counts %d events, want %d", sc, field, n, w)
			}
		}
		got, err := s.Since(ctx(t), 0, q, events.MaxLimit)
		if err != nil {
			t.Fatal(err)
		}
		if w := want(evs, q); len(got) != min(len(w), events.MaxLimit) {
			t.Errorf("scope %+v: Since sees %d events, want %d", sc, len(got), len(w))
		}
	}
}

func countWith(evs []events.Event, field string) int64 {
	var n int64
	for i := range evs {
		if valueOf(&evs[i], field) != "" {
			n++
		}
	}
	return n
}

func testPaging(t *testing.T, s events.Store) {
	evs := Generate(2500, 10)
	insert(t, s, evs)
	for _, desc := range []bool{false, true} {
		for _, limit := range []int{1000, 97} {
			q := events.Query{Scope: admin, Desc: desc, Limit: limit}
			sameIDs(t, fmt.Sprintf("pages of %d, desc %v", limit, desc), all(t, s, q), ordered(evs, desc))
		}
	}
	// Pages that end inside a run of equal times go on inside it.
	var runs int
	for i := 1; i < len(evs); i++ {
		if evs[i].Time.Equal(evs[i-1].Time) {
			runs++
		}
	}
	if runs < 100 {
		t.Fatalf("only %d repeated times: the case is not tested", runs)
	}
	q := events.Query{Scope: admin, Limit: 1}
	sameIDs(t, "pages of 1 (first 300)", first(t, s, q, 300), ordered(evs, false)[:300])
	// A cursor from one direction, read in the other, goes back.
	p, err := s.List(ctx(t), events.Query{Scope: admin, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	back, err := s.List(ctx(t), events.Query{Scope: admin, Limit: 1000, Desc: true, After: p.Next})
	if err != nil {
		t.Fatal(err)
	}
	w := ordered(evs, false)[:199]
	slices.Reverse(w)
	sameIDs(t, "back from the second page", back.Events, w)
	if !back.Next.IsZero() {
		t.Errorf("the first page read backwards has a next cursor %+v", back.Next)
	}
	// The last page has no next cursor even when full.
	p, err = s.List(ctx(t), events.Query{Scope: admin, Limit: 500, After: events.Cursor{Time: ordered(evs, false)[1999].Time, ID: ordered(evs, false)[1999].ID}})
	if err != nil || len(p.Events) != 500 || !p.Next.IsZero() {
		t.Errorf("the last full page: %d events, next %+v, %v; want 500 and no next", len(p.Events), p.Next, err)
	}
	// A cursor survives its string form.
	p, err = s.List(ctx(t), events.Query{Scope: admin, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	c, err := events.ParseCursor(p.Next.String())
	if err != nil {
		t.Fatal(err)
	}
	p2, err := s.List(ctx(t), events.Query{Scope: admin, Limit: 10, After: c})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "after a parsed cursor", p2.Events, ordered(evs, false)[10:20])
}

func first(t *testing.T, s events.Store, q events.Query, n int) []events.Event {
	var out []events.Event
	for len(out) < n {
		p, err := s.List(ctx(t), q)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p.Events...)
		if p.Next.IsZero() {
			break
		}
		q.After = p.Next
	}
	return out
}

func testCursorByID(t *testing.T, s events.Store) {
	evs := Generate(500, 11)
	insert(t, s, evs)
	o := ordered(evs, false)
	for _, desc := range []bool{false, true} {
		q := events.Query{Scope: admin, After: events.Cursor{ID: o[100].ID}, Limit: 50, Desc: desc}
		p, err := s.List(ctx(t), q)
		if err != nil {
			t.Fatal(err)
		}
		w := o[101:151]
		if desc {
			w = slices.Clone(o[50:100])
			slices.Reverse(w)
		}
		sameIDs(t, fmt.Sprintf("after a bare id, desc %v", desc), p.Events, w)
	}
	if _, err := s.List(ctx(t), events.Query{Scope: admin, After: events.Cursor{ID: events.ContentID([]byte("nothing"))}}); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("a cursor naming an unknown id: %v, want ErrNotFound", err)
	}
}

func testLimits(t *testing.T, s events.Store) {
	evs := Generate(1200, 12)
	insert(t, s, evs)
	for _, c := range []struct{ limit, want int }{{0, events.DefaultLimit}, {-5, events.DefaultLimit}, {1, 1}, {5000, events.MaxLimit}} {
		p, err := s.List(ctx(t), events.Query{Scope: admin, Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Events) != c.want || p.Next.IsZero() {
			t.Errorf("Limit %d: %d events (next %v), want %d and a next cursor", c.limit, len(p.Events), !p.Next.IsZero(), c.want)
		}
	}
}

func testValues(t *testing.T, s events.Store) {
	evs := Generate(1000, 13)
	insert(t, s, evs)
	for _, field := range events.Fields() {
		q := events.Query{Scope: admin, Filters: []events.Filter{{Field: "kind", Values: []string{"request"}}}}
		got, err := s.Values(ctx(t), field, q, 1000)
		if err != nil {
			t.Fatalf("Values(%s): %v", field, err)
		}
		counts := map[string]int64{}
		for _, e := range want(evs, q) {
			if v := valueOf(&e, field); v != "" {
				counts[v]++
			}
		}
		if len(got) != len(counts) {
			t.Errorf("Values(%s): %d values, want %d", field, len(got), len(counts))
		}
		for i, vc := range got {
			if counts[vc.Value] != vc.Count {
				t.Errorf("Values(%s): %q counted %d, want %d", field, vc.Value, vc.Count, counts[vc.Value])
			}
			if i > 0 && got[i-1].Count < vc.Count {
				t.Errorf("Values(%s): not most frequent first at %d", field, i)
			}
		}
		if len(got) > 2 {
			top, err := s.Values(ctx(t), field, q, 2)
			if err != nil || len(top) != 2 || top[0] != got[0] {
				t.Errorf("Values(%s, limit 2) = %v, %v; want the first two of %v", field, top, err, got[:2])
			}
		}
	}
}

func testPurge(t *testing.T, s events.Store) {
	evs := Generate(2000, 14)
	insert(t, s, evs)
	before := Base.Add(15 * time.Hour)
	keep := [][]events.Filter{
		{{Field: "outcome", Values: []string{"failure"}}},
		{{Field: "level", Values: []string{"ERROR", "CRITICAL"}}, {Field: "kind", Values: []string{"exception"}}},
		{{Field: "status", Values: []string{"500"}}},
	}
	kept := func(e *events.Event) bool {
		for _, g := range keep {
			ok := true
			for _, f := range g {
				ok = ok && filterHolds(e, f)
			}
			if ok {
				return true
			}
		}
		return false
	}
	var gone, stay []events.Event
	var nKept int64
	for i := range evs {
		e := &evs[i]
		switch {
		case !e.Time.Before(before):
			stay = append(stay, *e)
		case kept(e):
			nKept++
			stay = append(stay, *e)
		default:
			gone = append(gone, *e)
		}
	}
	og := ordered(gone, false)
	check := func(what string, r events.PurgeResult, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if r.Removed != int64(len(gone)) || r.Kept != nKept {
			t.Errorf("%s: removed %d, kept %d; want %d, %d", what, r.Removed, r.Kept, len(gone), nKept)
		}
		if !r.Oldest.Equal(og[0].Time) || !r.Newest.Equal(og[len(og)-1].Time) {
			t.Errorf("%s: oldest %v newest %v, want %v %v", what, r.Oldest, r.Newest, og[0].Time, og[len(og)-1].Time)
		}
	}
	r, err := s.Purge(ctx(t), events.Purge{Before: before, Keep: keep, DryRun: true})
	check("dry run", r, err)
	if n := len(all(t, s, events.Query{Scope: admin})); n != len(evs) {
		t.Fatalf("a dry run removed %d events", len(evs)-n)
	}
	r, err = s.Purge(ctx(t), events.Purge{Before: before, Keep: keep})
	check("purge", r, err)
	sameIDs(t, "what a purge leaves", all(t, s, events.Query{Scope: admin}), ordered(stay, false))
	r, err = s.Purge(ctx(t), events.Purge{Before: before, Keep: keep})
	if err != nil || r.Removed != 0 {
		t.Errorf("a second purge: %+v, %v; want nothing removed", r, err)
	}
	// Without Keep, everything older goes; Seq never goes back.
	r, err = s.Purge(ctx(t), events.Purge{Before: Base.Add(48 * time.Hour)})
	if err != nil || r.Removed != int64(len(stay)) {
		t.Errorf("purge of everything: %+v, %v; want %d removed", r, err, len(stay))
	}
	more := Generate(10, 15)
	insert(t, s, more)
	if more[0].Seq <= evs[len(evs)-1].Seq {
		t.Errorf("after a purge, Seq %d reuses numbers (last before: %d)", more[0].Seq, evs[len(evs)-1].Seq)
	}
	if _, err := s.Purge(ctx(t), events.Purge{}); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("a purge with no Before: %v, want ErrInvalid", err)
	}
}

func testOffsets(t *testing.T, s events.Store) {
	if _, ok, err := s.Offset(ctx(t), "/var/log/nova/nova-api.log"); ok || err != nil {
		t.Errorf("Offset of an unknown file: ok %v, %v", ok, err)
	}
	o := events.Offset{Path: "/var/log/nova/nova-api.log", Inode: 1<<64 - 3, Offset: 1 << 40, Line: 123456, Checksum: "sha256:ab12"}
	for _, o := range []events.Offset{o, {Path: o.Path, Inode: 7, Offset: 10, Line: 2, Checksum: "c2"}} {
		if err := s.SaveOffset(ctx(t), o); err != nil {
			t.Fatal(err)
		}
		got, ok, err := s.Offset(ctx(t), o.Path)
		if err != nil || !ok || got != o {
			t.Errorf("Offset = %+v, %v, %v; want %+v", got, ok, err, o)
		}
	}
	if _, ok, _ := s.Offset(ctx(t), "/var/log/nova/nova-api.log.1"); ok {
		t.Error("another file has an offset")
	}
}

func testBadInput(t *testing.T, s events.Store) {
	insert(t, s, Generate(10, 16))
	bad := func(what string, err error, names string) {
		t.Helper()
		if !errors.Is(err, events.ErrInvalid) || !strings.Contains(err.Error(), names) {
			t.Errorf("%s: %v; want ErrInvalid naming %q", what, err, names)
		}
	}
	_, err := s.List(ctx(t), events.Query{Scope: admin, Filters: []events.Filter{{Field: "colour", Values: []string{"red"}}}})
	bad("List with an unknown field", err, "colour")
	_, err = s.Since(ctx(t), 0, events.Query{Scope: admin, Filters: []events.Filter{{Field: "colour", Values: []string{"red"}}}}, 10)
	bad("Since with an unknown field", err, "colour")
	_, err = s.Values(ctx(t), "colour", events.Query{Scope: admin}, 10)
	bad("Values of an unknown field", err, "colour")
	_, err = s.Purge(ctx(t), events.Purge{Before: Base, Keep: [][]events.Filter{{{Field: "colour", Values: []string{"red"}}}}})
	bad("Purge keeping an unknown field", err, "colour")
	_, err = s.List(ctx(t), events.Query{Scope: admin, Filters: []events.Filter{{Field: "status", Values: []string{"2xx"}}}})
	bad("a status that is not a number", err, "2xx")
	_, err = s.List(ctx(t), events.Query{Scope: admin, Filters: []events.Filter{{Field: "level", Values: []string{"LOUD"}}}})
	bad("an unknown level", err, "LOUD")
	_, err = s.List(ctx(t), events.Query{Scope: admin, MinLevel: "WARN"})
	bad("an unknown minimum level", err, "WARN")
	_, err = s.List(ctx(t), events.Query{Scope: admin, Filters: []events.Filter{{Field: "kind"}}})
	bad("a filter without values", err, "kind")
	if err := events.CheckQuery(events.Query{Filters: []events.Filter{{Field: "colour", Values: []string{"x"}}}}); err == nil {
		t.Error("CheckQuery accepts an unknown field")
	}
	// A value with quotes and SQL in it is a value.
	q := events.Query{Scope: admin, Filters: []events.Filter{{Field: "user", Values: []string{"x' OR '1'='1", `"; DROP TABLE events; --`}}}}
	if got := all(t, s, q); len(got) != 0 {
		t.Errorf("a quoted value matched %d events", len(got))
	}
	if n := len(all(t, s, events.Query{Scope: admin})); n != 10 {
		t.Errorf("%d events after bad input, want 10", n)
	}
}

func testClosed(t *testing.T, s events.Store) {
	insert(t, s, Generate(5, 17))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Insert(ctx(t), Generate(1, 18)); !errors.Is(err, events.ErrUnavailable) {
		t.Errorf("Insert into a closed store: %v, want ErrUnavailable", err)
	}
	if _, err := s.List(ctx(t), events.Query{Scope: admin}); !errors.Is(err, events.ErrUnavailable) {
		t.Errorf("List of a closed store: %v, want ErrUnavailable", err)
	}
	if err := s.Close(); err != nil {
		t.Errorf("a second Close: %v", err)
	}
}

// Unavailable checks that s answers ErrUnavailable while its database is
// away — cut takes it away (a tcpproxy's Cut), restore brings it back —
// and works again once it is back, with nothing of the failed batch
// stored.
func Unavailable(t *testing.T, s events.Store, cut, restore func()) {
	evs := Generate(300, 19)
	insert(t, s, evs[:100])
	cut()
	c, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := s.Insert(c, evs[100:200]); !errors.Is(err, events.ErrUnavailable) {
		t.Errorf("Insert with the database away: %v, want ErrUnavailable", err)
	}
	if _, err := s.List(c, events.Query{Scope: admin}); !errors.Is(err, events.ErrUnavailable) {
		t.Errorf("List with the database away: %v, want ErrUnavailable", err)
	}
	if _, err := s.Get(c, evs[0].ID, admin); !errors.Is(err, events.ErrUnavailable) {
		t.Errorf("Get with the database away: %v, want ErrUnavailable", err)
	}
	restore()
	var err error
	for range 50 { // the pool may hand out a dead connection or two first
		if _, err = s.Insert(ctx(t), evs[100:200]); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("Insert after the database came back: %v", err)
	}
	if n := len(all(t, s, events.Query{Scope: admin})); n != 200 {
		t.Errorf("%d events after the outage, want 200", n)
	}
}
