package report

import (
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"time"
)

// Report is what an analysis found: sections of tables, each with an
// optional chart, and what was read.
type Report struct {
	Name     string     `json:"report"` // users, load, exceptions, perf, forensics
	Title    string     `json:"title"`
	From     time.Time  `json:"from,omitzero"` // first and last record time
	To       time.Time  `json:"to,omitzero"`
	Input    ReadStats  `json:"input"`
	Notes    []string   `json:"notes,omitempty"` // what is estimated, and how well
	Sections []*Section `json:"sections"`
}

// Section is one table.
type Section struct {
	ID      string   `json:"id"` // for --section and the CSV
	Title   string   `json:"title"`
	Columns []Column `json:"columns"`
	Rows    [][]any  `json:"-"` // cells: string, int64, float64, time.Time, Dur
	Notes   []string `json:"notes,omitempty"`
	Chart   *Chart   `json:"-"`
	// Timeline marks a table with a row per time bucket: the text output
	// shows its last rows only (the JSON, CSV and HTML have them all).
	Timeline bool `json:"-"`
	// Total is how many rows there were before the table was cut to the
	// top ones; 0 when it was not cut.
	Total int `json:"total_rows,omitempty"`
}

// Column names a table column; Num columns are numbers, right-aligned.
type Column struct {
	Name string `json:"name"`
	Num  bool   `json:"-"`
}

// Pct is a percentage, already rounded to a tenth.
type Pct float64

// MarshalJSON writes a column as its name: the rows are objects keyed by
// it, in the order of this list.
func (c Column) MarshalJSON() ([]byte, error) { return json.Marshal(c.Name) }

// Dur is a duration in milliseconds, printed with its unit.
type Dur float64

// Chart is drawn in the HTML page: a line or bar chart over time (X are
// bucket starts) with one or more series and marks.
type Chart struct {
	ID     string        `json:"id"`
	Title  string        `json:"title"`
	Kind   string        `json:"kind"` // "line" or "bar"
	YLabel string        `json:"y_label"`
	X      []time.Time   `json:"x"`
	Labels []string      `json:"labels,omitempty"` // instead of X: category labels
	Series []ChartSeries `json:"series"`
	Marks  []Mark        `json:"marks,omitempty"`
}

// ChartSeries is one named line or set of bars; NaN is a gap.
type ChartSeries struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
}

// Mark is a point of interest on a chart: a spike, a split.
type Mark struct {
	At    int    `json:"at"` // index into X
	Label string `json:"label"`
	Line  bool   `json:"line,omitempty"` // a vertical rule across the chart (a split)
}

// Charts returns the report's charts in order.
func (r *Report) Charts() []*Chart {
	var out []*Chart
	for _, s := range r.Sections {
		if s.Chart != nil {
			out = append(out, s.Chart)
		}
	}
	return out
}

func cols(names ...string) []Column {
	out := make([]Column, len(names))
	for i, n := range names {
		num := len(n) > 0 && n[0] == '#'
		if num {
			n = n[1:]
		}
		out[i] = Column{Name: n, Num: num}
	}
	return out
}

// cut keeps the first n rows of s (n ≤ 0: all), noting how many there were.
func (s *Section) cut(n int) {
	if n > 0 && len(s.Rows) > n {
		s.Total = len(s.Rows)
		s.Rows = s.Rows[:n]
	}
}

func micro(t int64) time.Time { return time.UnixMicro(t).UTC() }

var nan = math.NaN()

func sortStable[T any](s []T, c func(a, b T) int) { slices.SortStableFunc(s, c) }

// durName writes a bucket width briefly: 1s, 5m, 1h, 1d, 7d.
func durName(d time.Duration) string {
	switch {
	case d >= 24*time.Hour && d%(24*time.Hour) == 0:
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	case d >= time.Hour && d%time.Hour == 0:
		return strconv.Itoa(int(d/time.Hour)) + "h"
	case d >= time.Minute && d%time.Minute == 0:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	}
	return strconv.Itoa(int(d/time.Second)) + "s"
}
