package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"
)

// exactAt is the value DDSketch's quantile estimates: that of rank
// floor(p×(n−1)) in the sorted values.
func exactAt(sorted []float64, p float64) float64 {
	return sorted[int(math.Floor(p*float64(len(sorted)-1)))]
}

func TestQuantilesWithinRelativeAccuracy(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	dists := map[string]func() float64{
		"uniform":     func() float64 { return rng.Float64() * 1000 },
		"exponential": func() float64 { return rng.ExpFloat64() * 40 },
		"lognormal":   func() float64 { return math.Exp(rng.NormFloat64()*1.5 + 3) },
		"bimodal": func() float64 {
			if rng.IntN(10) == 0 {
				return 2000 + rng.Float64()*8000
			}
			return 1 + rng.Float64()*20
		},
		"tiny-and-huge": func() float64 { return math.Pow(10, rng.Float64()*10-3) }, // 1µs … 2.7 h in ms
	}
	for name, gen := range dists {
		for _, n := range []int{1, 7, 1000, 200000} {
			t.Run(fmt.Sprintf("%s/%d", name, n), func(t *testing.T) {
				var q Quantiles
				parts := [3]Quantiles{}
				vals := make([]float64, n)
				for i := range vals {
					vals[i] = gen()
					q.Add(vals[i])
					parts[i%3].Add(vals[i])
				}
				var merged Quantiles
				for i := range parts {
					merged.Merge(&parts[i])
				}
				slices.Sort(vals)
				for _, p := range []float64{0, 0.5, 0.9, 0.99, 0.999} {
					want := exactAt(vals, p)
					for which, s := range map[string]*Quantiles{"one": &q, "merged": &merged} {
						got := s.At(p)
						if rel := math.Abs(got-want) / want; rel > RelativeAccuracy+1e-9 {
							t.Errorf("%s p%g = %g, exact %g: relative error %.4f > %g", which, 100*p, got, want, rel, RelativeAccuracy)
						}
					}
				}
				if q.Max != vals[n-1] || q.At(1) != vals[n-1] || merged.Max != vals[n-1] {
					t.Errorf("max %g (merged %g), want %g exactly", q.Max, merged.Max, vals[n-1])
				}
				if q.Count != int64(n) || merged.Count != int64(n) {
					t.Errorf("count %d, merged %d, want %d", q.Count, merged.Count, n)
				}
			})
		}
	}
}

func TestQuantilesZeroAndNegative(t *testing.T) {
	var q Quantiles
	q.Add(0)
	q.Add(0)
	q.Add(-5) // not a duration
	q.Add(10)
	if q.Count != 3 || q.At(0.5) != 0 || q.Max != 10 {
		t.Fatalf("count %d p50 %g max %g, want 3, 0, 10", q.Count, q.At(0.5), q.Max)
	}
	var empty Quantiles
	if empty.At(0.5) != 0 || empty.Mean() != 0 {
		t.Fatal("an empty summary is not all zero")
	}
}

func TestDistinctExactThenEstimated(t *testing.T) {
	for _, n := range []int{0, 1, 100, ExactDistinct, ExactDistinct + 1, 10000, 100000, 1000000} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var d Distinct
			for i := range n {
				d.Add("user-" + strconv.Itoa(i))
				if i%3 == 0 {
					d.Add("user-" + strconv.Itoa(i)) // repeats do not count
				}
			}
			got := d.Count()
			if n <= ExactDistinct {
				if got != int64(n) || !d.Exact() {
					t.Fatalf("count %d (exact %v), want exactly %d", got, d.Exact(), n)
				}
				return
			}
			if d.Exact() {
				t.Fatal("still exact past the limit")
			}
			// 4 standard errors: fails by chance about once in 15,000 runs,
			// and the hash seed is fixed per process.
			if rel := math.Abs(float64(got)-float64(n)) / float64(n); rel > 4*DistinctError {
				t.Fatalf("count %d, want %d ± %.1f%%: off by %.2f%%", got, n, 400*DistinctError, 100*rel)
			}
		})
	}
}

