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
	return e.automaticBut(ii, ev, markNone)
}

// automaticBut is automatic, not counting the lines of kind but.
func (e *Extractor) automaticBut(ii *instInfo, ev *lifeRef, but markKind) bool {
	for _, m := range ii.marks {
		if !m.kind.automatic() || m.kind == but {
			continue
		}
		if d := ev.t.Sub(m.t); d <= autoGap && d >= -autoGap {
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

// Rules of inference, for the releases whose API logged no request body
// at INFO and whose compute manager logged nothing of a stop, a start or
// a suspend (Havana): there an action request can still be told from
// what compute did to the instance soon after, when that is unambiguous.
// They read only events in Havana's form ("Lifecycle event 1 on VM …").
const (
	// RuleManagedSave: libvirt's managed save, which is how nova
	// suspends, pauses the guest and then stops it, a second or two
	// apart.
	RuleManagedSave = "suspend-managed-save"
	// RuleStopDestroyed: a stop powers the guest off: Stopped, and
	// "Instance destroyed successfully" with no deletion around it.
	RuleStopDestroyed = "stop-destroyed"
	// RuleStartHardReboot: a start takes the hard-reboot path (destroy,
	// then create): Started and "Instance rebooted successfully." with no
	// "Rebooting instance", which a user's reboot logs.
	RuleStartHardReboot = "start-hard-reboot"
)

// managedSaveGap is how far apart the Paused and the Stopped of a
// managed save may be.
const managedSaveGap = 3 * time.Second

// byInference resolves a server action that neither its request's lines
// nor byLifecycle named, by the rules above. Each rule wants exactly its
// events in the window (after setting aside the automatic ones, as
// byLifecycle does, but keeping those near a destroy, which the stop and
// start rules read) and its lines, and none of the lines that would make
// it something else; anything else resolves nothing. It returns the
// action, the rule, and the events and lines used.
func (e *Extractor) byInference(p *pending) (act, rule string, evs []*lifeRef, marks []*markRef) {
	ii := e.insts[p.a.Resource]
	if ii == nil {
		return "", "", nil, nil
	}
	from, to := p.start.Add(-skew), e.windowEnd(p)
	for i := range ii.events {
		ev := &ii.events[i]
		if ev.used || ev.t.Before(from) || ev.t.After(to) || e.automaticBut(ii, ev, markDestroyed) {
			continue
		}
		if !ev.havana {
			// Later releases log their power actions by name
			// ("Suspending", "Going to try to stop instance"), so
			// what is left unnamed there is not these rules' to
			// read: a migration's source also shows Paused, then
			// Stopped, and a grep of lifecycle lines alone would
			// not show the migration.
			return "", "", nil, nil
		}
		evs = append(evs, ev)
	}
	var destroyed, rebooted *markRef
	for i := range ii.marks {
		m := &ii.marks[i]
		if m.t.Before(from) || m.t.After(to) {
			continue
		}
		switch m.kind {
		case markDelete, markShutdown, markRebooting:
			return "", "", nil, nil // a deletion, sync_power_state's stop, a user's reboot: none of these rules
		case markDestroyed:
			if destroyed == nil {
				destroyed = m
			}
		case markRebooted:
			if rebooted == nil {
				rebooted = m
			}
		}
	}
	near := func(ev *lifeRef, m *markRef) bool {
		d := ev.t.Sub(m.t)
		return d <= autoGap && d >= -autoGap
	}
	switch {
	case len(evs) == 2 && evs[0].ev == lifePaused && evs[1].ev == lifeStopped && destroyed == nil && rebooted == nil:
		if d := evs[1].t.Sub(evs[0].t); d >= 0 && d <= managedSaveGap {
			return "suspend", RuleManagedSave, evs, nil
		}
	case len(evs) == 1 && evs[0].ev == lifeStopped && destroyed != nil && rebooted == nil && near(evs[0], destroyed):
		return "stop", RuleStopDestroyed, evs, []*markRef{destroyed}
	case len(evs) == 1 && evs[0].ev == lifeStarted && rebooted != nil && near(evs[0], rebooted):
		used := []*markRef{rebooted}
		if destroyed != nil {
			used = []*markRef{destroyed, rebooted}
		}
		return "start", RuleStartHardReboot, evs, used
	}
	return "", "", nil, nil
}
