package oslolog

import "time"

// stamp is a timestamp as oslo.log writes it, "2015-10-29 10:00:00.123",
// checked but not yet turned into a [time.Time]: the [Grouper] compares the
// text of timestamps and only needs the time of the lines that start
// records.
type stamp struct {
	year, month, day, hour, min, sec, nsec int
	frac                                   bool // it had sub-second digits
}

// parse reads a timestamp at b[i:] and returns where it ends. The fixed
// part is read by position, "2006-01-02 15:04:05" (or 'T' between date and
// time); a fraction may follow after '.' (oslo.log's ".%(msecs)03d") or ','
// (Python's default asctime), with any number of digits, of which the first
// nine count. Year 0 is out of range, as it is for Python.
func (t *stamp) parse(b []byte, i int) (int, *ParseError) {
	if len(b)-i < 19 {
		return 0, errNoTime
	}
	c := b[i : i+19]
	if c[4] != '-' || c[7] != '-' || (c[10] != ' ' && c[10] != 'T') || c[13] != ':' || c[16] != ':' {
		return 0, errNoTime
	}
	y1, ok1 := two(c[0], c[1])
	y2, ok2 := two(c[2], c[3])
	mo, ok3 := two(c[5], c[6])
	d, ok4 := two(c[8], c[9])
	h, ok5 := two(c[11], c[12])
	mi, ok6 := two(c[14], c[15])
	s, ok7 := two(c[17], c[18])
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) {
		return 0, errNoTime
	}
	*t = stamp{year: y1*100 + y2, month: mo, day: d, hour: h, min: mi, sec: s}
	j := i + 19
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
		t.nsec, t.frac = ns, true
	}
	if t.year == 0 || mo < 1 || mo > 12 || d < 1 || d > daysIn(mo, t.year) || h > 23 || mi > 59 || s > 59 {
		return 0, errBadTime
	}
	return j, nil
}

// time returns the timestamp read in loc.
func (t *stamp) time(loc *time.Location) time.Time {
	return time.Date(t.year, time.Month(t.month), t.day, t.hour, t.min, t.sec, t.nsec, loc)
}

// two reads two decimal digits.
func two(a, b byte) (int, bool) {
	a -= '0'
	b -= '0'
	return int(a)*10 + int(b), a <= 9 && b <= 9
}

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