func TestDistinctMerge(t *testing.T) {
	// Seven overlapping days, as the 7-day count merges them.
	var days [7]Distinct
	truth := map[int]bool{}
	rng := rand.New(rand.NewPCG(5, 6))
	for d := range days {
		for range 3000 {
			u := rng.IntN(12000)
			days[d].Add("u" + strconv.Itoa(u))
			truth[u] = true
		}
	}
	var week Distinct
	for d := range days {
		week.Merge(&days[d])
	}
	n := float64(len(truth))
	if rel := math.Abs(float64(week.Count())-n) / n; rel > 4*DistinctError {
		t.Fatalf("7-day count %d, want %d ± %.1f%%", week.Count(), len(truth), 400*DistinctError)
	}
	var small, smallToo Distinct
	small.Add("a")
	small.Add("b")
	smallToo.Add("b")
	smallToo.Add("c")
	small.Merge(&smallToo)
	if small.Count() != 3 || !small.Exact() {
		t.Fatalf("exact merge: %d, want 3", small.Count())
	}
}

func TestSeriesCoarsensAndKeepsTotals(t *testing.T) {
	s := NewSeries(time.Second, addInt).Limit(100)
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC).UnixMicro()
	rng := rand.New(rand.NewPCG(7, 8))
	var total int64
	for range 50000 {
		*s.At(start + rng.Int64N(6*3600e6)) += 1
		total++
	}
	*s.At(start - 1) += 1 // before the first: extends to the left
	total++
	if s.Len() > 100 {
		t.Fatalf("%d buckets, limit 100", s.Len())
	}
	if s.Width() != 5*time.Minute {
		t.Fatalf("width %s, want 5m for 6h+ in at most 100 buckets", s.Width())
	}
	var sum int64
	var prev time.Time
	s.Each(func(at time.Time, n *int64) {
		if !prev.IsZero() && at.Sub(prev) != s.Width() {
			t.Fatalf("buckets %s then %s", prev, at)
		}
		prev = at
		if n != nil {
			sum += *n
		}
	})
	if sum != total {
		t.Fatalf("sum %d, want %d", sum, total)
	}
}

func TestCountsPrunesTheSmallestWithABound(t *testing.T) {
	c := NewCounts(100, func(v *int64) float64 { return float64(*v) })
	truth := map[string]int64{}
	rng := rand.New(rand.NewPCG(9, 10))
	for range 200000 {
		var k string
		if rng.IntN(2) == 0 {
			k = "heavy-" + strconv.Itoa(rng.IntN(10)) // 10 keys: half the stream
		} else {
			k = "light-" + strconv.Itoa(rng.IntN(100000))
		}
		*c.Get(k)++
		truth[k]++
	}
	if c.Len() > 100 || c.Exact() {
		t.Fatalf("%d keys kept (exact %v), want at most 100 and pruned", c.Len(), c.Exact())
	}
	for i := range 10 {
		k := "heavy-" + strconv.Itoa(i)
		v := c.Lookup(k)
		if v == nil {
			t.Fatalf("%s was dropped", k)
		}
		if short := float64(truth[k] - *v); short < 0 || short > c.Floor {
			t.Fatalf("%s: %d counted, %d true; short by more than the floor %g", k, *v, truth[k], c.Floor)
		}
	}
}

func TestHeavyFindsTheFrequent(t *testing.T) {
	var h Heavy
	for i := range 1000 {
		h.Add("bully")
		h.Add("u" + strconv.Itoa(i))
		if i%2 == 0 {
			h.Add("second")
		}
	}
	top := h.Top(2)
	if len(top) != 2 || top[0].Key != "bully" || top[1].Key != "second" {
		t.Fatalf("top %v, want bully then second", top)
	}
	// Misra–Gries: undercounted by at most N/(k+1).
	if short := 1000 - top[0].Count; short < 0 || short > h.N/(heavyK+1) {
		t.Fatalf("bully counted %d of 1000, bound %d", top[0].Count, h.N/(heavyK+1))
	}
}
