package input

// SourceError is an error reading one input. The tools print it and carry
// on with the other inputs, so it names the input, and the line when the
// input broke partway (a truncated gzip stream, say).
type SourceError struct {
	Source string // the name as given; "-" for standard input
	Line   int64  // the last line delivered before the error; 0 when not about a line
	Err    error
}

// Error reads "api.log: line 12: gzip: invalid checksum", or without a line
// "nope.log: open nope.log: no such file or directory".
func (e *SourceError) Error() string {
	if e.Line > 0 {
		return e.Source + ": line " + itoa(e.Line) + ": " + e.Err.Error()
	}
	return e.Source + ": " + e.Err.Error()
}

// Unwrap returns the underlying error, so errors.Is(err, fs.ErrNotExist)
// works.
func (e *SourceError) Unwrap() error { return e.Err }

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	neg := n < 0
	u := uint64(n)
	if neg {
		u = uint64(-n)
	}
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}
