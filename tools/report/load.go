package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"
	"unsafe"
)

// load answers Johnny Slowqueries: requests per minute and per hour, by
// service and action, and the spikes, each with the users and actions
// behind it ("scheduling bullies").
//
// A request is a served call (see [Record.IsServed]). A spike is a
// minute (or bucket, when the span is long) with at least 10 requests
// and at least three times the median minute and the median plus five
// median absolute deviations, empty minutes counted.
type load struct {
	o       Options
	sp      span
	minutes *Series[loadBucket]
	hours   *Series[hourLoad]
	by      *Counts[svcAction]
	total   int64
}

type loadBucket struct {
	n              int64
	users, actions Heavy
}

type hourLoad struct {
	n        int64
	services smallCounts
	actions  smallCounts
}

type svcAction struct {
	service, action string
	n               int64
	failed          int64
}

// smallCounts is a count per key that keeps at most smallMax keys; the
// rest go under "(other)".
//
// Its values are pointers: assigning to a map entry also stores the key
// given, and the keys given may alias the reader's buffer.
type smallCounts map[string]*int64

const smallMax = 64

func (c *smallCounts) add(k string, n int64) {
	if *c == nil {
		*c = make(smallCounts)
	}
	p, ok := (*c)[k]
	if !ok {
		if len(*c) >= smallMax {
			k = "(other)"
		} else {
			k = keep(k)
		}
		if p, ok = (*c)[k]; !ok {
			p = new(int64)
			(*c)[k] = p
		}
	}
	*p += n
}

func (c smallCounts) top(n int) string {
	type kv struct {
		k string
		n int64
	}
	var all []kv
	for k, v := range c {
		all = append(all, kv{k, *v})
	}
	slices.SortFunc(all, func(a, b kv) int {
		if a.n != b.n {
			return cmp.Compare(b.n, a.n)
		}
		return cmp.Compare(a.k, b.k)
	})
	var b strings.Builder
	for i, x := range all {
		if i == n {
			fmt.Fprintf(&b, ", …")
			break
		}
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", x.k, x.n)
	}
	return b.String()
}

const maxGroups = 20000

func newLoad(o Options) *load {
	return &load{
		o: o,
		minutes: NewSeries(time.Minute, func(d, s *loadBucket) {
			d.n += s.n
			d.users.Merge(&s.users)
			d.actions.Merge(&s.actions)
		}),
		hours: NewSeries(time.Hour, func(d, s *hourLoad) {
			d.n += s.n
			for k, v := range s.services {
				d.services.add(k, *v)
			}
			for k, v := range s.actions {
				d.actions.add(k, *v)
			}
		}),
		by: NewCounts(maxGroups, func(v *svcAction) float64 { return float64(v.n) }),
	}
}

func (l *load) Add(r *Record) {
	l.sp.add(r.Time)
	if !r.IsServed() || r.Time == 0 {
		return
	}
	l.total++
	action := r.Action
	if action == "" {
		action = "-"
	}
	m := l.minutes.At(r.Time)
	m.n++
	m.users.Add(r.UserID)
	m.actions.Add(action)
	h := l.hours.At(r.Time)
	h.n++
	h.services.add(r.Service, 1)
	h.actions.add(action, 1)
	var kb [128]byte
	key := append(append(append(kb[:0], r.Service...), 0), action...)
	g := l.by.Get(unsafe.String(&key[0], len(key)))
	if g.n == 0 {
		g.service, g.action = keep(r.Service), keep(action)
	}
	g.n++
	if r.Failed() {
		g.failed++
	}
}

