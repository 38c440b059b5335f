package auditlog

import (
	"encoding/hex"
	"encoding/json"
	"math"
	"strconv"
	"testing"
	"time"
)

func TestAppendTimestamp(t *testing.T) {
	cases := []struct {
		in   time.Time
		want string
	}{
		{time.Date(2026, 11, 23, 9, 30, 0, 123456789, time.UTC), `"2026-11-23T09:30:00.123456Z"`},
		{time.Date(2026, 11, 23, 10, 30, 0, 5000, time.FixedZone("CET", 3600)), `"2026-11-23T09:30:00.000005Z"`},
		{time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC), `"0001-01-01T00:00:00.000000Z"`},
		{time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC), `"0000-01-01T00:00:00.000000Z"`},
		{time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC), `"9999-12-31T23:59:59.999999Z"`},
	}
	var c tsCache
	for _, tc := range cases {
		// Twice each: once filling the cache, once from it.
		for range 2 {
			if got := string(c.append(nil, tc.in)); got != tc.want {
				t.Errorf("%v: got %s, want %s", tc.in, got, tc.want)
			}
		}
		if got := string(appendTimestamp(nil, tc.in)); got != tc.want {
			t.Errorf("%v uncached: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestAppendMillis(t *testing.T) {
	cases := map[time.Duration]string{
		0: "0", time.Nanosecond: "0.000001", 42 * time.Microsecond: "0.042", 1500 * time.Millisecond: "1500",
		48250 * time.Microsecond: "48.25", -time.Millisecond: "-1", math.MinInt64: "-9223372036854.775807",
		123456789: "123.456789", 100: "0.0001", 1000100: "1.0001", 999999: "0.999999", 10 * time.Microsecond: "0.01",
	}
	for d, want := range cases {
		if got := string(appendMillis(nil, d)); got != want {
			t.Errorf("%v: got %s, want %s", d, got, want)
		}
	}
}

func TestAppendStringRoundTrips(t *testing.T) {
	for _, s := range []string{"", "plain", "quote\" back\\ slash", "\x00\x1f\x7f", "\n\r\t", "é日本\U0001F600", "\u2028\u2029"} {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil || got != s {
			t.Errorf("%q: encoded %s, decoded %q, %v", s, b, got, err)
		}
	}
}

// TestAppendHex checks the eight-bytes-at-a-time hex against encoding/hex,
// for every length a trace id, a span id or a hash has and the ones
// between.
func TestAppendHex(t *testing.T) {
	b := make([]byte, 40)
	for i := range b {
		b[i] = byte(i*37 + 0xa5)
	}
	b[0], b[1], b[2] = 0x00, 0xff, 0x9a
	for n := 0; n <= len(b); n++ {
		if got, want := string(appendHex([]byte("x"), b[:n])), "x"+hex.EncodeToString(b[:n]); got != want {
			t.Errorf("%d bytes: got %s, want %s", n, got, want)
		}
	}
}

// TestSchemaVersionText checks the constant every line copies against the
// number it stands for.
func TestSchemaVersionText(t *testing.T) {
	if schemaVersionText != strconv.Itoa(SchemaVersion) {
		t.Errorf("schemaVersionText is %q, SchemaVersion %d", schemaVersionText, SchemaVersion)
	}
}
