package report

import (
	"cmp"
	"fmt"
	"math"
	"time"
)

// users answers Megan Managerpants: active users per day and over 7
// days, the biggest users by actions and by time consumed, new users,
// and hourly activity.
//
// A user is the user id of a line (the name when there is no id); a user
// is active on a day when any line of theirs has a time that day (UTC).
// An action is a served request or a lifecycle record that names an
// action; the time a user consumed is the sum of duration_ms of their
// served requests and lifecycle records (rpc and db lines are parts of a
// request and would count it twice).
type users struct {
	o      Options
	sp     span
	days   *Series[userDay]
	hours  *Series[hourAct]
	byHour [24]int64
	all    Distinct
	per    *Counts[userStat]
}

type userDay struct {
	active  Distinct
	actions int64
	lines   int64
	newU    int64
}

type hourAct struct{ actions, lines int64 }

type userStat struct {
	name, project       string
	actions, lines      int64
	requests            int64
	timeMS              float64
	firstSeen, lastSeen int64
}

// maxUsers bounds the per-user table (a few hundred bytes each).
const maxUsers = 50000

func newUsers(o Options) *users {
	return &users{
		o: o,
		days: NewSeries(24*time.Hour, func(d, s *userDay) {
			d.active.Merge(&s.active)
			d.actions += s.actions
			d.lines += s.lines
			d.newU += s.newU
		}),
		hours: NewSeries(time.Hour, func(d, s *hourAct) { d.actions += s.actions; d.lines += s.lines }),
		per:   NewCounts(maxUsers, func(u *userStat) float64 { return float64(u.lines) }),
	}
}

func (u *users) Add(r *Record) {
	u.sp.add(r.Time)
	if r.UserID == "" || r.Time == 0 {
		return
	}
	d := u.days.At(r.Time)
	d.active.Add(r.UserID)
	d.lines++
	u.all.Add(r.UserID)
	s := u.per.Lookup(r.UserID)
	if s == nil {
		s = u.per.Get(r.UserID)
		s.firstSeen = r.Time
		d.newU++
	}
	if s.name == "" && r.UserName != "" && r.UserName != r.UserID {
		s.name = keep(r.UserName)
	}
	if s.project == "" && r.Project != "" {
		s.project = keep(r.Project)
	}
	s.lines++
	s.firstSeen = min(s.firstSeen, r.Time)
	s.lastSeen = max(s.lastSeen, r.Time)
	h := u.hours.At(r.Time)
	h.lines++
	act := (r.IsServed() || r.Kind == "lifecycle") && r.Action != ""
	if act {
		s.actions++
		d.actions++
		h.actions++
		u.byHour[time.UnixMicro(r.Time).UTC().Hour()]++
	}
	if r.IsServed() {
		s.requests++
	}
	if (r.IsServed() || r.Kind == "lifecycle") && r.HasDuration {
		s.timeMS += r.DurationMS
	}
}

