package events_test

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

// lastSeq is s's LastSeq (both stores have it, outside the interface).
func lastSeq(t *testing.T, s events.Store) (int64, error) {
	t.Helper()
	ls, ok := s.(interface {
		LastSeq(context.Context) (int64, error)
	})
	if !ok {
		t.Fatalf("%T has no LastSeq", s)
	}
	return ls.LastSeq(context.Background())
}

// TestSQLiteSeqNotReused purges the newest events (the last stored, with
// the oldest times) and stores more, in the same store and after
// reopening the file: no seq is given twice, and seqs keep growing.
func TestSQLiteSeqNotReused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	open := func() events.Store {
		s, err := events.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	// at gives events times in the hour after base, in order.
	at := func(evs []events.Event, base time.Time) []events.Event {
		for i := range evs {
			evs[i].Time = base.Add(time.Duration(i) * time.Second)
		}
		return evs
	}
	late, early := eventstest.Base.Add(10*time.Hour), eventstest.Base
	s := open()
	kept := at(eventstest.Generate(30, 51), late)
	newest := at(eventstest.Generate(30, 52), early)
	for _, b := range [][]events.Event{kept, newest} {
		if _, err := s.Insert(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	high := newest[len(newest)-1].Seq
	purge := func(s events.Store) {
		t.Helper()
		r, err := s.Purge(ctx, events.Purge{Before: late})
		if err != nil || r.Removed != 30 {
			t.Fatalf("purge: %+v, %v; want 30 removed", r, err)
		}
		if n, err := lastSeq(t, s); err != nil || n != kept[len(kept)-1].Seq {
			t.Fatalf("LastSeq after the purge = %d, %v; want %d", n, err, kept[len(kept)-1].Seq)
		}
	}
	purge(s)
	again := at(eventstest.Generate(30, 53), early)
	if _, err := s.Insert(ctx, again); err != nil {
		t.Fatal(err)
	}
	if again[0].Seq <= high {
		t.Errorf("after purging the newest: seq %d, want above %d", again[0].Seq, high)
	}
	high = again[len(again)-1].Seq
	purge(s)
	s.Close()

	s = open()
	defer s.Close()
	after := at(eventstest.Generate(30, 54), early)
	if _, err := s.Insert(ctx, after); err != nil {
		t.Fatal(err)
	}
	if after[0].Seq <= high {
		t.Errorf("after reopening: seq %d, want above %d", after[0].Seq, high)
	}
}

// TestSQLiteTwoWriters stores through two stores open on one file, as
// two processes would: each transaction numbers its events above the
// other's, so every seq is given once and Since sees them all in order.
func TestSQLiteTwoWriters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "events.db")
	var stores []events.Store
	for range 2 {
		s, err := events.Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores = append(stores, s)
	}
	all := eventstest.Generate(1000, 61)
	var wg sync.WaitGroup
	seqs := make([][]int64, 2)
	for k, s := range stores {
		wg.Go(func() {
			for off := k * 50; off < len(all); off += 100 {
				batch := slices.Clone(all[off : off+50])
				if _, err := s.Insert(ctx, batch); err != nil {
					t.Error(err)
					return
				}
				for _, e := range batch {
					seqs[k] = append(seqs[k], e.Seq)
				}
			}
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for k := range seqs {
		for _, q := range seqs[k] {
			if q == 0 || seen[q] {
				t.Fatalf("store %d: seq %d given twice (or not at all)", k, q)
			}
			seen[q] = true
		}
	}
	got, err := stores[0].Since(ctx, 0, events.Query{Scope: events.Scope{All: true}}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(all) {
		t.Fatalf("Since(0): %d events, want %d", len(got), len(all))
	}
	for i := 1; i < len(got); i++ {
		if got[i].Seq <= got[i-1].Seq {
			t.Fatalf("Since(0): seq %d after %d", got[i].Seq, got[i-1].Seq)
		}
	}
}
