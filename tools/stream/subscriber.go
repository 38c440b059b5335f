package stream

import (
	"context"
	"sync"

	"github.com/auditlog-go/auditlog/tools/events"
)

// Gap tells a subscriber it missed events: it fell Count matching events
// behind its buffer. Store.Since(After, …) up to Through gets them back
// (log-events monitor does that on its own).
type Gap struct {
	Count   int64 // matching events missed, exactly
	After   int64 // the Seq to replay after
	Through int64 // the Seq of the last one missed
}

// Message is what a subscriber receives: an event, or a gap.
type Message struct {
	Event *events.Event
	Gap   *Gap
	sh    *shared // the event's encodings, shared by every subscriber it went to
}

// shared holds what is the same for every subscriber of one event: its
// envelope, encoded once however many streams send it (at 5,000 events/s
// to 50 subscribers, encoding per subscriber was most of the cost).
type shared struct {
	once sync.Once
	env  []byte
}

// envelope is the event's envelope, encoded by enc once per event.
func (m *Message) envelope(enc func([]byte, *events.Event) []byte) []byte {
	if m.sh == nil {
		return enc(nil, m.Event)
	}
	m.sh.once.Do(func() { m.sh.env = enc(nil, m.Event) })
	return m.sh.env
}

// Subscriber receives the events of one query, from a given point on. Its
// methods are for one goroutine (the connection's); the hub feeds it from
// another.
type Subscriber struct {
	h *Hub
	m *matcher
	q events.Query

	// Guarded by h.mu.
	ch     chan Message
	live   bool
	pos    int64 // the Seq up to which the subscriber has been given (or told of) every match
	gap    Gap
	closed bool
	err    error

	// The reader's own.
	replaying bool
	replayPos int64
	pending   []*events.Event
}

// Subscribe starts a subscription to the events q selects (q.Scope decides
// whose; q.After, q.Limit and q.Desc are ignored). With since < 0 it starts
// at the live end; with since ≥ 0 it first replays what the store holds
// with Seq > since. The hub must be running (wait for [Hub.Started]).
// Close the subscriber when done.
func (h *Hub) Subscribe(q events.Query, since int64) (*Subscriber, error) {
	m, err := compile(q)
	if err != nil {
		return nil, err
	}
	q.After, q.Limit, q.Desc = events.Cursor{}, 0, false
	s := &Subscriber{h: h, m: m, q: q, ch: make(chan Message, h.opts.Buffer)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if since < 0 || since >= h.last {
		s.live, s.pos = true, max(since, h.last)
	} else {
		s.replaying, s.replayPos = true, since
	}
	h.subs[s] = struct{}{}
	return s, nil
}

// Next returns the next message, waiting for one until ctx ends. Its error
// is ctx's, the store's while replaying, or ErrClosed when the hub stops.
func (s *Subscriber) Next(ctx context.Context) (Message, error) {
	for {
		if m, ok := s.popPending(); ok {
			return m, nil
		}
		if s.replaying {
			if err := s.replay(ctx); err != nil {
				return Message{}, err
			}
			continue
		}
		select {
		case m, ok := <-s.ch:
			return s.got(m, ok)
		default:
		}
		// Nothing buffered: a gap is told now, not only before the next
		// event, which may be long in coming.
		if g, ok := s.takeGap(); ok {
			return Message{Gap: &g}, nil
		}
		select {
		case m, ok := <-s.ch:
			return s.got(m, ok)
		case <-ctx.Done():
			return Message{}, ctx.Err()
		}
	}
}

// TryNext returns the next message if one is ready now — buffered, or a
// gap to tell — without waiting and without reading the store. A
// connection writes what TryNext gives, and flushes when it gives nothing:
// a burst goes out in one write.
func (s *Subscriber) TryNext() (Message, bool) {
	if m, ok := s.popPending(); ok {
		return m, true
	}
	if s.replaying {
		return Message{}, false
	}
	select {
	case m, ok := <-s.ch:
		if !ok {
			s.pending = nil
			return Message{}, false // Next says why
		}
		return m, true
	default:
	}
	if g, ok := s.takeGap(); ok {
		return Message{Gap: &g}, true
	}
	return Message{}, false
}

// popPending takes the next replayed event, if any is waiting.
func (s *Subscriber) popPending() (Message, bool) {
	if len(s.pending) == 0 {
		return Message{}, false
	}
	e := s.pending[0]
	s.pending[0] = nil
	s.pending = s.pending[1:]
	return Message{Event: e}, true
}

func (s *Subscriber) got(m Message, ok bool) (Message, error) {
	if !ok {
		s.h.mu.Lock()
		err := s.err
		s.h.mu.Unlock()
		return Message{}, err
	}
	return m, nil
}

func (s *Subscriber) takeGap() (Gap, bool) {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	if s.gap.Count == 0 {
		return Gap{}, false
	}
	g := s.gap
	s.gap = Gap{}
	s.pos = max(s.pos, g.Through)
	return g, true
}

// replay reads one batch of what the store holds after replayPos. When the
// store has no more than a batch left, it switches the subscriber to live:
// under the hub's lock, the events fanned out while it read come from the
// hub's ring, and from then on the hub feeds it.
func (s *Subscriber) replay(ctx context.Context) error {
	h := s.h
	// Everything the hub had fanned out when the read starts was
	// committed before it, so the read sees all of it that matches.
	seen := h.lastSeen.Load()
	evs, err := h.store.Since(ctx, s.replayPos, s.q, h.opts.Batch)
	if err != nil {
		return err
	}
	for i := range evs {
		s.pending = append(s.pending, &evs[i])
	}
	pos := s.replayPos
	if len(evs) > 0 {
		pos = evs[len(evs)-1].Seq
	}
	if len(evs) == h.opts.Batch {
		s.replayPos = pos
		return nil
	}
	// The store had nothing matching between pos and what it held then;
	// seqs are committed in order, so nothing at or below max(pos, seen)
	// can come later.
	pos = max(pos, seen)
	h.mu.Lock()
	defer h.mu.Unlock()
	if s.closed {
		return s.err
	}
	ok := h.ringFrom(pos, func(e *events.Event) {
		if s.m.match(e) {
			s.pending = append(s.pending, e)
		}
	})
	if !ok {
		// The hub moved on faster than the ring holds: read again.
		s.replayPos = pos
		return nil
	}
	s.replaying = false
	s.live = true
	s.pos = max(pos, h.last)
	return nil
}

// deliver hands e to the subscriber, or counts it missed. The hub calls it
// under its lock, in Seq order.
func (s *Subscriber) deliver(e *events.Event, sh *shared) {
	if e.Seq <= s.pos {
		return
	}
	if s.gap.Count > 0 {
		g := s.gap
		select {
		case s.ch <- Message{Gap: &g}:
			s.gap = Gap{}
			s.pos = g.Through
		default:
			s.gap.Count++
			s.gap.Through = e.Seq
			return
		}
	}
	select {
	case s.ch <- Message{Event: e, sh: sh}:
		s.pos = e.Seq
	default:
		s.gap = Gap{Count: 1, After: s.pos, Through: e.Seq}
	}
}

// Close ends the subscription.
func (s *Subscriber) Close() {
	s.h.mu.Lock()
	defer s.h.mu.Unlock()
	s.closeLocked(context.Canceled)
}

func (s *Subscriber) closeLocked(err error) {
	if s.closed {
		return
	}
	s.closed = true
	s.err = err
	delete(s.h.subs, s)
	close(s.ch)
}
