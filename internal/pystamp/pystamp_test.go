package pystamp

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string // RFC 3339 in UTC, or the error
		n    int
	}{
		{"2015-10-29 10:00:00.123 4567 INFO", "2015-10-29T10:00:00.123Z", 23},
		{"2015-10-29 10:00:00,123", "2015-10-29T10:00:00.123Z", 23},
		{"2015-10-29T10:00:00", "2015-10-29T10:00:00Z", 19},
		{"2015-10-29 10:00:00.1234567891234", "2015-10-29T10:00:00.123456789Z", 33},
		{"2015-10-29 10:00:00.", "2015-10-29T10:00:00Z", 19},
		{"2024-02-29 00:00:00", "2024-02-29T00:00:00Z", 19},
		{"2023-02-29 00:00:00", "timestamp out of range", 0},
		{"0000-01-01 00:00:00", "timestamp out of range", 0},
		{"2015-13-01 00:00:00", "timestamp out of range", 0},
		{"2015-10-29 24:00:00", "timestamp out of range", 0},
		{"2015-10-29 10:00:60", "timestamp out of range", 0},
		{"2015-10-29 10:00", "no timestamp", 0},
		{"2015/10/29 10:00:00", "no timestamp", 0},
		{"2015-1a-29 10:00:00", "no timestamp", 0},
	} {
		s, n, err := Parse([]byte(c.in))
		got := ""
		if err != nil {
			got = err.Error()
		} else {
			got = s.Time(time.UTC).Format(time.RFC3339Nano)
		}
		if got != c.want || n != c.n {
			t.Errorf("Parse(%q) = %s, %d; want %s, %d", c.in, got, n, c.want, c.n)
		}
	}
}

// FuzzParse holds Parse to time.Parse: what both read, they read alike.
func FuzzParse(f *testing.F) {
	f.Add("2015-10-29 10:00:00.123")
	f.Add("2015-10-29T10:00:00,5")
	f.Add("2024-02-29 23:59:59")
	f.Fuzz(func(t *testing.T, in string) {
		s, n, err := Parse([]byte(in))
		if err != nil {
			return
		}
		if n > len(in) || n < 19 {
			t.Fatalf("Parse(%q) took %d bytes", in, n)
		}
		text := strings.Replace(in[:n], ",", ".", 1)
		layout := "2006-01-02 15:04:05.999999999"
		if text[10] == 'T' {
			layout = "2006-01-02T15:04:05.999999999"
		}
		if len(text) > 29 { // time.Parse reads at most nine fractional digits
			return
		}
		want, perr := time.Parse(layout, text)
		if perr != nil {
			t.Fatalf("Parse(%q) read %v; time.Parse(%q): %v", in, s.Time(time.UTC), text, perr)
		}
		if got := s.Time(time.UTC); !got.Equal(want) {
			t.Fatalf("Parse(%q) = %v, time.Parse = %v", in, got, want)
		}
	})
}
