package report

import (
	"fmt"
	"time"
)

// Options configure the analyses; the zero value means the defaults.
type Options struct {
	Top int // rows of each ranked table; 0: 10

	// SplitAt is where exceptions compares before with after; zero means
	// at the first change of a service's version, when one is seen.
	SplitAt time.Time

	// Around and Window are forensics' moment and half-width (0: 1h).
	Around time.Time
	Window time.Duration
}

func (o Options) top() int {
	if o.Top <= 0 {
		return 10
	}
	return o.Top
}

// Analysis reads records one at a time and then reports. Add may be
// given a Record whose strings alias the reader's buffer: an analysis
// clones what it keeps.
type Analysis interface {
	Add(r *Record)
	Report() *Report
}

// Names returns the analyses, as log-report's subcommands (a copy).
func Names() []string { return []string{"users", "load", "exceptions", "perf", "forensics"} }

// New returns the analysis called name.
func New(name string, o Options) (Analysis, error) {
	switch name {
	case "users":
		return newUsers(o), nil
	case "load":
		return newLoad(o), nil
	case "exceptions":
		return newExceptions(o), nil
	case "perf":
		return newPerf(o), nil
	case "forensics":
		if o.Around.IsZero() {
			return nil, fmt.Errorf("forensics needs --around TIME")
		}
		return newForensics(o), nil
	}
	return nil, fmt.Errorf("unknown report %q (want one of users, load, exceptions, perf, forensics)", name)
}

// span tracks the first and last record time.
type span struct{ first, last int64 }

func (s *span) add(t int64) {
	if t == 0 {
		return
	}
	if s.first == 0 || t < s.first {
		s.first = t
	}
	if t > s.last {
		s.last = t
	}
}

func (s *span) fill(r *Report) {
	if s.first != 0 {
		r.From, r.To = micro(s.first), micro(s.last)
	}
}
