// Package pystamp reads the timestamps Python's logging and oslo.log write,
// "2015-10-29 10:00:00.123" (oslo.log's ".%(msecs)03d") or
// "2015-10-29 10:00:00,123" (logging's default asctime), by position
// rather than through time.Parse's layouts: they start every line of an
// oslo.log text log and most JSON lines, so both the text parser
// (tools/oslolog) and the JSON field reader (tools/logline) read them here,
// one way.
package pystamp

import (
	"errors"
	"time"
)

// Stamp is a timestamp as written, checked but not yet a [time.Time]
// (the text parser compares timestamps' text and needs the time only of
// the lines that start records).
type Stamp struct {
	Year, Month, Day, Hour, Min, Sec, Nsec int
	Frac                                   bool // it had sub-second digits
}

var (
	// ErrNoTime: b does not start with a timestamp's shape.
	ErrNoTime = errors.New("no timestamp")
	// ErrRange: the shape is there, a field is out of range (month 13,
	// February 30, year 0 — which Python refuses too).
	ErrRange = errors.New("timestamp out of range")
)

// Parse reads the timestamp b starts with and returns it and how many
// bytes it took. The fixed part is read by position, "2006-01-02 15:04:05"
// (or 'T' between date and time); a fraction may follow after '.' or ',',
// with any number of digits, of which the first nine count. Nothing after
// it is read: a zone, a space, the rest of a line are the caller's.
func Parse(b []byte) (Stamp, int, error) {
	if len(b) < 19 {
		return Stamp{}, 0, ErrNoTime
	}
	c := b[:19]
	if c[4] != '-' || c[7] != '-' || (c[10] != ' ' && c[10] != 'T') || c[13] != ':' || c[16] != ':' {
		return Stamp{}, 0, ErrNoTime
	}
	y1, ok1 := two(c[0], c[1])
	y2, ok2 := two(c[2], c[3])
	mo, ok3 := two(c[5], c[6])
	d, ok4 := two(c[8], c[9])
	h, ok5 := two(c[11], c[12])
	mi, ok6 := two(c[14], c[15])
	s, ok7 := two(c[17], c[18])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) {
		return Stamp{}, 0, ErrNoTime
	}
	t := Stamp{Year: y1*100 + y2, Month: mo, Day: d, Hour: h, Min: mi, Sec: s}
	j := 19
	if j+1 < len(b) && (b[j] == '.' || b[j] == ',') && isDigit(b[j+1]) {
		ns, digits := 0, 0
		j++
		for ; j < len(b) && isDigit(b[j]); j++ {
			if digits < 9 {
				ns = ns*10 + int(b[j]-'0')
				digits++
			}
		}
		for ; digits < 9; digits++ {
			ns *= 10
		}
		t.Nsec, t.Frac = ns, true
	}
	if t.Year == 0 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, t.Year) || h > 23 || mi > 59 || s > 59 {
		return Stamp{}, 0, ErrRange
	}
	return t, j, nil
}

// Time is the timestamp read in loc.
func (t Stamp) Time(loc *time.Location) time.Time {
	return time.Date(t.Year, time.Month(t.Month), t.Day, t.Hour, t.Min, t.Sec, t.Nsec, loc)
}

// two reads two decimal digits.
func two(a, b byte) (int, bool) {
	a -= '0'
	b -= '0'
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
