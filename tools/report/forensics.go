package report

import (
	"cmp"
	"fmt"
	"strconv"
	"time"
	"unsafe"

	"github.com/auditlog-go/auditlog/tools/logline"
)

// forensics answers Sally Systems after an outage, for the window
// Around ± Window: what failed, who was affected, the 401s and 403s by
// user and address; and over the whole input, resources created and never
// deleted, requests started and never finished, and instances whose last
// lifecycle state is an error ("crashed instances").
//
// A request is finished when a served line of its request id is read
// (ours, a lifecycle record, an access line); it is listed as never
// finished only when its first line came from a service that writes
// served lines at all, since the lines a compute host logs for the API's
// request never finish there. An instance's state is its last lifecycle
// record, or an ERROR line that names it ("[instance: …]", target.id),
// whichever is later; it is in error when that record failed or is an
// ERROR line.
type forensics struct {
	o        Options
	sp       span
	from, to int64

	failed   *Counts[failGroup]
	affected *Counts[affected]
	denied   *Counts[denied]
	created  *Counts[created]
	reqs     *Counts[reqState]
	servers  *Counts[serverState]
	serving  map[string]bool // services that write served lines
	nFailed  int64
}

type failGroup struct {
	service, what string
	n             int64
	first, last   int64
	sample        string
}

type affected struct {
	user, project string
	failed, total int64
}

type denied struct {
	user, addr string
	status     int
	n          int64
	last       int64
}

type created struct {
	typ, id, user, req, action string
	t                          int64
}

type reqState struct {
	service, user string
	first         int64
	done          bool
}

type serverState struct {
	t     int64
	state string
	err   bool
	req   string
}

const maxTracked = 30000

// maxSmall bounds the tables of the window: failures and denials by key.
const maxSmall = 5000

func newForensics(o Options) *forensics {
	w := o.Window
	if w <= 0 {
		w = time.Hour
	}
	at := o.Around.UnixMicro()
	return &forensics{
		o: o, from: at - w.Microseconds(), to: at + w.Microseconds(),
		failed:   NewCounts(maxSmall, func(g *failGroup) float64 { return float64(g.n) }),
		affected: NewCounts(maxTracked, func(a *affected) float64 { return float64(a.failed) }),
		denied:   NewCounts(maxSmall, func(d *denied) float64 { return float64(d.n) }),
		created:  NewCounts(maxTracked, func(c *created) float64 { return float64(c.t) }),
		reqs: NewCounts(maxTracked, func(r *reqState) float64 {
			if r.done {
				return 0
			}
			return 1
		}),
		servers: NewCounts(maxTracked, func(s *serverState) float64 {
			if s.err {
				return 1
			}
			return 0
		}),
		serving: map[string]bool{},
	}
}

func (f *forensics) Add(r *Record) {
	f.sp.add(r.Time)
	served := r.IsServed()
	if served && !f.serving[r.Service] {
		f.serving[keep(r.Service)] = true
	}
	if r.RequestID != "" {
		s := f.reqs.Lookup(r.RequestID)
		if s == nil {
			s = f.reqs.Get(r.RequestID)
			s.service, s.user, s.first = keep(r.Service), keep(r.UserID), r.Time
		}
		if served {
			s.done = true
		}
	}
	f.lifecycle(r)
	if r.Time < f.from || r.Time > f.to {
		return
	}
	var kb [200]byte
	if r.Failed() || r.IsException() {
		f.nFailed++
		what := r.ExcType
		switch {
		case what != "":
		case r.HasStatus && served:
			what = "status " + strconv.Itoa(r.Status)
		case r.Outcome == "failure":
			what = r.Kind + " failure"
		default:
			what = levelName(r.Level) + " " + r.Kind
		}
		key := append(append(append(kb[:0], r.Service...), 0), what...)
		g := f.failed.Get(unsafe.String(&key[0], len(key)))
		if g.n == 0 {
			g.service, g.what, g.first = keep(r.Service), keep(what), r.Time
		}
		g.n++
		g.first, g.last = min(g.first, r.Time), max(g.last, r.Time)
		if g.sample == "" {
			g.sample = keep(r.RequestID)
		}
	}
	if served && r.UserID != "" {
		a := f.affected.Get(r.UserID)
		if a.user == "" {
			a.user, a.project = keep(r.UserID), keep(r.Project)
		}
		a.total++
		if r.Failed() {
			a.failed++
		}
	}
	if served && r.HasStatus && (r.Status == 401 || r.Status == 403) && r.System != "grpc" {
		addr := r.RemoteAddr
		if h, _, ok := cutPort(addr); ok {
			addr = h
		}
		key := append(append(append(append(append(kb[:0], r.UserID...), 0), addr...), 0), byte(r.Status-400))
		d := f.denied.Get(unsafe.String(&key[0], len(key)))
		if d.n == 0 {
			d.user, d.addr, d.status = keep(r.UserID), keep(addr), r.Status
		}
		d.n++
		d.last = max(d.last, r.Time)
	}
}

// cutPort drops the port of host:port (and [v6]:port).
func cutPort(a string) (string, string, bool) {
	for i := len(a) - 1; i >= 0; i-- {
		switch a[i] {
		case ':':
			if a[0] == '[' && i > 0 && a[i-1] == ']' {
				return a[1 : i-1], a[i+1:], true
			}
			for j := 0; j < i; j++ {
				if a[j] == ':' {
					return a, "", false // a bare IPv6 address
				}
			}
			return a[:i], a[i+1:], true
		case '.', ']':
			if a[i] == ']' {
				return a, "", false
			}
		}
	}
	return a, "", false
}

