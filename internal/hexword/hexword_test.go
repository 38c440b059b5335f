package hexword

import (
	"fmt"
	"testing"
)

func FuzzPut64(f *testing.F) {
	for _, v := range []uint64{0, 1, 9, 10, 15, 16, 0xdeadbeef, 0x0123456789abcdef, ^uint64(0)} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v uint64) {
		var b [16]byte
		Put64(b[:], v)
		if got, want := string(b[:]), fmt.Sprintf("%016x", v); got != want {
			t.Fatalf("Put64(%#x) = %q, want %q", v, got, want)
		}
	})
}
