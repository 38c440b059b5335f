package report

import (
	"hash/maphash"
	"math"
	"math/bits"
)

// ExactDistinct is how many distinct values a [Distinct] counts exactly
// before it turns into a HyperLogLog.
const ExactDistinct = 2000

// hllP is the HyperLogLog's precision: 2^14 registers of one byte, 16 KiB,
// a standard error of 1.04/sqrt(2^14), about 0.8%.
const hllP = 14

// DistinctError is the standard error of a [Distinct] past ExactDistinct.
const DistinctError = 1.04 / (1 << (hllP / 2)) // 1.04/√m for m = 2^hllP registers; hllP is even

var seed = maphash.MakeSeed()

// Distinct counts distinct strings: exactly up to [ExactDistinct] of
// them, then with a HyperLogLog of [DistinctError]. Two Distincts merge,
// so a 7-day count is the merge of seven daily ones. The zero value is
// ready.
type Distinct struct {
	set map[uint64]struct{} // hashes while exact; 64-bit, so collisions are negligible
	hll []uint8
}

// Add counts s.
func (d *Distinct) Add(s string) { d.addHash(maphash.String(seed, s)) }

func (d *Distinct) addHash(h uint64) {
	if d.hll != nil {
		d.hllAdd(h)
		return
	}
	if d.set == nil {
		d.set = make(map[uint64]struct{})
	}
	d.set[h] = struct{}{}
	if len(d.set) > ExactDistinct {
		d.toHLL()
	}
}

func (d *Distinct) toHLL() {
	d.hll = make([]uint8, 1<<hllP)
	for h := range d.set {
		d.hllAdd(h)
	}
	d.set = nil
}

func (d *Distinct) hllAdd(h uint64) {
	idx := h >> (64 - hllP)
	rest := h<<hllP | 1<<(hllP-1) // a sentinel bit bounds the run
	rho := uint8(bits.LeadingZeros64(rest) + 1)
	if rho > d.hll[idx] {
		d.hll[idx] = rho
	}
}

// Exact tells whether Count is exact.
func (d *Distinct) Exact() bool { return d.hll == nil }

// Merge adds the values o counted.
func (d *Distinct) Merge(o *Distinct) {
	if o.hll != nil {
		if d.hll == nil {
			d.toHLL()
		}
		for i, r := range o.hll {
			if r > d.hll[i] {
				d.hll[i] = r
			}
		}
		return
	}
	for h := range o.set {
		d.addHash(h)
	}
}

// Count returns the number of distinct values, exact or estimated.
func (d *Distinct) Count() int64 {
	if d.hll == nil {
		return int64(len(d.set))
	}
	m := float64(len(d.hll))
	sum, zeros := 0.0, 0
	for _, r := range d.hll {
		sum += math.Ldexp(1, -int(r))
		if r == 0 {
			zeros++
		}
	}
	alpha := 0.7213 / (1 + 1.079/m)
	e := alpha * m * m / sum
	if e <= 2.5*m && zeros > 0 {
		e = m * math.Log(m/float64(zeros)) // linear counting for small cardinalities
	}
	return int64(math.Round(e))
}
