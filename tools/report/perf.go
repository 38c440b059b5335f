package report

import (
	"cmp"
	"container/heap"
	"fmt"
	"strings"
	"time"
	"unsafe"
)

// perf answers "slow queries": p50, p90, p99 and the maximum of the
// durations of served requests by route, of outbound calls by RPC method,
// and of database calls by SQL statement; the slowest calls with their
// request ids; and the percentiles of served requests over time.
type perf struct {
	o      Options
	sp     span
	groups *Counts[perfGroup]
	slow   slowest
	over   *Series[Quantiles]
}

type perfGroup struct {
	kind, name string
	q          Quantiles
	failed     int64
}

// Kinds of perf group, as the table names them.
const (
	groupRoute = "route"
	groupRPC   = "rpc"
	groupSQL   = "sql"
)

const maxPerfGroups = 2000

func newPerf(o Options) *perf {
	return &perf{
		o:      o,
		groups: NewCounts(maxPerfGroups, func(g *perfGroup) float64 { return float64(g.q.Count) }),
		over:   NewSeries(time.Minute, func(d, s *Quantiles) { d.Merge(s) }).Limit(720),
		slow:   slowest{n: o.top()},
	}

}

// group names the record's group: kind and name, or "" when it has none.
func group(r *Record, buf []byte) (kind string, name []byte) {
	switch {
	case r.IsServed():
		route := r.Route
		if route == "" {
			return "", nil
		}
		b := append(buf, r.Service...)
		b = append(b, ' ')
		if r.Method != "" && r.System != "grpc" {
			b = append(b, r.Method...)
			b = append(b, ' ')
		}
		return groupRoute, append(b, route...)
	case r.Kind == "rpc":
		b := append(buf, r.Service...)
		b = append(b, " → "...)
		if r.RPCSvc != "" {
			b = append(append(b, r.RPCSvc...), '/')
		}
		b = append(b, r.Method...)
		if r.Route != "" {
			b = append(append(b, ' '), r.Route...)
		}
		return groupRPC, b
	case r.Kind == "db":
		if r.Statement != "" {
			return groupSQL, append(buf, clip(r.Statement, 200)...)
		}
		return groupSQL, append(buf, r.Method...)
	}
	return "", nil
}

func (p *perf) Add(r *Record) {
	p.sp.add(r.Time)
	if !r.HasDuration {
		return
	}
	var nb [256]byte
	kind, name := group(r, nb[:0])
	if kind == "" {
		return
	}
	var kb [300]byte
	key := append(append(append(kb[:0], kind...), 0), name...)
	g := p.groups.Get(unsafe.String(&key[0], len(key)))
	if g.kind == "" {
		g.kind, g.name = kind, string(name)
	}
	g.q.Add(r.DurationMS)
	if r.Failed() {
		g.failed++
	}
	if kind == groupRoute && r.Time != 0 {
		p.over.At(r.Time).Add(r.DurationMS)
	}
	p.slow.add(r, kind, name)
}

// slowest keeps the n slowest calls: a min-heap on duration.
type slowest struct {
	n     int
	calls []slowCall
}

type slowCall struct {
	ms                       float64
	t                        int64
	kind, name, req, service string
	user                     string
}

func (s *slowest) Len() int           { return len(s.calls) }
func (s *slowest) Less(i, j int) bool { return s.calls[i].ms < s.calls[j].ms }
func (s *slowest) Swap(i, j int)      { s.calls[i], s.calls[j] = s.calls[j], s.calls[i] }
func (s *slowest) Push(x any)         { s.calls = append(s.calls, x.(slowCall)) }
func (s *slowest) Pop() any {
	x := s.calls[len(s.calls)-1]
	s.calls = s.calls[:len(s.calls)-1]
	return x
}

