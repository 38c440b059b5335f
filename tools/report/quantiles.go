package report

import (
	"github.com/DataDog/sketches-go/ddsketch"
)

// RelativeAccuracy is the relative error of every percentile: a p99 of
// 250 ms is within 2.5 ms of the true one (DDSketch's guarantee, tested
// against exact answers on random data).
const RelativeAccuracy = 0.01

// maxBins bounds one sketch's bins (a few KiB): with 1% accuracy, 2048
// bins cover values from a microsecond to about 11 days before the lowest
// collapse, and collapsing the lowest bins spares the high percentiles.
const maxBins = 2048

// Quantiles summarises durations: a DDSketch for the percentiles, and
// the exact count, sum and maximum.
type Quantiles struct {
	s     *ddsketch.DDSketch
	Count int64
	Sum   float64
	Max   float64
}

// Add counts one duration in ms (negative ones are not durations and are
// left out).
func (q *Quantiles) Add(ms float64) {
	if ms < 0 {
		return
	}
	if q.s == nil {
		q.s = newSketch()
	}
	q.s.Add(ms) // never fails for a value ≥ 0 within range
	q.Count++
	q.Sum += ms
	q.Max = max(q.Max, ms)
}

func newSketch() *ddsketch.DDSketch {
	s, err := ddsketch.LogCollapsingLowestDenseDDSketch(RelativeAccuracy, maxBins)
	if err != nil {
		panic(err) // only for an accuracy outside (0, 1)
	}
	return s
}

// Merge adds o's durations.
func (q *Quantiles) Merge(o *Quantiles) {
	if o.s == nil {
		return
	}
	if q.s == nil {
		q.s = newSketch()
	}
	_ = q.s.MergeWith(o.s) // same mapping: cannot fail
	q.Count += o.Count
	q.Sum += o.Sum
	q.Max = max(q.Max, o.Max)
}

// At returns the value at quantile p (0..1): that of rank p×(n−1) in the
// sorted durations, to within RelativeAccuracy; 0 when empty. p = 1 is
// the exact maximum.
func (q *Quantiles) At(p float64) float64 {
	if q.s == nil || q.Count == 0 {
		return 0
	}
	if p >= 1 {
		return q.Max
	}
	v, err := q.s.GetValueAtQuantile(p)
	if err != nil {
		return 0
	}
	return min(v, q.Max)
}

// Mean is the exact mean.
func (q *Quantiles) Mean() float64 {
	if q.Count == 0 {
		return 0
	}
	return q.Sum / float64(q.Count)
}
