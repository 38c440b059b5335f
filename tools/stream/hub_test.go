package stream

import (
	"context"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

var admin = events.Query{Scope: events.Scope{All: true}}

func openSQLite(t *testing.T) events.Store {
	t.Helper()
	s, err := events.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// start runs a hub over s until the test ends.
func start(t *testing.T, s events.Store, o *Options) *Hub {
	t.Helper()
	h := NewHub(s, o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	select {
	case <-h.Started():
	case <-time.After(10 * time.Second):
		t.Fatal("hub did not start")
	}
	return h
}

func insert(t testing.TB, s events.Store, h *Hub, evs []events.Event) {
	t.Helper()
	if _, err := s.Insert(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	h.Notify()
}

func next(t *testing.T, sub *Subscriber) Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := sub.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return m
}

func TestLive(t *testing.T) {
	s := openSQLite(t)
	evs := eventstest.Generate(300, 1)
	insert(t, s, nil2(t), evs[:100]) // before the hub: not live, only replayable
	h := start(t, s, nil)
	sub, err := h.Subscribe(admin, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	insert(t, s, h, evs[100:200])
	insert(t, s, h, evs[200:])
	for i := 100; i < 300; i++ {
		m := next(t, sub)
		if m.Event == nil || m.Event.ID != events.ContentID(evs[i].Raw) {
			t.Fatalf("message %d: %+v, want event %s", i, m, events.ContentID(evs[i].Raw))
		}
	}
}

// nil2 is a hub that is never run, for inserting before the real one.
func nil2(t *testing.T) *Hub { return NewHub(nil, nil) }

func TestReplayThenLive(t *testing.T) {
	s := openSQLite(t)
	evs := eventstest.Generate(3000, 2)
	h0 := nil2(t)
	insert(t, s, h0, evs[:1200])
	h := start(t, s, &Options{Batch: 100, Ring: 64})
	sub, err := h.Subscribe(admin, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// Inserts go on while the subscriber replays.
	go func() {
		for i := 1200; i < 3000; i += 50 {
			insert(t, s, h, evs[i:i+50])
		}
	}()
	var last int64
	for i := 0; i < 3000; i++ {
		m := next(t, sub)
		if m.Gap != nil {
			t.Fatalf("gap %+v at %d", m.Gap, i)
		}
		if m.Event.Seq <= last {
			t.Fatalf("event %d: seq %d after %d (a duplicate or out of order)", i, m.Event.Seq, last)
		}
		last = m.Event.Seq
		if m.Event.ID != events.ContentID(evs[i].Raw) {
			t.Fatalf("event %d: %s, want %s", i, m.Event.ID, events.ContentID(evs[i].Raw))
		}
	}
}

// TestReconnectAtRandom: a client that drops its subscription at random
// points under load and resumes from the last Seq it saw sees every event
// exactly once.
func TestReconnectAtRandom(t *testing.T) {
	s := openSQLite(t)
	const n = 6000
	evs := eventstest.Generate(n, 3)
	h := start(t, s, &Options{Batch: 50, Ring: 100, Buffer: 4096})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		r := rand.New(rand.NewPCG(7, 7))
		for i := 0; i < n; {
			k := min(1+r.IntN(40), n-i)
			insert(t, s, h, evs[i:i+k])
			i += k
			if r.IntN(4) == 0 {
				time.Sleep(time.Millisecond)
			}
		}
	}()
	r := rand.New(rand.NewPCG(11, 11))
	seen := make(map[string]int, n)
	var last int64
	reconnects := 0
	for len(seen) < n {
		sub, err := h.Subscribe(admin, last)
		if err != nil {
			t.Fatal(err)
		}
		for k := r.IntN(300); k >= 0 && len(seen) < n; k-- {
			m := next(t, sub)
			if m.Gap != nil {
				t.Fatalf("gap %+v", m.Gap)
			}
			if m.Event.Seq <= last {
				t.Fatalf("seq %d after %d", m.Event.Seq, last)
			}
			last = m.Event.Seq
			seen[m.Event.ID]++
		}
		sub.Close()
		reconnects++
	}
	wg.Wait()
	for _, e := range evs {
		if c := seen[events.ContentID(e.Raw)]; c != 1 {
			t.Fatalf("event %s seen %d times", events.ContentID(e.Raw), c)
		}
	}
	t.Logf("%d events over %d subscriptions", n, reconnects)
}

// TestSlowConsumer: a subscriber that does not read misses events beyond
// its buffer, is told exactly how many and from where, and the hub never
// waits for it.
func TestSlowConsumer(t *testing.T) {
	s := openSQLite(t)
	h := start(t, s, &Options{Buffer: 8})
	slow, err := h.Subscribe(admin, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	evs := eventstest.Generate(100, 4)
	for i := 0; i < 100; i += 10 {
		insert(t, s, h, evs[i:i+10])
	}
	// The hub goes on past the slow subscriber's full buffer: it fans out
	// all 100, and a subscriber that joins now is served at once.
	deadline := time.Now().Add(10 * time.Second)
	for h.Last() < int64(100) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if h.Last() < 100 {
		t.Fatalf("the hub stalled at seq %d behind the slow subscriber", h.Last())
	}
	late, err := h.Subscribe(admin, h.Last()-3)
	if err != nil {
		t.Fatal(err)
	}
	defer late.Close()
	for i := 97; i < 100; i++ {
		if m := next(t, late); m.Event == nil || m.Event.ID != events.ContentID(evs[i].Raw) {
			t.Fatalf("late subscriber: %+v, want event %d", m, i)
		}
	}
	var seqs []int64
	for i := 0; i < 8; i++ {
		m := next(t, slow)
		if m.Event == nil {
			t.Fatalf("message %d: %+v, want one of the 8 buffered events", i, m)
		}
		seqs = append(seqs, m.Event.Seq)
	}
	m := next(t, slow)
	if m.Gap == nil || m.Gap.Count != 92 || m.Gap.After != seqs[7] {
		t.Fatalf("after the buffer: %+v, want a gap of 92 after seq %d", m, seqs[7])
	}
	// The gap's range replays exactly what was missed.
	missed, err := s.Since(context.Background(), m.Gap.After, admin, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(missed) != 92 || missed[91].Seq != m.Gap.Through {
		t.Fatalf("replaying the gap: %d events through %d, want 92 through %d", len(missed), missed[len(missed)-1].Seq, m.Gap.Through)
	}
	// After the gap, live again.
	more := eventstest.Generate(101, 4)[100:]
	insert(t, s, h, more)
	if m := next(t, slow); m.Event == nil || m.Event.ID != events.ContentID(more[0].Raw) {
		t.Fatalf("after the gap: %+v, want the next event", m)
	}
}

func TestScopeAndFilters(t *testing.T) {
	s := openSQLite(t)
	h := start(t, s, nil)
	evs := eventstest.Generate(400, 5)
	var project string
	for _, e := range evs {
		if e.Project != "" {
			project = e.Project
			break
		}
	}
	q := events.Query{Scope: events.Scope{Projects: []string{project}}, Filters: []events.Filter{{Field: "outcome", Values: []string{"success"}, Not: true}}}
	sub, err := h.Subscribe(q, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	none, err := h.Subscribe(events.Query{}, -1) // a zero scope sees nothing
	if err != nil {
		t.Fatal(err)
	}
	defer none.Close()
	insert(t, s, h, evs)
	var want []string
	for i := range evs {
		if eventstest.Matches(&evs[i], q) {
			want = append(want, events.ContentID(evs[i].Raw))
		}
	}
	if len(want) == 0 {
		t.Fatal("the query matches nothing: the test proves nothing")
	}
	for i, id := range want {
		if m := next(t, sub); m.Event == nil || m.Event.ID != id {
			t.Fatalf("match %d: %+v, want %s", i, m, id)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if m, err := none.Next(ctx); err == nil {
		t.Fatalf("a zero scope received %+v", m)
	}
	if _, err := h.Subscribe(events.Query{Scope: events.Scope{All: true}, Filters: []events.Filter{{Field: "colour"}}}, -1); err == nil {
		t.Error("an unknown field was accepted")
	}
}

// TestMatchAgreesWithTheSuite: the in-memory matcher means what the
// stores' WHERE means, as the conformance suite's own reading says.
func TestMatchAgreesWithTheSuite(t *testing.T) {
	evs := eventstest.Generate(2000, 6)
	r := rand.New(rand.NewPCG(1, 2))
	pick := func(field string) string {
		e := &evs[r.IntN(len(evs))]
		switch field {
		case "user":
			return e.UserName
		case "request_id":
			return e.RequestID
		case "status":
			return fmt.Sprint(e.Status)
		}
		m, _ := compile(events.Query{})
		_ = m
		return fieldOf(e, field)
	}
	for i := 0; i < 300; i++ {
		q := events.Query{Scope: events.Scope{All: r.IntN(3) == 0}}
		if !q.Scope.All {
			q.Scope.Projects = []string{evs[r.IntN(len(evs))].Project, "p-none"}
		}
		for k := r.IntN(3); k > 0; k-- {
			f := events.Fields()[r.IntN(len(events.Fields()))]
			q.Filters = append(q.Filters, events.Filter{Field: f, Values: []string{pick(f), pick(f)}, Not: r.IntN(2) == 0})
		}
		if r.IntN(3) == 0 {
			q.MinLevel = events.Levels()[r.IntN(len(events.Levels()))]
		}
		if r.IntN(4) == 0 {
			q.Since = eventstest.Base.Add(time.Duration(r.IntN(12)) * time.Hour)
			q.Until = q.Since.Add(time.Duration(1+r.IntN(12)) * time.Hour)
		}
		if r.IntN(5) == 0 {
			q.Text = []string{"déjà", "SERVERS", "took", "100%"}[r.IntN(4)]
		}
		m, err := compile(q)
		if err != nil {
			t.Fatal(err)
		}
		for j := range evs {
			if got, want := m.match(&evs[j]), eventstest.Matches(&evs[j], q); got != want {
				t.Fatalf("query %+v, event %+v: match %v, suite says %v", q, evs[j], got, want)
			}
		}
	}
}

func fieldOf(e *events.Event, field string) string {
	switch field {
	case "level":
		return e.Level
	case "kind":
		return e.Kind
	case "service":
		return e.Service
	case "user_id":
		return e.UserID
	case "user_name":
		return e.UserName
	case "project":
		return e.Project
	case "action":
		return e.Action
	case "target_type":
		return e.TargetType
	case "target_id":
		return e.TargetID
	case "global_request_id":
		return e.GlobalRequestID
	case "outcome":
		return e.Outcome
	case "format":
		return e.Format
	}
	return ""
}

// TestStoreWakesTheHub: an insert by anyone (here the store itself, the
// hub never told) reaches live subscribers at once: the SQLite store
// watches its own inserts, so the hour-long poll never matters.
func TestStoreWakesTheHub(t *testing.T) {
	s := openSQLite(t)
	if _, ok := s.(Watcher); !ok {
		t.Fatal("the SQLite store does not watch its inserts")
	}
	h := start(t, s, &Options{Poll: time.Hour})
	sub, err := h.Subscribe(admin, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	time.Sleep(50 * time.Millisecond) // Watch registered
	evs := eventstest.Generate(5, 30)
	if _, err := s.Insert(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
	for i := range evs {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		m, err := sub.Next(ctx)
		cancel()
		if err != nil || m.Event == nil || m.Event.ID != events.ContentID(evs[i].Raw) {
			t.Fatalf("event %d: %+v, %v", i, m, err)
		}
	}
}

// TestHubStartsAtTheEnd: a hub started over a store that holds events
// starts after them (the store says where in one query), so a live
// subscriber sees only what comes next.
func TestHubStartsAtTheEnd(t *testing.T) {
	s := openSQLite(t)
	evs := eventstest.Generate(30, 31)
	if _, err := s.Insert(context.Background(), evs[:20]); err != nil {
		t.Fatal(err)
	}
	if _, ok := s.(LastSeqer); !ok {
		t.Fatal("the SQLite store cannot say its last seq")
	}
	h := start(t, s, nil)
	if h.Last() != evs[19].Seq {
		t.Fatalf("hub starts at %d, want %d", h.Last(), evs[19].Seq)
	}
	sub, err := h.Subscribe(admin, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	insert(t, s, h, evs[20:])
	if m := next(t, sub); m.Event == nil || m.Event.ID != events.ContentID(evs[20].Raw) {
		t.Fatalf("first live event %+v, want the 21st", m)
	}
}
