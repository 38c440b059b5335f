package events

import (
	"context"
	"sync"
)

// watchers are the pokes of the Watch calls on one store: the SQLite
// store's way of telling a stream hub that events were stored. SQLite has
// one writing process (log-serve holds the file), so telling the watchers
// in that process is telling them all.
type watchers struct {
	mu    sync.Mutex
	pokes map[*func()]struct{}
}

func (w *watchers) add(f *func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.pokes == nil {
		w.pokes = make(map[*func()]struct{})
	}
	w.pokes[f] = struct{}{}
}

func (w *watchers) remove(f *func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.pokes, f)
}

// poke calls every watcher's poke. Pokes must not block (the hub's does
// not: it is a send on a buffered channel, or nothing).
func (w *watchers) poke() {
	w.mu.Lock()
	defer w.mu.Unlock()
	for f := range w.pokes {
		(*f)()
	}
}

// Watch calls poke after each Insert that stored something, from the
// inserting goroutine, until ctx ends; whoever inserts — the API, a file
// follower — wakes the stream. poke must return at once.
func (s *sqliteStore) Watch(ctx context.Context, poke func()) error {
	f := &poke
	s.watchers.add(f)
	defer s.watchers.remove(f)
	<-ctx.Done()
	return ctx.Err()
}