func (u *users) Report() *Report {
	rep := &Report{Name: "users", Title: "User demographics"}
	u.sp.fill(rep)
	if !u.per.Exact() {
		rep.Notes = append(rep.Notes, fmt.Sprintf("more than %d users: the least active were dropped from the per-user table (%d); a user's counts may be short by up to %.0f lines, and a returning user counted as new again", maxUsers, u.per.Dropped, u.per.Floor))
	}
	estimated := !u.all.Exact()

	// Per day, with the 7 days ending that day.
	daily := &Section{ID: "daily", Timeline: true, Title: "Active users per day (UTC), over the 7 days ending that day, and new users",
		Columns: cols("day", "#active", "#active_7d", "#new", "#actions", "#lines")}
	var window []*userDay
	var xs []time.Time
	var act, act7 []float64
	u.days.Each(func(start time.Time, d *userDay) {
		window = append(window, d)
		if len(window) > 7 {
			window = window[1:]
		}
		var w Distinct
		for _, x := range window {
			if x != nil {
				w.Merge(&x.active)
			}
		}
		if d == nil {
			d = &userDay{}
		}
		estimated = estimated || !d.active.Exact() || !w.Exact()
		daily.Rows = append(daily.Rows, []any{start.Format("2006-01-02"), d.active.Count(), w.Count(), d.newU, d.actions, d.lines})
		xs = append(xs, start)
		act = append(act, float64(d.active.Count()))
		act7 = append(act7, float64(w.Count()))
	})
	if u.days.Width() != 24*time.Hour {
		daily.Notes = append(daily.Notes, "the span is long: rows are "+durName(u.days.Width())+" wide, and 7d means 7 rows")
	}
	daily.Chart = &Chart{ID: "active-users", Title: "Active users per day and over 7 days", Kind: "line", YLabel: "users",
		X: xs, Series: []ChartSeries{{Name: "active that day", Values: act}, {Name: "active over 7 days", Values: act7}}}

	rep.Sections = append(rep.Sections, &Section{ID: "summary", Title: "Users",
		Columns: cols("#users", "#active_last_day", "#active_last_7d"),
		Rows:    [][]any{{u.all.Count(), lastCol(daily, 1), lastCol(daily, 2)}}}, daily)

	top := u.o.top()
	total := 0.0
	var totalActs int64
	for _, e := range u.per.Sorted(func(a, b *userStat) int { return 0 }) {
		total += e.V.timeMS
		totalActs += e.V.actions
	}
	byActs := &Section{ID: "top-actions", Title: "Biggest users by actions",
		Columns: cols("user", "name", "project", "#actions", "#share_%", "#requests", "#time_s", "first_seen", "last_seen")}
	for _, e := range u.per.Sorted(func(a, b *userStat) int { return cmp.Compare(b.actions, a.actions) }) {
		if e.V.actions == 0 {
			break
		}
		byActs.Rows = append(byActs.Rows, u.row(e, pct(float64(e.V.actions), float64(totalActs))))
	}
	byActs.cut(top)
	byTime := &Section{ID: "top-time", Title: "Biggest users by time consumed (sum of their served calls' durations)",
		Columns: cols("user", "name", "project", "#actions", "#share_%", "#requests", "#time_s", "first_seen", "last_seen")}
	for _, e := range u.per.Sorted(func(a, b *userStat) int { return cmp.Compare(b.timeMS, a.timeMS) }) {
		if e.V.timeMS == 0 {
			break
		}
		byTime.Rows = append(byTime.Rows, u.row(e, pct(e.V.timeMS, total)))
	}
	byTime.cut(top)

	newest := &Section{ID: "new", Title: "Newest users (first seen)",
		Columns: cols("user", "name", "project", "first_seen", "#lines")}
	for _, e := range u.per.Sorted(func(a, b *userStat) int { return cmp.Compare(b.firstSeen, a.firstSeen) }) {
		newest.Rows = append(newest.Rows, []any{e.Key, e.V.name, e.V.project, micro(e.V.firstSeen), e.V.lines})
	}
	newest.cut(top)

	hourly := &Section{ID: "hour-of-day", Title: "Actions by hour of day (UTC)", Columns: cols("hour", "#actions", "#share_%")}
	var sum int64
	for _, n := range u.byHour {
		sum += n
	}
	labels := make([]string, 24)
	vals := make([]float64, 24)
	for h, n := range u.byHour {
		hourly.Rows = append(hourly.Rows, []any{fmt.Sprintf("%02d", h), n, pct(float64(n), float64(sum))})
		labels[h] = fmt.Sprintf("%02d", h)
		vals[h] = float64(n)
	}
	hourly.Chart = &Chart{ID: "hour-of-day", Title: "Actions by hour of day (UTC)", Kind: "bar", YLabel: "actions",
		Labels: labels, Series: []ChartSeries{{Name: "actions", Values: vals}}}

	timeline := &Section{ID: "hourly", Timeline: true, Title: "Activity per hour", Columns: cols("hour", "#actions", "#lines")}
	var hx []time.Time
	var ha, hl []float64
	u.hours.Each(func(start time.Time, h *hourAct) {
		if h == nil {
			h = &hourAct{}
		}
		timeline.Rows = append(timeline.Rows, []any{start, h.actions, h.lines})
		hx = append(hx, start)
		ha = append(ha, float64(h.actions))
		hl = append(hl, float64(h.lines))
	})
	if w := u.hours.Width(); w != time.Hour {
		timeline.Title = "Activity per " + durName(w)
	}
	timeline.Chart = &Chart{ID: "hourly-activity", Title: timeline.Title, Kind: "line", YLabel: "per " + durName(u.hours.Width()),
		X: hx, Series: []ChartSeries{{Name: "actions", Values: ha}, {Name: "lines with a user", Values: hl}}}
	rep.Sections = append(rep.Sections, byActs, byTime, newest, hourly, timeline)
	if estimated {
		rep.Notes = append(rep.Notes, fmt.Sprintf("distinct counts above %d are HyperLogLog estimates (standard error %.1f%%)", ExactDistinct, 100*DistinctError))
	}
	return rep
}

func (u *users) row(e Entry[userStat], share Pct) []any {
	return []any{e.Key, e.V.name, e.V.project, e.V.actions, share, e.V.requests, e.V.timeMS / 1000, micro(e.V.firstSeen), micro(e.V.lastSeen)}
}

func pct(a, b float64) Pct {
	if b == 0 {
		return 0
	}
	return Pct(math.Round(1000*a/b) / 10)
}

func lastCol(s *Section, c int) any {
	if len(s.Rows) == 0 {
		return int64(0)
	}
	return s.Rows[len(s.Rows)-1][c]
}
