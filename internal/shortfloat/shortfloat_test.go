package shortfloat

import (
	"math"
	"math/rand/v2"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// values are edge cases of both notations and random floats of every size.
func values() []float64 {
	v := []float64{0, 1, -1, 1.5, 100, 0.1, 0.0001, 0.00001, 1e15, 1e16, 1e17, 123456789012345678,
		1e21, 1e22, 5e-324, math.MaxFloat64, -math.MaxFloat64, 2.5e-5, 64.513999, 0.3, 1.0 / 3, 1e-4, 9.999999999999999e15}
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		v = append(v, math.Float64frombits(r.Uint64()&^(0x7ff<<52)|uint64(1023+r.IntN(120)-60)<<52))
		v = append(v, float64(r.IntN(1e6))/math.Pow(10, float64(r.IntN(12))))
	}
	return v
}

// TestAgainstPython holds AppendPython to repr() in Debian's python3 (the
// oslo.log peer's interpreter), value for value.
func TestAgainstPython(t *testing.T) {
	vals := values()
	var in strings.Builder
	for _, f := range vals {
		in.WriteString(strconv.FormatFloat(f, 'g', -1, 64) + "\n")
	}
	cmd := exec.Command("/usr/bin/python3", "-c", "import sys\nfor l in sys.stdin: print(repr(float(l)))")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3 (Debian's /usr/bin/python3 is needed): %v", err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(want) != len(vals) {
		t.Fatalf("python3 printed %d lines for %d values", len(want), len(vals))
	}
	for i, f := range vals {
		if got := string(AppendPython(nil, f)); got != want[i] {
			t.Errorf("AppendPython(%v) = %s, repr gives %s", f, got, want[i])
		}
	}
	for _, tc := range []struct {
		f    float64
		want string
	}{{math.NaN(), "nan"}, {math.Inf(1), "inf"}, {math.Inf(-1), "-inf"}, {math.Copysign(0, -1), "-0.0"}} {
		if got := string(AppendPython(nil, tc.f)); got != tc.want {
			t.Errorf("AppendPython(%v) = %s, want %s", tc.f, got, tc.want)
		}
	}
}

// TestAgainstJQ holds AppendJQ to jq, the peer log-format's templates are
// compared with.
func TestAgainstJQ(t *testing.T) {
	vals := values()
	var in strings.Builder
	for _, f := range vals {
		in.WriteString(strconv.FormatFloat(f, 'g', -1, 64) + "\n")
	}
	cmd := exec.Command("jq", ".")
	cmd.Stdin = strings.NewReader(in.String())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jq is needed: %v", err)
	}
	want := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(want) != len(vals) {
		t.Fatalf("jq printed %d lines for %d values", len(want), len(vals))
	}
	for i, f := range vals {
		if got := string(AppendJQ(nil, f)); got != want[i] {
			t.Errorf("AppendJQ(%v) = %s, jq gives %s", f, got, want[i])
		}
	}
}
