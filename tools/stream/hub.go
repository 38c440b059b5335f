package stream

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// Watcher is implemented by stores that can say when another process has
// stored events (PostgreSQL's LISTEN/NOTIFY). Watch calls poke, from any
// goroutine, whenever events may have been stored, until ctx ends; it
// returns ctx's error, or the reason it could not watch (the hub then
// relies on its poll).
type Watcher interface {
	Watch(ctx context.Context, poke func()) error
}

// Options tune a Hub; the zero value is good.
type Options struct {
	// Buffer is each subscriber's buffer, in events (default 1024). A
	// subscriber that falls further behind misses events, and is told.
	Buffer int
	// Ring is how many recent events the hub keeps for subscribers
	// switching from replay to live (default 8192).
	Ring int
	// Batch is how many events the hub and a replay read from the store at
	// once (default 500).
	Batch int
	// Poll is how often the hub reads the store unasked (default 1 s): it
	// bounds the delay when a notification is lost.
	Poll time.Duration
	// Logger receives the hub's own troubles (the store unreachable); nil
	// means slog.Default().
	Logger *slog.Logger
}

func (o *Options) defaults() {
	if o.Buffer <= 0 {
		o.Buffer = 1024
	}
	if o.Ring <= 0 {
		o.Ring = 8192
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
}

// Hub fans out what the store commits to its subscribers. Create one per
// server with [NewHub], run [Hub.Run] in a goroutine, and call
// [Hub.Notify] after each insert.
type Hub struct {
	store events.Store
	opts  Options
	poke  chan struct{}

	mu        sync.Mutex
	last      int64 // Seq of the last event fanned out
	ring      []*events.Event
	head      int   // ring[head] is the oldest entry (0 until the ring is full)
	ringAfter int64 // the ring holds every event fanned out with Seq above this
	subs      map[*Subscriber]struct{}

	lastSeen atomic.Int64 // last, readable without the lock
	started  chan struct{}
	once     sync.Once
}

// NewHub returns a hub over store.
func NewHub(store events.Store, opts *Options) *Hub {
	var o Options
	if opts != nil {
		o = *opts
	}
	o.defaults()
	return &Hub{
		store:   store,
		opts:    o,
		poke:    make(chan struct{}, 1),
		ring:    make([]*events.Event, 0, o.Ring),
		subs:    make(map[*Subscriber]struct{}),
		started: make(chan struct{}),
	}
}

// Notify tells the hub the store may hold new events. It never blocks.
func (h *Hub) Notify() {
	select {
	case h.poke <- struct{}{}:
	default:
	}
}

// Last is the Seq of the last event the hub has fanned out.
func (h *Hub) Last() int64 { return h.lastSeen.Load() }

// Run reads the store and fans out until ctx ends. The hub starts at the
// store's end: what was stored before Run is replayed only to subscribers
// that ask for it (since=…).
func (h *Hub) Run(ctx context.Context) error {
	start, err := h.end(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	h.last = start
	h.ringAfter = start
	h.lastSeen.Store(start)
	h.mu.Unlock()
	h.once.Do(func() { close(h.started) })
	if w, ok := h.store.(Watcher); ok {
		go func() {
			if err := w.Watch(ctx, h.Notify); err != nil && ctx.Err() == nil {
				h.opts.Logger.Warn("stream: cannot watch the store for other servers' events; polling", "every", h.opts.Poll, "err", err)
			}
		}()
	}
	tick := time.NewTicker(h.opts.Poll)
	defer tick.Stop()
	failing := false
	for {
		select {
		case <-ctx.Done():
			h.closeAll()
			return ctx.Err()
		case <-h.poke:
		case <-tick.C:
		}
		err := h.drain(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			failing = true
			h.opts.Logger.Warn("stream: cannot read new events from the store; retrying", "err", err)
		case err == nil && failing:
			failing = false
			h.opts.Logger.Info("stream: reading the store again")
		}
	}
}

// Started is closed once Run knows where the store ends, so subscribers
// can be taken.
func (h *Hub) Started() <-chan struct{} { return h.started }

// LastSeqer is implemented by stores that can say the Seq of their last
// event in one query (both of tools/events do); the hub starts there.
type LastSeqer interface {
	LastSeq(ctx context.Context) (int64, error)
}

// end finds the last Seq stored: from the store when it can say, else by
// walking Since in large steps (the Store interface has no max).
func (h *Hub) end(ctx context.Context) (int64, error) {
	if ls, ok := h.store.(LastSeqer); ok {
		return ls.LastSeq(ctx)
	}
	var last int64
	for {
		evs, err := h.store.Since(ctx, last, events.Query{Scope: events.Scope{All: true}}, 1000)
		if err != nil {
			return 0, err
		}
		if len(evs) == 0 {
			return last, nil
		}
		last = evs[len(evs)-1].Seq
	}
}

// drain reads everything stored after h.last and fans it out.
func (h *Hub) drain(ctx context.Context) error {
	for {
		evs, err := h.store.Since(ctx, h.lastSeen.Load(), events.Query{Scope: events.Scope{All: true}}, h.opts.Batch)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			return nil
		}
		h.mu.Lock()
		for i := range evs {
			e := &evs[i]
			if e.Seq <= h.last {
				continue
			}
			h.push(e)
			var sh *shared
			for s := range h.subs {
				if s.live && s.m.match(e) {
					if sh == nil {
						sh = &shared{}
					}
					s.deliver(e, sh)
				}
			}
			h.last = e.Seq
		}
		h.lastSeen.Store(h.last)
		h.mu.Unlock()
		if len(evs) < h.opts.Batch {
			return nil
		}
	}
}

// push adds e to the ring of recent events. The ring holds every event
// fanned out with Seq > ringAfter, in order.
func (h *Hub) push(e *events.Event) {
	if len(h.ring) < cap(h.ring) {
		h.ring = append(h.ring, e)
		return
	}
	h.ringAfter = h.ring[h.head].Seq
	h.ring[h.head] = e
	h.head = (h.head + 1) % len(h.ring)
}

// ringFrom calls fn for each event of the ring with Seq > after, oldest
// first. ok is false when the ring does not reach back that far: events
// fanned out after `after` have left it.
func (h *Hub) ringFrom(after int64, fn func(*events.Event)) (ok bool) {
	if after < h.ringAfter {
		return false
	}
	n := len(h.ring)
	for i := 0; i < n; i++ {
		if e := h.ring[(h.head+i)%n]; e.Seq > after {
			fn(e)
		}
	}
	return true
}

// closeAll ends every subscription (the server is stopping).
func (h *Hub) closeAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for s := range h.subs {
		s.closeLocked(ErrClosed)
	}
}

// ErrClosed ends a subscription whose hub stopped.
var ErrClosed = errors.New("stream: the server is stopping")

// Subscribers is how many subscriptions are open.
func (h *Hub) Subscribers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}
