package serve

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// The pictures are SVG drawn here, on the server, into the page: no
// script, no library, and each bar of the histogram is a link.

// histogramSteps are the bucket widths a histogram may use; it takes the
// smallest that keeps it to maxBars bars (a minute for the default hour).
var histogramSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour,
}

// histogramBudget is how many events a histogram may count: about 40 ms
// of SQLite's time (each event's level is a read of its row). The default
// window shrinks below the hour to hold it; an explicit window of more
// than four times as many events gets no histogram, rather than a slow
// page.
const histogramBudget = 30000

const (
	maxBars  = 90
	histW    = 900.0
	histH    = 110.0
	histSpan = time.Hour // the default window: the hour up to the newest event
)

type histogramView struct {
	TooMany       int64 // events in the window, when too many to draw
	Width, Height float64
	Step          string
	From, To      time.Time
	Bars          []barView
	Max, Total    int64
	Legend        []legendView
}

type barView struct {
	Href, Title string
	X, W        float64
	Rects       []rectView
}

type rectView struct {
	Y, H  float64
	Class string
}

type legendView struct {
	Level, Class string
	Count        int64
}

func stepName(d time.Duration) string {
	switch d {
	case time.Second:
		return "second"
	case time.Minute:
		return "minute"
	case time.Hour:
		return "hour"
	case 24 * time.Hour:
		return "day"
	}
	return strings.TrimSuffix(strings.TrimSuffix(d.String(), "0s"), "0m")
}

// histogram draws the events q selects per step, stacked by level, over
// q's window — or, when q has none, the hour up to the newest event.
func (s *Server) histogram(r *http.Request, q events.Query, l links, page events.Page) (*histogramView, error) {
	h, ok := s.o.Store.(events.Histogrammer)
	if !ok {
		return nil, nil
	}
	from, to := q.Since, q.Until
	if to.IsZero() {
		switch {
		case q.Desc && q.After.IsZero() && len(page.Events) > 0:
			to = page.Events[0].Time
		default:
			nq := q
			nq.After, nq.Desc, nq.Limit = events.Cursor{}, true, 1
			p, err := s.o.Store.List(r.Context(), nq)
			if err != nil {
				return nil, err
			}
			if len(p.Events) == 0 {
				return nil, nil
			}
			to = p.Events[0].Time
		}
		to = to.Add(time.Microsecond)
	}
	if from.IsZero() {
		from = to.Add(-histSpan)
		n, err := h.WindowCount(r.Context(), q.Scope, from, to)
		if err != nil {
			return nil, err
		}
		if n > histogramBudget {
			span := max(time.Duration(float64(histSpan)*histogramBudget/float64(n)).Truncate(time.Minute), time.Minute)
			from = to.Add(-span)
		}
	} else if n, err := h.WindowCount(r.Context(), q.Scope, from, to); err != nil {
		return nil, err
	} else if n > 4*histogramBudget {
		return &histogramView{TooMany: n}, nil
	}
	step := histogramSteps[len(histogramSteps)-1]
	for _, st := range histogramSteps {
		if to.Sub(from) <= st*maxBars {
			step = st
			break
		}
	}
	from = from.Truncate(step)
	if t := to.Truncate(step); t.Before(to) {
		to = t.Add(step)
	}
	hq := q
	hq.Since, hq.Until, hq.After = from, to, events.Cursor{}
	buckets, err := h.Histogram(r.Context(), hq, step)
	if err != nil {
		return nil, err
	}
	v := &histogramView{Width: histW, Height: histH, Step: stepName(step), From: from, To: to}
	var byLevel [5]int64
	for _, b := range buckets {
		v.Max = max(v.Max, b.Total())
		for i, c := range b.Counts {
			byLevel[i] += c
		}
	}
	for i, c := range byLevel {
		v.Total += c
		v.Legend = append(v.Legend, legendView{Level: events.Levels()[i], Class: "lv-" + strings.ToLower(events.Levels()[i]), Count: c})
	}
	if v.Max == 0 {
		v.Max = 1
	}
	bw := histW / float64(len(buckets))
	plotH := histH - 14 // room for the axis labels
	for i, b := range buckets {
		end := b.Start.Add(step)
		bar := barView{X: float64(i) * bw, W: max(bw-1, 1),
			Href: l.With("since", timeString(b.Start), "until", timeString(end), "around", "", "range", "")}
		var parts []string
		y := plotH
		for lv, c := range b.Counts {
			if c == 0 {
				continue
			}
			hgt := float64(c) / float64(v.Max) * (plotH - 2)
			y -= hgt
			bar.Rects = append(bar.Rects, rectView{Y: y, H: hgt, Class: "lv-" + strings.ToLower(events.Levels()[lv])})
			parts = append(parts, strconv.FormatInt(c, 10)+" "+events.Levels()[lv])
		}
		bar.Title = b.Start.Format("2006-01-02 15:04:05") + " – " + end.Format("15:04:05") + " UTC: " +
			strconv.FormatInt(b.Total(), 10) + " events"
		if len(parts) > 0 {
			bar.Title += " (" + strings.Join(parts, ", ") + ")"
		}
		// An empty bar is still a link: a thin, clickable strip.
		if len(bar.Rects) == 0 {
			bar.Rects = []rectView{{Y: plotH - 1, H: 1, Class: "empty"}}
		}
		v.Bars = append(v.Bars, bar)
	}
	return v, nil
}

