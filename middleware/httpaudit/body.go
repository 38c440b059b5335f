package httpaudit

import (
	"bytes"
	"io"
	"net/http"
)

// DefaultBodyLimit is how much of a request body the middleware reads, at
// most, to name an action (see [WithBodyLimit]).
const DefaultBodyLimit = 64 << 10

// peekBody reads at most limit bytes of r's body for the action map and
// gives r a body that yields the whole of it, byte for byte: the prefix,
// then the rest of the original. The result holds the prefix and whether it
// is the whole body. A body declared longer than limit is not read at all.
func peekBody(r *http.Request, limit int) *peekedBody {
	if r.Body == nil || r.Body == http.NoBody {
		return &peekedBody{complete: true}
	}
	if limit <= 0 || r.ContentLength > int64(limit) {
		return &peekedBody{}
	}
	orig := r.Body
	// One byte past the limit tells a body of exactly limit bytes from a
	// longer one.
	prefix, err := io.ReadAll(io.LimitReader(orig, int64(limit)+1))
	var rest io.Reader = orig
	if err != nil {
		// The handler sees the same failure, after the bytes that came.
		rest = errReader{err}
	}
	b := &peekedBody{
		Reader:   io.MultiReader(bytes.NewReader(prefix), rest),
		orig:     orig,
		prefix:   prefix[:min(len(prefix), limit)],
		complete: err == nil && len(prefix) <= limit,
	}
	r.Body = b
	return b
}

// peekedBody is a request body put back together after peeking, and what
// the peek found. Close closes the original, which net/http and the handler
// expect.
type peekedBody struct {
	io.Reader
	orig io.ReadCloser

	prefix   []byte // at most the limit
	complete bool   // prefix is the whole body
}

func (b *peekedBody) Close() error { return b.orig.Close() }

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