func (l *load) Report() *Report {
	rep := &Report{Name: "load", Title: "Load"}
	l.sp.fill(rep)
	w := l.minutes.Width()
	unit, units := "minute", "minutes"
	if w != time.Minute {
		unit = durName(w)
		units = unit + " buckets"
		rep.Notes = append(rep.Notes, "the span is long: load is counted per "+unit+" instead of per minute")
	}
	var counts []int64
	l.minutes.Each(func(_ time.Time, b *loadBucket) {
		if b == nil {
			counts = append(counts, 0)
		} else {
			counts = append(counts, b.n)
		}
	})
	med, mad := medianMAD(counts)
	threshold := max(10, 3*med, med+5*max(mad, 1))
	var peak int64
	for _, c := range counts {
		peak = max(peak, c)
	}
	summary := &Section{ID: "summary", Title: "Requests", Columns: cols("#requests", "#per_"+unit+"_median", "#per_"+unit+"_peak", "#spike_threshold")}
	summary.Rows = [][]any{{l.total, med, peak, threshold}}

	spikes := &Section{ID: "spikes", Title: "Spikes: " + units + " with far more requests than usual, and who and what was behind them",
		Columns: cols("start", "#requests", "#x_median", "top_users", "top_actions")}
	chart := &Chart{ID: "load", Title: "Requests per " + unit + " (spikes marked)", Kind: "line", YLabel: "requests per " + unit}
	var vals []float64
	i := 0
	l.minutes.Each(func(start time.Time, b *loadBucket) {
		chart.X = append(chart.X, start)
		n := counts[i]
		vals = append(vals, float64(n))
		if n >= threshold {
			spikes.Rows = append(spikes.Rows, []any{start, n, ratio(n, med), heavyList(&b.users), heavyList(&b.actions)})
			chart.Marks = append(chart.Marks, Mark{At: i, Label: fmt.Sprintf("%d", n)})
		}
		i++
	})
	chart.Series = []ChartSeries{{Name: "requests", Values: vals}}
	spikes.Chart = chart
	if len(spikes.Rows) > 0 {
		spikes.Notes = append(spikes.Notes, "users and actions are the most frequent in the bucket (a Misra–Gries summary: counts may be low by a little when a bucket has many distinct keys)")
	}

	hourly := &Section{ID: "hourly", Timeline: true, Title: "Requests per hour by service and action", Columns: cols("hour", "#requests", "by_service", "by_action")}
	if hw := l.hours.Width(); hw != time.Hour {
		hourly.Title = "Requests per " + durName(hw) + " by service and action"
	}
	l.hours.Each(func(start time.Time, h *hourLoad) {
		if h == nil {
			hourly.Rows = append(hourly.Rows, []any{start, int64(0), "", ""})
			return
		}
		hourly.Rows = append(hourly.Rows, []any{start, h.n, h.services.top(5), h.actions.top(5)})
	})

	by := &Section{ID: "by-service-action", Title: "Requests by service and action",
		Columns: cols("service", "action", "#requests", "#share_%", "#failed")}
	for _, e := range l.by.Sorted(func(a, b *svcAction) int { return cmp.Compare(b.n, a.n) }) {
		by.Rows = append(by.Rows, []any{e.V.service, e.V.action, e.V.n, pct(float64(e.V.n), float64(l.total)), e.V.failed})
	}
	by.cut(l.o.top() * 3)
	if !l.by.Exact() {
		by.Notes = append(by.Notes, fmt.Sprintf("more than %d service/action pairs: the smallest were dropped", maxGroups))
	}
	rep.Sections = append(rep.Sections, summary, spikes, hourly, by)
	return rep
}

func heavyList(h *Heavy) string {
	var b strings.Builder
	for i, kc := range h.Top(3) {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%s %d", kc.Key, kc.Count)
	}
	return b.String()
}

// ratio is n over the median, a median of 0 read as 1 (a quiet log's
// spike is so many times a single request).
func ratio(n, med int64) float64 {
	med = max(med, 1)
	return float64(int64(10*float64(n)/float64(med))) / 10
}

// medianMAD returns the median of xs and the median absolute deviation.
func medianMAD(xs []int64) (int64, int64) {
	if len(xs) == 0 {
		return 0, 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	med := s[len(s)/2]
	for i, x := range s {
		d := x - med
		if d < 0 {
			d = -d
		}
		s[i] = d
	}
	slices.Sort(s)
	return med, s[len(s)/2]
}