// The waterfall: one lane per service, each line a bar from its call's
// start (time − duration_ms) to its time, or a tick when it has no
// duration; gaps (when none of the request's calls was running) shaded.
type waterfallView struct {
	Width, Height float64
	Start, End    time.Time
	Services      []string
	Lanes         []laneView
	Marks         []markView
	Gaps          []gapView
	Ticks         []tickView
	gaps          []gap
}

type laneView struct {
	Y    float64
	Name string
}

type markView struct {
	X, Y, W, H  float64
	Class, Href string
	Title       string
}

type gapView struct {
	X, W, H float64
	Title   string
}

type tickView struct {
	X     float64
	Label string
	End   bool // the last: its label ends at it
}

// gap is a stretch with nothing running, before the line at row.
type gap struct {
	from, to time.Time
	row      int
}

const (
	wfLabel = 170.0
	wfPlot  = 720.0
	wfLane  = 22.0
)

func waterfall(evs []events.Event) *waterfallView {
	v := &waterfallView{Width: wfLabel + wfPlot + 10}
	if len(evs) == 0 {
		return v
	}
	v.Start, v.End = startOf(evs[0]), evs[0].Time
	for _, e := range evs {
		v.Start = minT(v.Start, startOf(e))
		if e.Time.After(v.End) {
			v.End = e.Time
		}
		if !slices.Contains(v.Services, e.Service) {
			v.Services = append(v.Services, e.Service)
		}
	}
	span := v.End.Sub(v.Start)
	if span <= 0 {
		span = time.Millisecond
	}
	x := func(t time.Time) float64 { return wfLabel + float64(t.Sub(v.Start))/float64(span)*wfPlot }
	top := 18.0
	for i, svc := range v.Services {
		name := svc
		if name == "" {
			name = "(no service)"
		}
		v.Lanes = append(v.Lanes, laneView{Y: top + float64(i)*wfLane, Name: name})
	}
	v.Height = top + float64(len(v.Services))*wfLane + 6
	for _, e := range evs {
		lane := slices.Index(v.Services, e.Service)
		st := startOf(e)
		m := markView{X: x(st), Y: top + float64(lane)*wfLane + 4, H: wfLane - 8,
			Class: "lv-" + strings.ToLower(e.Level), Href: "/ui/events/" + e.ID}
		if e.Level == "" {
			m.Class = "lv-none"
		}
		m.W = max(x(e.Time)-m.X, 2)
		m.Title = timeString(e.Time) + " " + e.Service + " " + e.Kind + ": " + clip(e.Message, 120)
		if e.HasDuration {
			m.Title += " (" + fmtDuration(time.Duration(e.DurationMS*float64(time.Millisecond))) + ")"
		}
		v.Marks = append(v.Marks, m)
	}
	// Gaps: holes in the union of the calls' spans at least a twentieth
	// of the whole (and a millisecond).
	order := make([]int, len(evs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return startOf(evs[a]).Compare(startOf(evs[b])) })
	covered := startOf(evs[order[0]])
	min := max(span/20, time.Millisecond)
	for _, i := range order {
		st := startOf(evs[i])
		if st.Sub(covered) >= min {
			row := i
			for j := range evs { // the first line that starts at or after the gap's end, in the list's order
				if !startOf(evs[j]).Before(st) {
					row = j
					break
				}
			}
			v.gaps = append(v.gaps, gap{from: covered, to: st, row: row})
			v.Gaps = append(v.Gaps, gapView{X: x(covered), W: x(st) - x(covered), H: v.Height - top,
				Title: "gap: " + fmtDuration(st.Sub(covered)) + " with nothing running"})
		}
		if evs[i].Time.After(covered) {
			covered = evs[i].Time
		}
	}
	for i := 0; i <= 4; i++ {
		t := v.Start.Add(span * time.Duration(i) / 4)
		v.Ticks = append(v.Ticks, tickView{X: x(t), Label: "+" + fmtDuration(t.Sub(v.Start)), End: i == 4})
	}
	return v
}

func minT(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
