package events_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

// TestSQLiteInsertRows: batches go into SQLite 32 rows an INSERT (see
// insertRows), so the counts and seqs are checked across chunks that are
// all new, all duplicates, part duplicates (stored before or repeated in
// the batch) and the row-by-row rest: each Seq Insert reports is the one
// the store keeps, a duplicate's stays 0, and an event without Raw still
// fails its batch whole.
func TestSQLiteInsertRows(t *testing.T) {
	ctx := context.Background()
	s, err := events.Open(ctx, filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	all := eventstest.Generate(400, 5)

	first := append([]events.Event(nil), all[:70]...) // two chunks and 6 rows
	res, err := s.Insert(ctx, first)
	if err != nil || res.Inserted != 70 || res.Duplicates != 0 {
		t.Fatalf("first batch: %+v, %v", res, err)
	}

	// 32 stored before (a chunk of duplicates), then a chunk mixing
	// stored, new and repeated events, then new ones.
	var batch []events.Event
	batch = append(batch, all[:32]...)
	for i := range 32 {
		switch i % 4 {
		case 0:
			batch = append(batch, all[32+i]) // stored in the first batch
		case 1:
			batch = append(batch, all[100+i], all[100+i]) // new, twice
		default:
			batch = append(batch, all[100+i])
		}
	}
	batch = append(batch, all[200:300]...)
	batch = append(batch, all[300]) // and one repeated in the row-by-row rest
	batch = append(batch, all[300])
	want := map[string]bool{} // id -> new
	stored := map[string]bool{}
	for _, e := range first {
		stored[events.ContentID(e.Raw)] = true
	}
	inserted, dups := 0, 0
	for _, e := range batch {
		id := events.ContentID(e.Raw)
		if stored[id] || want[id] {
			dups++
			continue
		}
		want[id] = true
		inserted++
	}
	res, err = s.Insert(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	if res.Inserted != inserted || res.Duplicates != dups {
		t.Fatalf("second batch: %+v; want %d inserted, %d duplicates", res, inserted, dups)
	}
	got, err := s.Since(ctx, 0, events.Query{Scope: events.Scope{All: true}}, 1000)
	if err != nil {
		t.Fatal(err)
	}
	seqOf := map[string]int64{}
	for _, e := range got {
		seqOf[e.ID] = e.Seq
	}
	if len(got) != 70+inserted {
		t.Fatalf("the store holds %d events; want %d", len(got), 70+inserted)
	}
	claimed := map[string]bool{}
	for i, e := range batch {
		if want[e.ID] && !claimed[e.ID] {
			claimed[e.ID] = true
			if e.Seq == 0 || e.Seq != seqOf[e.ID] {
				t.Errorf("event %d (%s): Seq %d; the store has %d", i, e.ID, e.Seq, seqOf[e.ID])
			}
		} else if e.Seq != 0 {
			t.Errorf("event %d (%s), a duplicate: Seq %d; want 0", i, e.ID, e.Seq)
		}
	}
	for i := range first {
		if first[i].Seq != seqOf[first[i].ID] {
			t.Errorf("first batch, event %d: Seq %d; the store has %d", i, first[i].Seq, seqOf[first[i].ID])
		}
	}

	// An event without Raw in a full chunk fails the batch, which stores
	// nothing.
	bad := append([]events.Event(nil), all[340:380]...)
	bad[5].Raw, bad[5].ID = nil, events.ContentID([]byte("x"))
	if _, err := s.Insert(ctx, bad); err == nil {
		t.Fatal("a batch with an event without Raw was stored")
	}
	after, err := s.Since(ctx, 0, events.Query{Scope: events.Scope{All: true}}, 1000)
	if err != nil || len(after) != len(got) {
		t.Fatalf("after the failed batch the store holds %d events (%v); want %d", len(after), err, len(got))
	}
}
