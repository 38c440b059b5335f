package cli

import (
	"fmt"
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

// ParseWhen reads a --since or --until value: an RFC 3339 time, a date and
// time without a zone (read in loc), a date, or a duration meaning that
// long before now (90m, 2h). Empty is the zero time: no bound.
func ParseWhen(s string, now time.Time, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if d, err := time.ParseDuration(s); err == nil {
		return now.Add(-d), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time (2026-11-27T08:00:00Z, 2026-11-27 08:00, 2026-11-27) or a duration ago (90m, 2h)", s)
}
