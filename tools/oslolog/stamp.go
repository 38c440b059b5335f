package oslolog

import (
	"time"

	"github.com/auditlog-go/auditlog/internal/pystamp"
)

// stamp is a timestamp as oslo.log writes it, "2015-10-29 10:00:00.123",
// checked but not yet turned into a [time.Time]: the [Grouper] compares the
// text of timestamps and only needs the time of the lines that start
// records. It is read by internal/pystamp, as the JSON readers read
// asctime.
type stamp struct {
	pystamp.Stamp
}

// parse reads a timestamp at b[i:] and returns where it ends (see
// pystamp.Parse).
func (t *stamp) parse(b []byte, i int) (int, *ParseError) {
	s, n, err := pystamp.Parse(b[i:])
	switch err {
	case nil:
	case pystamp.ErrRange:
		return 0, errBadTime
	default:
		return 0, errNoTime
	}
	t.Stamp = s
	return i + n, nil
}

// time returns the timestamp read in loc.
func (t *stamp) time(loc *time.Location) time.Time { return t.Stamp.Time(loc) }