func (f *forensics) lifecycle(r *Record) {
	if r.TargetID == "" || r.Time == 0 {
		return
	}
	served := r.IsServed() || r.Kind == "lifecycle"
	if served && !r.Failed() {
		switch r.Action {
		case "create":
			var kb [200]byte
			key := append(append(append(kb[:0], r.TargetType...), 0), r.TargetID...)
			c := f.created.Get(unsafe.String(&key[0], len(key)))
			if c.id == "" {
				c.typ, c.id, c.user, c.req, c.t, c.action = keep(r.TargetType), keep(r.TargetID), keep(r.UserID), keep(r.RequestID), r.Time, "create"
			}
		case "delete", "force-delete":
			var kb [200]byte
			key := append(append(append(kb[:0], r.TargetType...), 0), r.TargetID...)
			f.created.Delete(unsafe.String(&key[0], len(key)))
		}
	}
	if r.TargetType != "server" && r.TargetType != "" {
		return
	}
	isErr := r.Level >= logline.RankError
	if r.Kind != "lifecycle" && !isErr {
		return
	}
	s := f.servers.Get(r.TargetID)
	if r.Time < s.t {
		return
	}
	s.t = r.Time
	s.err = isErr || r.Outcome == "failure"
	st := r.Action
	if r.Kind != "lifecycle" || st == "" {
		st = clip(r.Msg(), 120)
	}
	s.state, s.req = keep(st), keep(r.RequestID)
}

func levelName(rank int) string {
	name, _, _ := logline.ParseLevel(strconv.Itoa(rank))
	return name
}

func (f *forensics) Report() *Report {
	rep := &Report{Name: "forensics", Title: fmt.Sprintf("Forensics around %s (± %s)", f.o.Around.UTC().Format(time.RFC3339), time.Duration(f.to-f.from)*time.Microsecond/2)}
	f.sp.fill(rep)
	top := f.o.top()
	failed := &Section{ID: "failed", Title: "What failed in the window", Columns: cols("service", "what", "#count", "first", "last", "request_id")}
	for _, e := range f.failed.Sorted(func(a, b *failGroup) int { return cmp.Compare(b.n, a.n) }) {
		failed.Rows = append(failed.Rows, []any{e.V.service, e.V.what, e.V.n, micro(e.V.first), micro(e.V.last), e.V.sample})
	}
	failed.cut(top * 2)

	aff := &Section{ID: "affected", Title: "Who was affected: users with failed requests in the window", Columns: cols("user", "project", "#failed", "#requests")}
	for _, e := range f.affected.Sorted(func(a, b *affected) int { return cmp.Compare(b.failed, a.failed) }) {
		if e.V.failed == 0 {
			break
		}
		aff.Rows = append(aff.Rows, []any{e.V.user, e.V.project, e.V.failed, e.V.total})
	}
	aff.cut(top * 2)

	den := &Section{ID: "denied", Title: "401 and 403 by user and address in the window", Columns: cols("user", "address", "#status", "#count", "last")}
	for _, e := range f.denied.Sorted(func(a, b *denied) int { return cmp.Compare(b.n, a.n) }) {
		den.Rows = append(den.Rows, []any{e.V.user, e.V.addr, int64(e.V.status), e.V.n, micro(e.V.last)})
	}
	den.cut(top * 2)

	cr := &Section{ID: "never-deleted", Title: "Resources created and never deleted (whole input)", Columns: cols("type", "id", "created", "user", "request_id")}
	for _, e := range f.created.Sorted(func(a, b *created) int { return cmp.Compare(a.t, b.t) }) {
		cr.Rows = append(cr.Rows, []any{e.V.typ, e.V.id, micro(e.V.t), e.V.user, e.V.req})
	}
	cr.cut(top * 5)

	nf := &Section{ID: "unfinished", Title: "Requests started and never finished (whole input; services that write served lines)", Columns: cols("request_id", "service", "user", "started", "in_window")}
	for _, e := range f.reqs.Sorted(func(a, b *reqState) int { return cmp.Compare(a.first, b.first) }) {
		if e.V.done || !f.serving[e.V.service] {
			continue
		}
		in := ""
		if e.V.first >= f.from && e.V.first <= f.to {
			in = "yes"
		}
		nf.Rows = append(nf.Rows, []any{e.Key, e.V.service, e.V.user, micro(e.V.first), in})
	}
	nf.cut(top * 5)

	crash := &Section{ID: "crashed", Title: "Instances whose last lifecycle state is an error", Columns: cols("instance", "time", "state", "request_id")}
	for _, e := range f.servers.Sorted(func(a, b *serverState) int { return cmp.Compare(b.t, a.t) }) {
		if !e.V.err {
			continue
		}
		crash.Rows = append(crash.Rows, []any{e.Key, micro(e.V.t), e.V.state, e.V.req})
	}
	crash.cut(top * 5)
	for _, c := range []*Counts[created]{f.created} {
		if !c.Exact() {
			rep.Notes = append(rep.Notes, fmt.Sprintf("more than %d resources tracked: the oldest creations were dropped", maxTracked))
		}
	}
	if !f.reqs.Exact() {
		rep.Notes = append(rep.Notes, fmt.Sprintf("more than %d requests tracked: finished ones were forgotten first, and some unfinished ones may be missing", maxTracked))
	}
	rep.Sections = append(rep.Sections, failed, aff, den, cr, nf, crash)
	return rep
}
