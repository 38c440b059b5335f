package report

import (
	"cmp"
	"fmt"
	"math"
	"time"
	"unsafe"
)

// exceptions answers Danny Rollout: exceptions per second and per minute
// by type and service, and before against after a split — given, or the
// first time a service's version changes — with the rate on each side and
// the types that are new after it.
//
// An exception is a record of kind exception or one that names an
// exception type (our exception.type, a Python traceback's last line).
// The before/after counts come from per-minute buckets kept for each type
// and service, so they are exact when the split falls on a minute and
// otherwise put the split's own minute after it (said in the notes).
type exceptions struct {
	o       Options
	sp      span
	seconds *Series[int64]
	minutes *Series[excMinute]
	groups  *Counts[excGroup]
	total   int64

	versions map[string]string // per service: the first version seen
	change   int64             // time of the first version change seen
	changeAt string            // what changed: "nova-compute 2014.2 → 2015.1"
}

type excMinute struct {
	n     int64
	types Heavy
}

type excGroup struct {
	typ, service string
	n            int64
	first, last  int64
	sample       string // a request id
	message      string
	minutes      *Series[int64]
}

const maxExcGroups = 1000

func addInt(d, s *int64) { *d += *s }

func newExceptions(o Options) *exceptions {
	return &exceptions{
		o:        o,
		seconds:  NewSeries(time.Second, addInt),
		minutes:  NewSeries(time.Minute, func(d, s *excMinute) { d.n += s.n; d.types.Merge(&s.types) }),
		groups:   NewCounts(maxExcGroups, func(g *excGroup) float64 { return float64(g.n) }),
		versions: map[string]string{},
	}
}

func (e *exceptions) Add(r *Record) {
	e.sp.add(r.Time)
	if r.Version != "" && r.Time != 0 {
		if v, ok := e.versions[r.Service]; !ok {
			e.versions[keep(r.Service)] = keep(r.Version)
		} else if v != r.Version && (e.change == 0 || r.Time < e.change) {
			e.change = r.Time
			e.changeAt = fmt.Sprintf("%s %s → %s", r.Service, v, r.Version)
		}
	}
	if !r.IsException() || r.Time == 0 {
		return
	}
	e.total++
	typ := r.ExcType
	if typ == "" {
		typ = "(no type)"
	}
	*e.seconds.At(r.Time)++
	m := e.minutes.At(r.Time)
	m.n++
	m.types.Add(typ)
	var kb [160]byte
	key := append(append(append(kb[:0], typ...), 0), r.Service...)
	g := e.groups.Get(unsafe.String(&key[0], len(key)))
	if g.n == 0 {
		g.typ, g.service, g.first = keep(typ), keep(r.Service), r.Time
		g.minutes = NewSeries(time.Minute, addInt)
		g.message = keep(clip(r.Msg(), 160))
	}
	if g.sample == "" && r.RequestID != "" {
		g.sample = keep(r.RequestID)
	}
	g.n++
	g.first, g.last = min(g.first, r.Time), max(g.last, r.Time)
	*g.minutes.At(r.Time)++
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n] + "…"
}

