package events_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

// TestSQLiteConcurrentInserts holds the SQLite store's group commit
// (concurrent Inserts sharing one transaction) to Insert's contract:
// every caller gets the counts of its own batch, each event stored once
// whichever caller sent it first, each stored event has a Seq of its own,
// and a caller whose context is already done stores nothing and leaves
// the others' batches alone.
func TestSQLiteConcurrentInserts(t *testing.T) {
	t.Parallel()
	s := openSQLite(t)
	ctx := context.Background()
	all := eventstest.Generate(4000, 11)
	const callers, per = 8, 100
	type got struct {
		res  events.Result
		seqs []int64
	}
	results := make([][]got, callers)
	var wg sync.WaitGroup
	for c := range callers {
		wg.Go(func() {
			// Caller c sends the events of [c*500, c*500+1000): each
			// event but the first and last 500 is sent by two callers.
			mine := all[c*500 : min(c*500+1000, len(all))]
			for off := 0; off < len(mine); off += per {
				batch := slices.Clone(mine[off:min(off+per, len(mine))])
				res, err := s.Insert(ctx, batch)
				if err != nil {
					t.Errorf("caller %d: %v", c, err)
					return
				}
				g := got{res: res}
				for _, e := range batch {
					g.seqs = append(g.seqs, e.Seq)
				}
				results[c] = append(results[c], g)
			}
		})
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	extra := eventstest.Generate(10, 12)
	if _, err := s.Insert(cancelled, extra); err == nil {
		t.Error("Insert with a done context: no error")
	}
	wg.Wait()

	sent := 0
	var inserted, dups int
	seen := map[int64]bool{}
	for c, rs := range results {
		for i, g := range rs {
			sent += per
			if g.res.Inserted+g.res.Duplicates != per {
				t.Errorf("caller %d batch %d: %d inserted + %d duplicates, want %d in all", c, i, g.res.Inserted, g.res.Duplicates, per)
			}
			inserted += g.res.Inserted
			dups += g.res.Duplicates
			stored := 0
			for _, q := range g.seqs {
				if q == 0 {
					continue
				}
				stored++
				if seen[q] {
					t.Errorf("caller %d batch %d: seq %d given twice", c, i, q)
				}
				seen[q] = true
			}
			if stored != g.res.Inserted {
				t.Errorf("caller %d batch %d: %d events with a Seq, %d inserted", c, i, stored, g.res.Inserted)
			}
		}
	}
	if inserted != len(all) || dups != sent-len(all) {
		t.Errorf("inserted %d and %d duplicates of %d sent, want %d and %d", inserted, dups, sent, len(all), sent-len(all))
	}
	for _, x := range extra {
		if _, err := s.Get(ctx, x.ID, events.Scope{All: true}); !errors.Is(err, events.ErrNotFound) {
			t.Errorf("the cancelled caller's event %s: Get says %v, want not found", x.ID, err)
		}
	}
}