func (s *slowest) add(r *Record, kind string, name []byte) {
	if len(s.calls) >= s.n && r.DurationMS <= s.calls[0].ms {
		return
	}
	c := slowCall{ms: r.DurationMS, t: r.Time, kind: kind, name: string(name), req: keep(r.RequestID), service: keep(r.Service), user: keep(r.UserID)}
	if len(s.calls) < s.n {
		heap.Push(s, c)
		return
	}
	s.calls[0] = c
	heap.Fix(s, 0)
}

func (p *perf) Report() *Report {
	rep := &Report{Name: "perf", Title: "Performance"}
	p.sp.fill(rep)
	rep.Notes = append(rep.Notes, fmt.Sprintf("percentiles are DDSketch estimates within %.0f%% relative error; count, mean and max are exact", 100*RelativeAccuracy))
	all := p.groups.Sorted(func(a, b *perfGroup) int { return cmp.Compare(b.q.Count, a.q.Count) })
	titles := map[string]string{
		groupRoute: "Served requests by route",
		groupRPC:   "Outbound calls by RPC method",
		groupSQL:   "Database calls by statement",
	}
	for _, kind := range []string{groupRoute, groupRPC, groupSQL} {
		s := &Section{ID: kind, Title: titles[kind] + " (ms)",
			Columns: cols(kind, "#count", "#p50", "#p90", "#p99", "#max", "#mean", "#failed")}
		for _, e := range all {
			g := e.V
			if g.kind != kind {
				continue
			}
			s.Rows = append(s.Rows, []any{g.name, g.q.Count, Dur(g.q.At(0.5)), Dur(g.q.At(0.9)), Dur(g.q.At(0.99)), Dur(g.q.Max), Dur(g.q.Mean()), g.failed})
		}
		s.cut(p.o.top() * 2)
		rep.Sections = append(rep.Sections, s)
	}
	if !p.groups.Exact() {
		rep.Notes = append(rep.Notes, fmt.Sprintf("more than %d routes, methods and statements: the least called were dropped", maxPerfGroups))
	}
	slow := &Section{ID: "slowest", Title: "Slowest calls", Columns: cols("time", "#duration_ms", "kind", "call", "service", "user", "request_id")}
	calls := append([]slowCall(nil), p.slow.calls...)
	sortStable(calls, func(a, b slowCall) int {
		if a.ms != b.ms {
			return cmp.Compare(b.ms, a.ms)
		}
		return cmp.Compare(a.t, b.t)
	})
	for _, c := range calls {
		slow.Rows = append(slow.Rows, []any{micro(c.t), Dur(c.ms), c.kind, c.name, c.service, c.user, c.req})
	}
	rep.Sections = append(rep.Sections, slow)

	w := p.over.Width()
	over := &Section{ID: "over-time", Timeline: true, Title: "Served requests' percentiles per " + durName(w) + " (ms)",
		Columns: cols("start", "#count", "#p50", "#p90", "#p99", "#max")}
	chart := &Chart{ID: "latency", Title: "Latency percentiles of served requests per " + durName(w), Kind: "line", YLabel: "ms"}
	ser := make([][]float64, 4)
	p.over.Each(func(t time.Time, q *Quantiles) {
		chart.X = append(chart.X, t)
		if q == nil || q.Count == 0 {
			for i := range ser {
				ser[i] = append(ser[i], nan)
			}
			return
		}
		over.Rows = append(over.Rows, []any{t, q.Count, Dur(q.At(0.5)), Dur(q.At(0.9)), Dur(q.At(0.99)), Dur(q.Max)})
		for i, pc := range []float64{0.5, 0.9, 0.99, 1} {
			ser[i] = append(ser[i], q.At(pc))
		}
	})
	for i, n := range []string{"p50", "p90", "p99", "max"} {
		chart.Series = append(chart.Series, ChartSeries{Name: n, Values: ser[i]})
	}
	over.Chart = chart
	rep.Sections = append(rep.Sections, over)
	return rep
}

var _ = strings.Contains
