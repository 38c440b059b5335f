package input

import "strconv"

// SourceError is an error reading one input. The tools print it and carry
// on with the other inputs, so it names the input and, when the input broke
// partway (a truncated gzip stream, say), how far it got.
type SourceError struct {
	// Source is the name as given to [Open]; "-" for standard input.
	Source string
	// Line is the number of lines read from Source before the error, all
	// of them delivered; 0 when the error is not about the content (the
	// file could not be opened) or came before the first line.
	Line int64
	Err  error
}

// Error reads "api.log: line 12: gzip: invalid checksum", or without a line
// "nope.log: open nope.log: no such file or directory".
func (e *SourceError) Error() string {
	if e.Line > 0 {
		return e.Source + ": line " + strconv.FormatInt(e.Line, 10) + ": " + e.Err.Error()
	}
	return e.Source + ": " + e.Err.Error()
}

// Unwrap returns the underlying error, so errors.Is(err, fs.ErrNotExist)
// works.
func (e *SourceError) Unwrap() error { return e.Err }
