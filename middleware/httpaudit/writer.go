package httpaudit

import (
	"bufio"
	"io"
	"net"
	"net/http"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// responseWriter is the one object the middleware allocates per request. It
// records what the handler wrote, and also holds the request's auditlog
// context (att), the copy of the request the handler gets (req) and the
// line's message, so that none of them costs an allocation of its own.
type responseWriter struct {
	http.ResponseWriter

	status      int32 // the final status, once wroteHeader
	wroteHeader bool  // a final (non-1xx) status was sent
	hijacked    bool
	bytes       int64 // body bytes the underlying writer accepted

	// id backs the value of both request id response headers, so that
	// setting them needs no []string allocation. The two share it: each
	// slice has capacity one, so an append to either copies.
	id [1]string

	// idText holds the bytes of a generated request id, so that the id
	// costs no allocation of its own: the id points into the writer, which
	// nothing reuses, and is written once before anyone sees it (see
	// inPlace).
	idText [middleware.RequestIDLen]byte

	// roles backs the user's roles when there are few, as there usually
	// are: the writer's size class has room for them.
	roles [3]string

	// peek is the request body as the action map saw it; nil unless the
	// map asked for the body.
	peek *peekedBody

	// msg backs the line's message ("GET /v2.1/servers/5f1e0b9c") when it
	// fits, as it does for most paths, saving the concatenation's
	// allocation; see message. Its length fills the writer's size class
	// (704 bytes, with the allocator's 8-byte header; one byte more and
	// it is 768): a larger writer costs less than a second object.
	msg [msgRoom]byte

	att auditlog.Attachment
	req http.Request // the request the handler gets
}

// msgRoom is the length of responseWriter.msg.
const msgRoom = 80

// message returns method and path joined by a space, in w.msg when they
// fit. It is called once per request, after the handler returned: the
// bytes are written once, before the string exists, and never again (see
// inPlace).
func (w *responseWriter) message(method, path string) string {
	if len(method)+1+len(path) > len(w.msg) {
		return method + " " + path
	}
	b := append(w.msg[:0], method...)
	b = append(b, ' ')
	b = append(b, path...)
	return inPlace(b)
}

// The interfaces net/http's own writer has and the wrapper keeps. Unwrap
// lets http.NewResponseController reach the rest (deadlines, full duplex).
var (
	_ http.Flusher                              = (*responseWriter)(nil)
	_ http.Hijacker                             = (*responseWriter)(nil)
	_ io.ReaderFrom                             = (*responseWriter)(nil)
	_ io.StringWriter                           = (*responseWriter)(nil)
	_ interface{ Unwrap() http.ResponseWriter } = (*responseWriter)(nil)
)

// Unwrap returns the wrapped writer, for http.NewResponseController.
func (w *responseWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// WriteHeader records the first final status. 1xx informational responses
// (103 Early Hints, say) may precede it and are not the request's status;
// 101 Switching Protocols is final, as net/http treats it. A code net/http
// would refuse (it panics) is not recorded, so the line never carries it.
func (w *responseWriter) WriteHeader(code int) {
	if !w.wroteHeader && code >= 100 && code <= 999 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		w.status, w.wroteHeader = int32(code), true
	}
	w.ResponseWriter.WriteHeader(code)
}

// wrote notes that the body has started: net/http sends 200 then, unless a
// status was written first.
func (w *responseWriter) wrote() {
	if !w.wroteHeader {
		w.status, w.wroteHeader = http.StatusOK, true
	}
}

func (w *responseWriter) Write(p []byte) (int, error) {
	w.wrote()
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// WriteString keeps io.WriteString from copying s when the underlying
// writer can take a string, as net/http's can.
func (w *responseWriter) WriteString(s string) (int, error) {
	w.wrote()
	n, err := io.WriteString(w.ResponseWriter, s)
	w.bytes += int64(n)
	return n, err
}

// ReadFrom keeps io.Copy into the response on net/http's fast path
// (sendfile or splice from a file), counting what it sent.
func (w *responseWriter) ReadFrom(src io.Reader) (int64, error) {
	var n int64
	var err error
	if rf, ok := w.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		// writerOnly hides this method from io.Copy, which would call it
		// again.
		n, err = io.Copy(writerOnly{w.ResponseWriter}, src)
	}
	if n > 0 {
		// net/http writes no header for an empty ReadFrom, so neither do
		// we record one.
		w.wrote()
	}
	w.bytes += n
	return n, err
}

type writerOnly struct{ io.Writer }

// Flush sends what is buffered to the client, when the underlying writer
// can; http.Flusher has no way to say it cannot.
func (w *responseWriter) Flush() { _ = w.FlushError() }

// FlushError is what http.NewResponseController calls: it reports
// http.ErrNotSupported when nothing underneath can flush.
func (w *responseWriter) FlushError() error {
	err := http.NewResponseController(w.ResponseWriter).Flush()
	if err == nil {
		w.wrote() // flushing sends the header
	}
	return err
}

// Hijack hands the connection to the handler, when the underlying writer
// allows it. The request's line then carries no status unless one was
// written before, and says "hijacked".
func (w *responseWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, rw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err == nil {
		w.hijacked = true
	}
	return c, rw, err
}
