package extract

import (
	"time"
)

// windowEnd is the end of the span whose lifecycle events an action on an
// instance may have caused: its window, cut short where the next request
// on the same instance began (nova runs one task on an instance at a time,
// so what follows the next request's start is that request's).
func (e *Extractor) windowEnd(p *pending) time.Time {
	end := p.a.Time.Add(e.opts.Window)
	for _, q := range e.pending {
		if q == p || q.a.Resource != p.a.Resource || !q.start.After(p.start) {
			continue
		}
		if q.start.Before(end) {
			end = q.start
		}
	}
	return end
}

// byLifecycle resolves a server action that no line of its request named,
// from the lifecycle events of its instance in its window (see windowEnd).
// Events that are automatic (near a boot, a migration, a deletion, a
// power-state sync) or that an already resolved action explains are set
// aside. What is left must name one action without doubt:
//
//	Paused               pause
//	Suspended            suspend
//	Stopped              stop
//	Started              start
//	Resumed              unpause after Paused, resume after Suspended; else nothing
//
// Anything else resolves nothing: Stopped and Started may be a reboot or a
// stop and a start; Started and Resumed is how an instance arrives on the
// destination of a live migration (and how a boot ends); Paused and
// Stopped how it leaves the source. It returns the action and the events
// used.
func (e *Extractor) byLifecycle(p *pending) (string, []*lifeRef) {
	ii := e.insts[p.a.Resource]
	if ii == nil {
		return "", nil
	}
	from, to := p.start.Add(-skew), e.windowEnd(p)
	var found []*lifeRef
	var seen uint8
	for i := range ii.events {
		ev := &ii.events[i]
		if ev.used || ev.t.Before(from) || ev.t.After(to) || e.automatic(ii, ev) {
			continue
		}
		found = append(found, ev)
		seen |= lifeBit(ev.ev)
	}
	var act string
	switch seen {
	case bitPaused:
		act = "pause"
	case bitSuspended:
		act = "suspend"
	case bitStopped:
		act = "stop"
	case bitStarted:
		act = "start"
	case bitResumed:
		switch e.stateBefore(ii, p.start) {
		case lifePaused:
			act = "unpause"
		case lifeSuspended:
			act = "resume"
		}
	}
	if act == "" {
		return "", nil
	}
	return act, found
}

// automatic reports whether a lifecycle event is no user's doing: it lies
// near a line showing automatic activity on the instance, or within the
// span of a resolved action that causes events of its kind.
func (e *Extractor) automatic(ii *instInfo, ev *lifeRef) bool {
	for _, m := range ii.marks {
		if d := ev.t.Sub(m); d <= autoGap && d >= -autoGap {
			return true
		}
	}
	for _, a := range ii.acts {
		if !ev.t.Before(a.from) && !ev.t.After(a.to) && explains(a.act, ev.ev) {
			return true
		}
	}
	return false
}

// stateBefore is the instance's power state just before t, as its last
// lifecycle event or its last resolved power action says: Paused,
// Suspended, or "" when neither is known.
func (e *Extractor) stateBefore(ii *instInfo, t time.Time) string {
	var state string
	var at time.Time
	for _, ev := range ii.events {
		if ev.t.Before(t) && !ev.t.Before(at) {
			state, at = ev.ev, ev.t
		}
	}
	for _, a := range ii.acts {
		if a.from.Before(t) && !a.from.Before(at) {
			switch a.act {
			case "pause":
				state, at = lifePaused, a.from
			case "suspend":
				state, at = lifeSuspended, a.from
			case "unpause", "resume", "start":
				state, at = lifeResumed, a.from
			case "stop":
				state, at = lifeStopped, a.from
			}
		}
	}
	if state == lifePaused || state == lifeSuspended {
		return state
	}
	return ""
}

// Lifecycle events as bits, to test which ones a window holds.
const (
	bitStarted uint8 = 1 << iota
	bitStopped
	bitPaused
	bitResumed
	bitSuspended
)

func lifeBit(ev string) uint8 {
	switch ev {
	case lifeStarted:
		return bitStarted
	case lifeStopped:
		return bitStopped
	case lifePaused:
		return bitPaused
	case lifeResumed:
		return bitResumed
	case lifeSuspended:
		return bitSuspended
	}
	return 0
}
