package extract

import (
	"slices"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// Caps on what one request or one instance may hold, so that a pathological
// log (a request id on every line, an instance in an endless loop) cannot
// grow the state.
const (
	maxRequestInstances = 8  // instances a create request may make (min_count)
	maxInstanceEvents   = 32 // recent lifecycle events per instance
	maxInstanceMarks    = 32 // recent automatic-activity lines per instance
	maxInstanceActs     = 16 // recent resolved actions per instance
)

// Timing of the lifecycle correlation.
const (
	// skew is how far apart in time two hosts' logs may be: a lifecycle
	// event this long before the request began may still be its own.
	skew = 2 * time.Second
	// autoGap is how close to a line showing automatic activity (a boot,
	// a migration, a deletion) a lifecycle event must be to count as
	// automatic.
	autoGap = 10 * time.Second
	// stateTTL is how long an instance's last known power state is kept
	// after its last line, to tell an unpause from a resume.
	stateTTL = time.Hour
)

// Extractor turns log records and audit lines into [action.Action] values.
// Feed it records in time order across sources (small disorder within the
// window is fine); it holds each action until Window of log time has
// passed after it, so that the lines that resolve it have been seen, and
// then passes it to emit. It is not safe for concurrent use.
//
// Its memory holds only what the window needs: actions waiting, the
// evidence lines of recent requests, and the recent lifecycle events of
// recent instances; all expire with the log's clock.
type Extractor struct {
	opts Options
	mode *mode
	emit func(action.Action) error
	err  error

	clock time.Time // the latest log time seen
	swept time.Time // clock at the last sweep of expired state

	pending  []*pending // by Time
	sending  *pending   // a request whose actions are being emitted, not all out yet
	reqs     map[string]*reqInfo
	insts    map[string]*instInfo
	pos      map[string]input.Position // read position per source
	names    map[string]string         // source names, interned: a record's strings hold its whole line
	stats    Stats
	jsonVals [][]byte // AddJSON's values, reused
}

// pending is an action waiting for its window to pass.
type pending struct {
	a     action.Action
	kind  reqKind
	start time.Time // when the request began: its access line's time less its duration
	refs  []ref     // the lines used so far, the access line first
	req   *reqInfo
}

// ref is one line used as evidence, with where it starts for checkpoints.
type ref struct {
	src  string
	line int64
	off  int64 // offset of the record's first byte; -1 when unknown
	role string
	rule string // the inference rule that read the line, if one did
}

func (r ref) evidence() action.Evidence {
	return action.Evidence{Source: r.src, Line: r.line, Role: r.role, Rule: r.rule}
}

// reqInfo is what the lines of one request id said.
type reqInfo struct {
	last     time.Time
	named    [prioOther + 1]*namedRef // the first line of each priority naming an action
	insts    []instRef                // instances its lines were about, in order
	pend     []*pending               // actions of this request still waiting
	accessed bool                     // an access line of it was seen
}

type namedRef struct {
	act string
	api string // the body key the line showed, when it differs from act
	ref ref
}

type instRef struct {
	id  string
	ref ref
}

// instInfo is what recent lines said about one instance.
type instInfo struct {
	last   time.Time
	events []lifeRef
	marks  []markRef
	acts   []actRef
}

type lifeRef struct {
	t      time.Time
	ev     string
	ref    ref
	used   bool
	debug  bool // read from the virt driver's DEBUG "Emitting event <LifecycleEvent: …>"
	havana bool // read from Havana's "Lifecycle event <n> on VM <uuid>"
}

// markRef is a compute line about an instance that the lifecycle rules
// read (see markKind).
type markRef struct {
	t    time.Time
	kind markKind
	ref  ref
}

// actRef is an action already resolved on an instance, and the span of
// log time whose lifecycle events it explains.
type actRef struct {
	from, to time.Time
	act      string
}

// New returns an Extractor that passes each action to emit. An error from
// emit stops the extractor: every later call returns it. So does an
// unknown Options.Mode, from the first call.
func New(opts Options, emit func(action.Action) error) *Extractor {
	m, err := modeOf(opts.Mode)
	if err != nil {
		m = &modes[0] // unused: every call returns err
	}
	return &Extractor{
		mode:  m,
		err:   err,
		opts:  opts.withDefaults(),
		emit:  emit,
		reqs:  make(map[string]*reqInfo),
		insts: make(map[string]*instInfo),
		pos:   make(map[string]input.Position),
		names: make(map[string]string),
		stats: Stats{Actions: make(map[string]int64)},
	}
}

// Stats returns the counts so far. Its maps are the extractor's own; copy
// them to keep them past the next call.
func (e *Extractor) Stats() Stats { return e.stats }

// AddRecord adds one text log record whose position in its source is not
// known (tests, or records from elsewhere); see [Extractor.AddRecordAt].
func (e *Extractor) AddRecord(r oslolog.Record) error {
	return e.AddRecordAt(&r, -1, input.Position{})
}

// AddRecordAt adds one text log record; start is the offset of its first
// byte in its source, end the position after its last line (for
// [Extractor.Checkpoint]). The record is not kept: the extractor copies
// what it needs.
func (e *Extractor) AddRecordAt(r *oslolog.Record, start int64, end input.Position) error {
	if e.err != nil {
		return e.err
	}
	e.stats.Records++
	src := r.File
	if src == "" {
		src = r.Source
	}
	src = e.intern(src)
	if end.Line > 0 {
		e.pos[src] = end
	}
	e.tick(r.Time)
	rf := ref{src: src, line: r.Line, off: start}
	if e.isAccess(r) {
		if acc, ok := ParseAccess(r.Message); ok {
			req, ok := e.classify(acc.Method, acc.Path)
			if ok {
				e.addAccess(r.Time, req, acc, r.Context, rf, "")
			}
			return e.finalizeDue()
		}
	}
	if e.mode.Name == action.ModeVM {
		// A service run with a locale logs nova's messages translated:
		// the recognisers read them in English.
		msg, _ := Untranslate(r.Message)
		if r.Context.RequestID != "" {
			e.requestLine(r, msg, rf)
		}
		ev, inst := LifecycleLine(msg)
		if inst == "" {
			inst = r.Instance
		}
		if inst != "" {
			e.instanceLine(r, msg, inst, ev, rf)
		}
	}
	return e.finalizeDue()
}

// Advance tells the extractor that source was read up to end, through
// lines it was not given (the fast path of [Run] skips most records
// unparsed), and that their log time reached t (zero when unknown).
func (e *Extractor) Advance(source string, end input.Position, t time.Time) error {
	if e.err != nil {
		return e.err
	}
	if end.Line > 0 {
		e.pos[e.intern(source)] = end
	}
	e.tick(t)
	return e.finalizeDue()
}

// intern returns a copy of name that the extractor keeps, the same for
// every record of a source, so that keeping a name does not keep the line
// it was cut from.
func (e *Extractor) intern(name string) string {
	if n, ok := e.names[name]; ok {
		return n
	}
	n := strings.Clone(name)
	e.names[n] = n
	return n
}

func (e *Extractor) tick(t time.Time) {
	if t.After(e.clock) {
		e.clock = t
	}
}

// isAccess reports whether a record is an API access line of this mode's
// service: an INFO line of its WSGI server logger.
func (e *Extractor) isAccess(r *oslolog.Record) bool {
	if r.Level != "INFO" {
		return false
	}
	return e.mode.access(r.Logger)
}

// classify reads a request's method and path in the extractor's mode.
func (e *Extractor) classify(method, path string) (Request, bool) {
	r, ok := e.mode.classify(method, path)
	if ok && r.Action == "delete" && !e.opts.IncludeDelete {
		return r, false
	}
	return r, ok
}

// addAccess starts an action from an access line (or one of our JSON
// lines, whose action, when it names one, is named).
func (e *Extractor) addAccess(t time.Time, req Request, acc Access, ctx oslolog.Context, rf ref, service string) {
	if service == "" {
		service = e.mode.Service
	}
	if rf.role == "" {
		rf.role = "access"
	}
	p := &pending{kind: req.kind, refs: []ref{rf}}
	// The strings are cut from the line; copies keep only themselves.
	p.a = action.Action{
		Time:         t,
		Mode:         e.mode.Name,
		Action:       strings.Clone(req.Action),
		APIAction:    strings.Clone(req.APIAction),
		ResourceType: req.ResourceType,
		Resource:     strings.Clone(req.Resource),
		UserID:       strings.Clone(ctx.User),
		ProjectID:    strings.Clone(ctx.Project),
		RequestID:    strings.Clone(ctx.RequestID),
		Service:      strings.Clone(service),
		Method:       strings.Clone(acc.Method),
		Path:         maskedPath(acc.Path),
		Status:       acc.Status,
		Outcome:      outcome(acc.Status),
		DurationMS:   acc.DurationMS,
		Match:        action.MatchAPI,
	}
	if p.a.ProjectID == "" {
		p.a.ProjectID = strings.Clone(req.Project)
	}
	p.start = t.Add(-time.Duration(acc.DurationMS * float64(time.Millisecond)))
	if id := ctx.RequestID; id != "" {
		info := e.reqs[id]
		if info == nil {
			info = &reqInfo{last: t}
			e.reqs[p.a.RequestID] = info
		}
		info.accessed = true
		info.pend = append(info.pend, p)
		p.req = info
	}
	// Keep pending in time order; lines from several files arrive nearly
	// sorted, so the place is at or near the end.
	i := len(e.pending)
	for i > 0 && e.pending[i-1].a.Time.After(t) {
		i--
	}
	e.pending = slices.Insert(e.pending, i, p)
}

// requestLine keeps what a line of a request says about it, for the access
// line that has come or is still to come.
func (e *Extractor) requestLine(r *oslolog.Record, msg string, rf ref) {
	var act, api, role string
	var prio int
	if strings.HasPrefix(msg, "Action: 'action'") || strings.Contains(msg, "bound method ") || strings.Contains(msg, "<function ") {
		if key := DebugKey(msg, r.Extra); key != "" {
			act, api = ServerAction(key), apiAction(key)
			prio, role = prioDebug, "debug"
		}
	}
	if act == "" {
		act, prio, role = RequestMessage(msg)
	}
	if act == "" && r.Instance == "" {
		return
	}
	id := r.Context.RequestID
	info := e.reqs[id]
	if info == nil {
		info = &reqInfo{}
		e.reqs[strings.Clone(id)] = info
	}
	info.last = maxTime(info.last, r.Time)
	if act != "" && info.named[prio] == nil {
		rf.role = role
		info.named[prio] = &namedRef{act: act, api: strings.Clone(api), ref: rf}
	}
	if r.Instance != "" && len(info.insts) < maxRequestInstances {
		for _, in := range info.insts {
			if in.id == r.Instance {
				return
			}
		}
		rf.role = "instance"
		info.insts = append(info.insts, instRef{id: strings.Clone(r.Instance), ref: rf})
	}
}

// instanceLine keeps lifecycle events and the compute lines the lifecycle
// rules read (markKind) about instance inst; msg is the record's message
// in English and ev the lifecycle event it reports, if any.
func (e *Extractor) instanceLine(r *oslolog.Record, msg, inst, ev string, rf ref) {
	mark := markNone
	if ev == "" {
		if mark = markOf(msg); mark == markNone {
			return
		}
	}
	ii := e.insts[inst]
	if ii == nil {
		ii = &instInfo{}
		e.insts[strings.Clone(inst)] = ii
	}
	ii.last = maxTime(ii.last, r.Time)
	if ev != "" {
		rf.role = "lifecycle"
		debug := !strings.HasPrefix(msg, "VM ") && !strings.HasPrefix(msg, "Lifecycle event ")
		if e.sameEvent(ii, ev, debug, r.Time, rf) {
			return
		}
		if len(ii.events) >= maxInstanceEvents {
			ii.events = slices.Delete(ii.events, 0, 1)
		}
		havana := strings.HasPrefix(msg, "Lifecycle event ")
		ii.events = append(ii.events, lifeRef{t: r.Time, ev: ev, ref: rf, debug: debug, havana: havana})
		return
	}
	if len(ii.marks) >= maxInstanceMarks {
		ii.marks = slices.Delete(ii.marks, 0, 1)
	}
	rf.role = "compute"
	ii.marks = append(ii.marks, markRef{t: r.Time, kind: mark, ref: rf})
}

// sameEvent reports whether an event is one already kept, seen in its
// other form: the virt driver logs "Emitting event <LifecycleEvent: …>" at
// DEBUG and the compute manager "VM … (Lifecycle Event)" at INFO for the
// same event, milliseconds apart. The INFO line is the one kept as
// evidence, whichever came first.
func (e *Extractor) sameEvent(ii *instInfo, ev string, debug bool, t time.Time, rf ref) bool {
	for i := len(ii.events) - 1; i >= 0; i-- {
		old := &ii.events[i]
		if d := t.Sub(old.t); d > skew || d < -skew {
			break
		}
		if old.ev != ev || old.debug == debug {
			continue
		}
		if old.debug && !old.used {
			old.t, old.ref, old.debug = t, rf, false
		}
		return true
	}
	return false
}

// finalizeDue emits the actions whose window has passed.
func (e *Extractor) finalizeDue() error {
	for len(e.pending) > 0 && e.clock.Sub(e.pending[0].a.Time) > e.opts.Window {
		if err := e.finalizeFirst(); err != nil {
			return err
		}
	}
	if e.clock.Sub(e.swept) > e.opts.Window/4 {
		e.sweep()
	}
	return nil
}

// Flush emits the actions still waiting when final is set, resolving each
// with what has been seen. Without final (an incremental run pausing at
// the end of its input) it emits only those whose window has passed; the
// rest are left for the next run, which rereads them from
// [Extractor.Checkpoint].
func (e *Extractor) Flush(final bool) error {
	if e.err != nil {
		return e.err
	}
	if !final {
		if e.opts.Now != nil {
			// Nothing later than now will come: windows that have passed
			// by the clock on the wall are closed.
			e.tick(e.opts.Now())
		}
		err := e.finalizeDue()
		e.stats.Held = int64(len(e.pending))
		return err
	}
	for len(e.pending) > 0 {
		if err := e.finalizeFirst(); err != nil {
			return err
		}
	}
	e.sweep()
	return nil
}

// finalizeFirst resolves and emits the oldest waiting action.
func (e *Extractor) finalizeFirst() error {
	p := e.pending[0]
	e.pending[0] = nil
	e.pending = e.pending[1:]
	if len(e.pending) == 0 {
		e.pending = nil // let the array go
	}
	if p.req != nil {
		if i := slices.Index(p.req.pend, p); i >= 0 {
			p.req.pend = slices.Delete(p.req.pend, i, i+1)
		}
	}
	out := e.resolve(p)
	for i := range out {
		// Until the last of a request's actions is out, its lines are not
		// all handled.
		e.sending = nil
		if i < len(out)-1 {
			e.sending = p
		}
		if err := e.send(&out[i]); err != nil {
			return err
		}
	}
	e.sending = nil
	return nil
}

// resolve settles an action with the evidence seen: see the package
// documentation for the order.
func (e *Extractor) resolve(p *pending) []action.Action {
	a := p.a
	info := p.req
	switch p.kind {
	case kindCreate:
		if info != nil && len(info.insts) > 0 {
			out := make([]action.Action, 0, len(info.insts))
			for _, in := range info.insts {
				c := a
				c.Resource = in.id
				c.Evidence = evidence(append(p.refs[:len(p.refs):len(p.refs)], in.ref))
				e.remember(&c, p)
				out = append(out, c)
			}
			return out
		}
	case kindServerAction:
		a.Action, a.Match = action.Unknown, action.MatchUnresolved
		if info != nil {
			for prio := prioDebug; prio <= prioOther; prio++ {
				if n := info.named[prio]; n != nil {
					a.Action, a.APIAction, a.Match = n.act, n.api, action.MatchRequestID
					p.refs = append(p.refs, n.ref)
					break
				}
			}
		}
		if a.Match == action.MatchUnresolved && a.Outcome == "success" {
			if act, evs := e.byLifecycle(p); act != "" {
				a.Action, a.Match = act, action.MatchTimeWindow
				for _, ev := range evs {
					ev.used = true
					p.refs = append(p.refs, ev.ref)
				}
			} else if act, rule, evs, marks := e.byInference(p); act != "" {
				a.Action, a.Match, a.Rule = act, action.MatchInferred, rule
				refs := make([]ref, 0, len(evs)+len(marks))
				for _, ev := range evs {
					ev.used = true
					refs = append(refs, ev.ref)
				}
				for _, m := range marks {
					refs = append(refs, m.ref)
				}
				for _, r := range refs {
					r.rule = rule
					p.refs = append(p.refs, r)
				}
			}
		}
	}
	a.Evidence = evidence(p.refs)
	e.remember(&a, p)
	return []action.Action{a}
}

func evidence(refs []ref) []action.Evidence {
	ev := make([]action.Evidence, len(refs))
	for i, r := range refs {
		ev[i] = r.evidence()
	}
	return ev
}

// remember notes a resolved VM action on its instance, so that the
// lifecycle events it explains are not taken for another request's.
func (e *Extractor) remember(a *action.Action, p *pending) {
	if e.mode.Name != action.ModeVM || a.Resource == "" || a.Outcome == "failure" {
		return
	}
	ii := e.insts[a.Resource]
	if ii == nil {
		ii = &instInfo{}
		e.insts[a.Resource] = ii
	}
	ii.last = maxTime(ii.last, a.Time)
	if len(ii.acts) >= maxInstanceActs {
		ii.acts = slices.Delete(ii.acts, 0, 1)
	}
	ii.acts = append(ii.acts, actRef{from: p.start.Add(-skew), to: e.windowEnd(p), act: a.Action})
}

func (e *Extractor) send(a *action.Action) error {
	if err := e.emit(*a); err != nil {
		e.err = err
		return err
	}
	e.stats.Emitted++
	e.stats.Actions[a.Action]++
	if a.Action == action.Unknown {
		e.stats.Unresolved++
	}
	return nil
}

// sweep drops the state the window no longer needs.
func (e *Extractor) sweep() {
	e.swept = e.clock
	reqHorizon := e.clock.Add(-e.opts.Window)
	for id, info := range e.reqs {
		if len(info.pend) == 0 && info.last.Before(reqHorizon) {
			delete(e.reqs, id)
		}
	}
	keep := e.clock.Add(-3 * e.opts.Window)
	stateHorizon := e.clock.Add(-max(stateTTL, 3*e.opts.Window))
	for id, ii := range e.insts {
		if ii.last.Before(stateHorizon) {
			delete(e.insts, id)
			continue
		}
		// Keep the last event whatever its age: it is the power state.
		if n := len(ii.events); n > 1 {
			i := 0
			for i < n-1 && ii.events[i].t.Before(keep) {
				i++
			}
			ii.events = slices.Delete(ii.events, 0, i)
		}
		i := 0
		for i < len(ii.marks) && ii.marks[i].t.Before(keep) {
			i++
		}
		ii.marks = slices.Delete(ii.marks, 0, i)
		if n := len(ii.acts); n > 1 {
			i := 0
			for i < n-1 && ii.acts[i].to.Before(keep) {
				i++
			}
			ii.acts = slices.Delete(ii.acts, 0, i)
		}
	}
}

// Checkpoint returns, per source, the position up to which every line has
// been fully handled: no action still waiting used a line before it (nor
// may use one: the lifecycle events in its window count, and so do the
// DEBUG lines of a request whose access line is still to come). An
// incremental run saves it once every action emitted so far is safely
// stored. It may be called from inside emit, where it counts the action
// being emitted, and those before it, as done: a command that writes
// batches takes it in emit when a batch fills, and saves it once that
// batch is written. Sources given only through [Extractor.AddRecord], and
// inputs not read from yet, have no position and are left out.
//
// An action already emitted whose access line lies after the checkpoint
// of its file (one that ended while an earlier request was still running)
// is read and emitted again by the next run; stores drop the repeat by
// their unique key.
func (e *Extractor) Checkpoint() map[string]input.Position {
	cp := make(map[string]input.Position, len(e.pos))
	for src, p := range e.pos {
		cp[src] = p
	}
	hold := func(r ref) {
		if r.off < 0 {
			return
		}
		if p, ok := cp[r.src]; ok && r.off < p.Offset {
			cp[r.src] = input.Position{Offset: r.off, Line: r.line - 1}
		}
	}
	holdAll := func(p *pending) {
		for _, r := range p.refs {
			hold(r)
		}
		if info := p.req; info != nil {
			for _, n := range info.named {
				if n != nil {
					hold(n.ref)
				}
			}
			for _, in := range info.insts {
				hold(in.ref)
			}
		}
		if p.kind == kindServerAction {
			if ii := e.insts[p.a.Resource]; ii != nil {
				from := p.start.Add(-skew)
				for _, ev := range ii.events {
					if !ev.t.Before(from) {
						hold(ev.ref)
					}
				}
			}
		}
	}
	if e.sending != nil {
		holdAll(e.sending)
	}
	for _, p := range e.pending {
		holdAll(p)
	}
	// A request whose DEBUG line was read but whose access line was not
	// yet written when the input ended.
	horizon := e.clock.Add(-e.opts.Window)
	for _, info := range e.reqs {
		if !info.accessed && !info.last.Before(horizon) {
			if n := info.named[prioDebug]; n != nil {
				hold(n.ref)
			}
		}
	}
	return cp
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
