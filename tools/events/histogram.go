package events

import (
	"context"
	"time"
)

// Bucket counts the events of one span of time, by level: Counts[r] is
// the number at level rank r (see [LevelRank]); an event without a level
// counts as DEBUG.
type Bucket struct {
	Start  time.Time
	Counts [5]int64
}

// Total is the bucket's count over every level.
func (b Bucket) Total() int64 {
	var n int64
	for _, c := range b.Counts {
		n += c
	}
	return n
}

// Histogrammer is implemented by both stores: the viewer's events per
// minute, stacked by level.
//
// Histogram counts the events q selects in buckets of width step from
// q.Since (which, with q.Until, must be set: a histogram of all time is
// not asked of the store), one Bucket for each step of [Since, Until),
// empty ones included. q.After, q.Limit and q.Desc are ignored.
//
// WindowCount is how many events of scope lie in [since, until),
// whatever their other columns: what a histogram over that window has to
// read, counted from the time (or project) index alone, several times
// faster than the histogram, so a caller can size a window before it
// asks for one.
type Histogrammer interface {
	Histogram(ctx context.Context, q Query, step time.Duration) ([]Bucket, error)
	WindowCount(ctx context.Context, scope Scope, since, until time.Time) (int64, error)
}

// maxBuckets bounds a histogram.
const maxBuckets = 10000

func histogram(ctx context.Context, pg bool, run rowsFunc, q Query, step time.Duration) ([]Bucket, error) {
	if q.Since.IsZero() || q.Until.IsZero() || !q.Since.Before(q.Until) {
		return nil, invalid("histogram: a window (since before until) is needed")
	}
	if step < time.Microsecond {
		return nil, invalid("histogram: step %v is below a microsecond", step)
	}
	// Counted by division first: a window of centuries saturates Sub at
	// the largest Duration, and adding to it would wrap negative (the
	// fuzzer's since=0001-01-10 made a negative bucket count).
	span := q.Until.Sub(q.Since)
	if span/step >= maxBuckets {
		return nil, invalid("histogram: more than %d buckets of %v from %s to %s", maxBuckets, step,
			q.Since.Format(time.RFC3339), q.Until.Format(time.RFC3339))
	}
	n := int(span / step)
	if span%step != 0 {
		n++
	}
	q.After = Cursor{}
	stepUS := step.Microseconds()
	b := builder{pg: pg}
	if pg {
		b.s("SELECT ((EXTRACT(EPOCH FROM time - ").timeArg(q.Since).s(")*1000000)::bigint / ").arg(stepUS).s(") AS k, level, count(*) FROM events")
	} else {
		b.s("SELECT (time - ").timeArg(q.Since).s(") / ").arg(stepUS).s(" AS k, level, count(*) FROM events")
	}
	first := true
	if err := b.where(q, &first); err != nil {
		return nil, err
	}
	b.s(" GROUP BY k, level")
	out := make([]Bucket, n)
	for i := range out {
		out[i].Start = q.Since.Add(time.Duration(i) * step).UTC()
	}
	err := run(ctx, &b, func(scan func(...any) error) error {
		var k, level, c int64
		if err := scan(&k, &level, &c); err != nil {
			return err
		}
		if k >= 0 && k < int64(n) {
			out[k].Counts[max(level, 0)] += c
		}
		return nil
	})
	return out, err
}

func windowCount(ctx context.Context, pg bool, run rowsFunc, scope Scope, since, until time.Time) (int64, error) {
	b := builder{pg: pg}
	b.s("SELECT count(*) FROM events WHERE ")
	b.scope(scope)
	b.s(" AND time >= ").timeArg(since).s(" AND time < ").timeArg(until)
	var n int64
	err := run(ctx, &b, func(scan func(...any) error) error { return scan(&n) })
	return n, err
}

// WindowCount: see [Histogrammer].
func (s *sqliteStore) WindowCount(ctx context.Context, scope Scope, since, until time.Time) (int64, error) {
	return windowCount(ctx, false, s.rows, scope, since, until)
}

// WindowCount: see [Histogrammer].
func (s *pgStore) WindowCount(ctx context.Context, scope Scope, since, until time.Time) (int64, error) {
	return windowCount(ctx, true, s.rows, scope, since, until)
}

// Histogram: see [Histogrammer].
func (s *sqliteStore) Histogram(ctx context.Context, q Query, step time.Duration) ([]Bucket, error) {
	return histogram(ctx, false, s.rows, q, step)
}

// Histogram: see [Histogrammer].
func (s *pgStore) Histogram(ctx context.Context, q Query, step time.Duration) ([]Bucket, error) {
	return histogram(ctx, true, s.rows, q, step)
}

var (
	_ Histogrammer = (*sqliteStore)(nil)
	_ Histogrammer = (*pgStore)(nil)
)
