package cli

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// LoadLocation reads a --timezone value: UTC (also empty), Local, or an
// IANA name (Europe/Paris). oslo.log writes its times without a zone, so
// the commands that read them take one.
func LoadLocation(name string) (*time.Location, error) {
	switch name {
	case "", "UTC", "utc":
		return time.UTC, nil
	case "Local", "local":
		return time.Local, nil
	}
	return time.LoadLocation(name)
}

// ParseWhen reads a time a person gives (--since, --until, an API's
// since=): an RFC 3339 time, a date and time without a zone (read in loc),
// a date (its midnight), or a duration meaning that long before now (Go's
// 90m, 2h, 1h30m, or whole days, 7d; see [ParseAgo]). Empty is the zero
// time: no bound. Every command and the server read times this one way.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, ok := ParseAgo(s); ok {
		if d < 0 {
			return time.Time{}, errors.New("a negative duration ago: give a time instead")
		}
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			if t.Year() < 1 || t.Year() > 9999 {
				break // what no store keeps, and no log was written at
			}
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (2026-11-27T08:00:00Z, 2026-11-27 08:00, 2026-11-27) or a duration ago (90m, 2h, 7d)", s)
}

// ParseAgo reads a duration a person gives: Go's (90s, 15m, 1h30m) or a
// whole number of days (7d, which Go's durations lack).
func ParseAgo(s string) (time.Duration, bool) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n > 100000 || n < -100000 {
			return 0, false
		}
		return time.Duration(n) * 24 * time.Hour, true
	}
	d, err := time.ParseDuration(s)
	return d, err == nil
}
