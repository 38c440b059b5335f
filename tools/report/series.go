package report

import "time"

// MaxBuckets bounds a time series: past it, buckets merge into wider ones.
const MaxBuckets = 4000

// widths are the bucket widths a series goes through as its span grows,
// each a multiple of the one before, so buckets merge whole.
var widths = []time.Duration{time.Second, 5 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute, time.Hour, 3 * time.Hour,
	6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 7 * 24 * time.Hour}

// Series holds a value per time bucket (UTC, aligned to the epoch). It
// starts at a base width and, when its span would need more than
// [MaxBuckets] buckets, moves to the next wider width, merging buckets:
// so a second-by-second count over a year stays a few thousand buckets.
type Series[V any] struct {
	w        int // index into widths
	buckets  map[int64]*V
	min, max int64
	merge    func(dst, src *V)
	limit    int
	// last bucket asked for: lines come mostly in time order, so most
	// calls ask for the same one and skip the map
	lastI int64
	lastV *V
}

// NewSeries returns a series of buckets of base width (one of the
// widths: 1s, 5s, 15s, 30s, 1m, 5m, 15m, 30m, 1h, 3h, 6h, 12h, 1d, 7d).
func NewSeries[V any](base time.Duration, merge func(dst, src *V)) *Series[V] {
	s := &Series[V]{buckets: make(map[int64]*V), merge: merge, limit: MaxBuckets}
	for i, w := range widths {
		if w == base {
			s.w = i
		}
	}
	return s
}

// Limit sets the most buckets the series keeps (default MaxBuckets).
func (s *Series[V]) Limit(n int) *Series[V] {
	s.limit = n
	return s
}

// Width is the buckets' width now.
func (s *Series[V]) Width() time.Duration { return widths[s.w] }

func (s *Series[V]) us() int64 { return widths[s.w].Microseconds() }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// At returns the bucket that holds t (Unix microseconds), made when new.
func (s *Series[V]) At(t int64) *V {
	i := floorDiv(t, s.us())
	if s.lastV != nil && i == s.lastI {
		return s.lastV
	}
	if v, ok := s.buckets[i]; ok {
		s.lastI, s.lastV = i, v
		return v
	}
	if len(s.buckets) == 0 {
		s.min, s.max = i, i
	}
	for (max(s.max, i)-min(s.min, i)+1) > int64(s.limit) && s.w < len(widths)-1 {
		s.coarsen()
		i = floorDiv(t, s.us())
	}
	if v, ok := s.buckets[i]; ok {
		return v
	}
	s.min, s.max = min(s.min, i), max(s.max, i)
	v := new(V)
	s.buckets[i] = v
	s.lastI, s.lastV = i, v
	return v
}

func (s *Series[V]) coarsen() {
	s.lastV = nil
	old := s.us()
	s.w++
	f := s.us() / old
	next := make(map[int64]*V, len(s.buckets))
	for i, v := range s.buckets {
		j := floorDiv(i, f)
		if d, ok := next[j]; ok {
			s.merge(d, v)
		} else {
			next[j] = v
		}
	}
	s.buckets = next
	s.min, s.max = floorDiv(s.min, f), floorDiv(s.max, f)
}

// Len is the number of buckets from the first to the last, empty ones
// between included.
func (s *Series[V]) Len() int {
	if len(s.buckets) == 0 {
		return 0
	}
	return int(s.max - s.min + 1)
}

// Each calls fn for every bucket from the first to the last in time
// order, with nil for an empty one, and the bucket's start.
func (s *Series[V]) Each(fn func(start time.Time, v *V)) {
	if len(s.buckets) == 0 {
		return
	}
	for i := s.min; i <= s.max; i++ {
		fn(time.UnixMicro(i*s.us()).UTC(), s.buckets[i])
	}
}