func (e *exceptions) Report() *Report {
	rep := &Report{Name: "exceptions", Title: "Exceptions"}
	e.sp.fill(rep)
	var peakSec int64
	var peakAt time.Time
	e.seconds.Each(func(t time.Time, n *int64) {
		if n != nil && *n > peakSec {
			peakSec, peakAt = *n, t
		}
	})
	secW := e.seconds.Width()
	spanS := float64(e.sp.last-e.sp.first) / 1e6
	summary := &Section{ID: "summary", Title: "Exceptions", Columns: cols("#exceptions", "#per_second", "#peak_per_"+durName(secW), "peak_at")}
	var peakCell any = ""
	if !peakAt.IsZero() {
		peakCell = peakAt
	}
	summary.Rows = [][]any{{e.total, rate(e.total, spanS), peakSec, peakCell}}
	if secW != time.Second {
		summary.Notes = append(summary.Notes, "the span is long: the peak is counted per "+durName(secW))
	}

	byType := &Section{ID: "by-type", Title: "Exceptions by type and service",
		Columns: cols("type", "service", "#count", "first", "last", "request_id", "message")}
	sorted := e.groups.Sorted(func(a, b *excGroup) int { return cmp.Compare(b.n, a.n) })
	for _, g := range sorted {
		byType.Rows = append(byType.Rows, []any{g.V.typ, g.V.service, g.V.n, micro(g.V.first), micro(g.V.last), g.V.sample, g.V.message})
	}
	byType.cut(e.o.top() * 2)
	if !e.groups.Exact() {
		byType.Notes = append(byType.Notes, fmt.Sprintf("more than %d type/service pairs: the rarest were dropped", maxExcGroups))
	}

	mw := e.minutes.Width()
	perMin := &Section{ID: "per-minute", Title: "Exceptions per " + durName(mw) + " (busiest first)", Columns: cols("start", "#exceptions", "#per_second", "top_types")}
	type minRow struct {
		t time.Time
		m *excMinute
	}
	var mins []minRow
	e.minutes.Each(func(t time.Time, m *excMinute) {
		if m != nil {
			mins = append(mins, minRow{t, m})
		}
	})
	busiest := append([]minRow(nil), mins...)
	sortStable(busiest, func(a, b minRow) int { return cmp.Compare(b.m.n, a.m.n) })
	for _, x := range busiest {
		perMin.Rows = append(perMin.Rows, []any{x.t, x.m.n, rate(x.m.n, mw.Seconds()), heavyList(&x.m.types)})
	}
	perMin.cut(e.o.top())

	split, why := e.o.SplitAt, "given with --split-at"
	if split.IsZero() && e.change != 0 {
		split, why = micro(e.change), "the first version change: "+e.changeAt
	}
	rep.Sections = append(rep.Sections, summary, byType, perMin)
	chart := &Chart{ID: "exception-rate", Title: "Exceptions per " + durName(mw), Kind: "line", YLabel: "per " + durName(mw)}
	var before, after []float64
	splitIdx := -1
	i := 0
	e.minutes.Each(func(t time.Time, m *excMinute) {
		chart.X = append(chart.X, t)
		v := 0.0
		if m != nil {
			v = float64(m.n)
		}
		if !split.IsZero() && !t.Before(split.Truncate(mw)) {
			if splitIdx < 0 {
				splitIdx = i
			}
			before, after = append(before, nan), append(after, v)
		} else {
			before, after = append(before, v), append(after, nan)
		}
		i++
	})
	if split.IsZero() {
		chart.Series = []ChartSeries{{Name: "exceptions", Values: before}}
	} else {
		// Each side's mean per bucket, drawn across it: the rates the
		// before/after table compares.
		meanB, meanA := sideMean(before), sideMean(after)
		chart.Series = []ChartSeries{{Name: "before", Values: before}, {Name: "after", Values: after},
			{Name: "mean before", Values: meanB}, {Name: "mean after", Values: meanA}}
		if splitIdx >= 0 {
			chart.Marks = []Mark{{At: splitIdx, Label: "split", Line: true}}
		}
	}
	perMin.Chart = chart
	if split.IsZero() {
		return rep
	}
	sm := split.UnixMicro()
	bSpan := float64(sm-e.sp.first) / 1e6
	aSpan := float64(e.sp.last-sm) / 1e6
	ba := &Section{ID: "before-after", Title: fmt.Sprintf("Before and after %s (%s)", split.Format(time.RFC3339), why),
		Columns: cols("type", "service", "#before", "#after", "#before_per_s", "#after_per_s", "change", "new")}
	var tb, ta int64
	for _, g := range sorted {
		var b, a int64
		edge := split.Truncate(g.V.minutes.Width())
		g.V.minutes.Each(func(t time.Time, n *int64) {
			if n == nil {
				return
			}
			if t.Before(edge) {
				b += *n
			} else {
				a += *n
			}
		})
		tb, ta = tb+b, ta+a
		isNew := ""
		if b == 0 && a > 0 {
			isNew = "new"
		}
		ba.Rows = append(ba.Rows, []any{g.V.typ, g.V.service, b, a, rate(b, bSpan), rate(a, aSpan), change(rate(b, bSpan), rate(a, aSpan)), isNew})
	}
	sortStable(ba.Rows, func(x, y []any) int {
		if c := cmp.Compare(y[7].(string), x[7].(string)); c != 0 {
			return c // new types first
		}
		return cmp.Compare(y[3].(int64)+y[2].(int64), x[3].(int64)+x[2].(int64))
	})
	ba.Rows = append([][]any{{"(all)", "", tb, ta, rate(tb, bSpan), rate(ta, aSpan), change(rate(tb, bSpan), rate(ta, aSpan)), ""}}, ba.Rows...)
	ba.cut(e.o.top()*2 + 1)
	ba.Notes = append(ba.Notes, fmt.Sprintf("rates are per second of each side's span (%.0f s before, %.0f s after); counts go by %s buckets, so the split's own bucket counts after", bSpan, aSpan, durName(mw)))
	rep.Sections = append(rep.Sections, ba)
	return rep
}

func rate(n int64, seconds float64) float64 {
	if seconds <= 0 {
		return 0
	}
	return float64(n) / seconds
}

func change(b, a float64) string {
	switch {
	case b == 0 && a == 0:
		return "="
	case b == 0:
		return "new"
	}
	return fmt.Sprintf("%+.0f%%", 100*(a-b)/b)
}

// sideMean is a series holding the mean of vs where vs has values, and
// gaps elsewhere.
func sideMean(vs []float64) []float64 {
	sum, n := 0.0, 0
	for _, v := range vs {
		if !math.IsNaN(v) {
			sum += v
			n++
		}
	}
	out := make([]float64, len(vs))
	for i, v := range vs {
		out[i] = nan
		if !math.IsNaN(v) && n > 0 {
			out[i] = sum / float64(n)
		}
	}
	return out
}
