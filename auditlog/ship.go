package auditlog

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// This file holds the Shipper: a destination that sends lines to an
// auditlog events server (log-serve) over HTTP, so that a service can
// keep its audit trail in a store without a collector in between.

// The defaults of [ShipperOptions].
const (
	defaultShipLines    = 500
	defaultShipBytes    = 1 << 20
	defaultShipInterval = time.Second
	defaultShipTimeout  = 10 * time.Second
	defaultShipClose    = 5 * time.Second
)

// ErrShipperClosed is returned by [Shipper.Write] after [Shipper.Close].
var ErrShipperClosed = errors.New("auditlog: shipper closed")

// ShipperOptions configures a [Shipper]. A nil *ShipperOptions means all
// defaults; so does the zero value of each field.
type ShipperOptions struct {
	// Token is sent as "Authorization: Bearer <token>". It is never
	// written anywhere else: not in errors, not in Stats.
	Token string

	// Client makes the requests. Default: an http.Client with a 10s
	// timeout, so that a server that never answers cannot hold the
	// writer for ever (AsyncWriter cannot interrupt a Write).
	Client *http.Client

	// BatchLines and BatchBytes bound a batch (uncompressed); a line that
	// would take a batch past either is sent in the next one. Defaults:
	// 500 lines, 1 MiB.
	BatchLines int
	BatchBytes int

	// Interval is how long a batch that is not full waits before it is
	// sent anyway. Default: 1s.
	Interval time.Duration

	// CloseTimeout is how long Close keeps trying to send the last batch
	// while the server fails. Default: 5s.
	CloseTimeout time.Duration

	// OnRejected, if not nil, is called for each line the server
	// answered it refused (not a valid line), with the line and the
	// server's reason. Such lines are counted in Stats.Rejected and not
	// sent again: sending the same bytes again cannot make them valid.
	OnRejected func(line []byte, reason string)

	// OnError, if not nil, is called with each failure of a send that no
	// Write returns: the ones the interval timer makes.
	OnError func(error)
}

// ShipperStats is a snapshot of a [Shipper]'s counters, in lines.
type ShipperStats struct {
	Taken      uint64 // lines given to Write and kept
	Sent       uint64 // lines in requests the server answered with 2xx
	Accepted   uint64 // of those, stored as new (as the server counts)
	Duplicates uint64 // of those, already stored
	Rejected   uint64 // of those, refused by the server as invalid
	Failures   uint64 // requests that failed (transport error or non-2xx)
	Lost       uint64 // lines given up at Close
	Pending    int    // lines waiting in the batch
}

// Shipper is an io.Writer that sends whole lines to an auditlog events
// server: it keeps them in a batch and POSTs each batch, gzip-compressed
// NDJSON, to <url>/v1/events, when it is full (BatchLines, BatchBytes),
// when it has waited Interval, and on Flush and Close.
//
// It is meant to sit behind an [AsyncWriter], whose [Policy] then applies
// to a server that is slow or away:
//
//	ship := auditlog.NewShipper("http://127.0.0.1:8080", &auditlog.ShipperOptions{Token: token})
//	w := auditlog.NewAsyncWriter(ship, &auditlog.AsyncOptions{Policy: auditlog.Block})
//	logger := auditlog.New(w, &auditlog.Options{Service: "compute-api"})
//	…
//	w.Close()    // every line handed to the shipper…
//	ship.Close() // …and the last batch sent
//
// The contract with the AsyncWriter: Write copies the line into the batch
// (it keeps nothing of p). When the batch has no room for it, Write first
// sends the batch; if that fails, Write returns 0 and the error, the line
// is not taken and the batch is kept whole, so the AsyncWriter retries the
// same line with back-off while the server is away (Block waits, Drop
// drops and counts the lines that do not fit in its buffer, Fail refuses
// them) and nothing it took is lost. A line that fits is taken at once and
// Write returns nil: it is sent with its batch.
//
// What the server answers. A non-2xx status is a failure of the whole
// request: the batch is kept and sent again. A 2xx answer may still list
// lines the server refused, as log-serve's does:
//
//	{"accepted": 498, "duplicates": 0, "rejected": [{"line": 7, "reason": "…"}]}
//
// (line numbers within the request, from 1). Those lines are counted in
// [ShipperStats].Rejected and reported to OnRejected, and not sent again.
//
// A Shipper is safe for concurrent use; Close it to send the last batch
// and stop its timer.
type Shipper struct {
	endpoint     string
	token        string
	client       *http.Client
	maxLines     int
	maxBytes     int
	interval     time.Duration
	closeTimeout time.Duration
	onRejected   func([]byte, string)
	onError      func(error)

	mu      sync.Mutex
	batch   []byte // whole lines, each ended by '\n'
	ends    []int  // where each line of batch ends
	partial []byte // the start of a line whose '\n' has not come yet
	since   time.Time
	closed  bool
	gz      *gzip.Writer
	body    bytes.Buffer
	stats   ShipperStats

	stop chan struct{}
	done chan struct{}
}

var _ io.Writer = (*Shipper)(nil)

// NewShipper returns a Shipper that sends to the events server at url
// (its base: "http://host:port"; "/v1/events" is added), and starts its
// timer.
func NewShipper(url string, opts *ShipperOptions) *Shipper {
	var o ShipperOptions
	if opts != nil {
		o = *opts
	}
	if o.Client == nil {
		o.Client = &http.Client{Timeout: defaultShipTimeout}
	}
	if o.BatchLines <= 0 {
		o.BatchLines = defaultShipLines
	}
	if o.BatchBytes <= 0 {
		o.BatchBytes = defaultShipBytes
	}
	if o.Interval <= 0 {
		o.Interval = defaultShipInterval
	}
	if o.CloseTimeout <= 0 {
		o.CloseTimeout = defaultShipClose
	}
	s := &Shipper{
		endpoint:     strings.TrimRight(url, "/") + "/v1/events",
		token:        o.Token,
		client:       o.Client,
		maxLines:     o.BatchLines,
		maxBytes:     o.BatchBytes,
		interval:     o.Interval,
		closeTimeout: o.CloseTimeout,
		onRejected:   o.OnRejected,
		onError:      o.OnError,
		stop:         make(chan struct{}),
		done:         make(chan struct{}),
	}
	go s.tick()
	return s
}

// Write takes the whole lines in p into the batch; see [Shipper] for when
// it sends and what an error means. Bytes after p's last newline are kept
// until the rest of their line comes.
func (s *Shipper) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return 0, ErrShipperClosed
	}
	if len(p) == 0 {
		return 0, nil
	}
	lines := bytes.Count(p, []byte{'\n'})
	if len(s.ends) > 0 && (len(s.ends)+lines > s.maxLines || len(s.batch)+len(s.partial)+len(p) > s.maxBytes) {
		if err := s.send(context.Background()); err != nil {
			return 0, err
		}
	}
	rest := p
	for {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			s.partial = append(s.partial, rest...)
			break
		}
		s.addLine(rest[:i+1])
		rest = rest[i+1:]
	}
	return len(p), nil
}

// addLine appends one line ending in '\n', after the partial start of it.
func (s *Shipper) addLine(line []byte) {
	if len(s.ends) == 0 {
		s.since = time.Now()
	}
	if len(s.partial) > 0 {
		s.batch = append(s.batch, s.partial...)
		s.partial = s.partial[:0]
	}
	s.batch = append(s.batch, line...)
	s.ends = append(s.ends, len(s.batch))
	s.stats.Taken++
}

// Flush sends the batch now, and returns the error of the request if it
// failed (the batch is then kept).
func (s *Shipper) Flush() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.send(context.Background())
}

// Close stops the timer and sends what is left, a last line without its
// newline included, trying again while the server fails for up to
// CloseTimeout. Lines it could not send are counted as Lost and the error
// says how many. Write returns ErrShipperClosed afterwards; Close may be
// called more than once.
func (s *Shipper) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	if len(s.partial) > 0 {
		line := append(s.partial, '\n')
		s.partial = nil
		s.addLine(line)
	}
	s.mu.Unlock()
	close(s.stop)
	<-s.done

	s.mu.Lock()
	defer s.mu.Unlock()
	deadline := time.Now().Add(s.closeTimeout)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	wait := 50 * time.Millisecond
	for {
		err := s.send(ctx)
		if err == nil {
			return nil
		}
		if time.Until(deadline) < wait {
			n := len(s.ends)
			s.stats.Lost += uint64(n)
			s.batch, s.ends = s.batch[:0], s.ends[:0]
			return fmt.Errorf("auditlog: shipper closed with %d lines not sent: %w", n, err)
		}
		time.Sleep(wait)
		wait = min(2*wait, time.Second)
	}
}

// Stats returns a snapshot of the counters.
func (s *Shipper) Stats() ShipperStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stats
	st.Pending = len(s.ends)
	return st
}

// tick sends a batch that has waited Interval.
func (s *Shipper) tick() {
	defer close(s.done)
	t := time.NewTicker(max(s.interval/4, time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		s.mu.Lock()
		var err error
		if len(s.ends) > 0 && time.Since(s.since) >= s.interval {
			err = s.send(context.Background())
			if err != nil {
				s.since = time.Now() // try again an interval later
			}
		}
		s.mu.Unlock()
		if err != nil && s.onError != nil {
			s.onError(err)
		}
	}
}

// ShipError is a request the server did not take: a transport failure
// (Status 0) or a non-2xx answer.
type ShipError struct {
	Status int    // HTTP status; 0 when no answer came
	Body   string // the start of the server's answer
	Err    error  // the transport's error, when Status is 0
}

func (e *ShipError) Error() string {
	if e.Status == 0 {
		return "auditlog: shipping lines: " + e.Err.Error()
	}
	msg := "auditlog: shipping lines: server answered " + strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

func (e *ShipError) Unwrap() error { return e.Err }

// shipAnswer is what log-serve answers to a POST of lines.
type shipAnswer struct {
	Accepted   uint64          `json:"accepted"`
	Duplicates uint64          `json:"duplicates"`
	Rejected   json.RawMessage `json:"rejected"` // a list of {line, reason}, or a count
	Errors     []shipRejected  `json:"errors"`   // the list, when rejected is a count
}

type shipRejected struct {
	Line   int    `json:"line"`
	Reason string `json:"reason"`
}

// send posts the batch; s.mu is held. On success the batch is emptied.
func (s *Shipper) send(ctx context.Context) error {
	if len(s.ends) == 0 {
		return nil
	}
	s.body.Reset()
	if s.gz == nil {
		s.gz = gzip.NewWriter(&s.body)
	} else {
		s.gz.Reset(&s.body)
	}
	s.gz.Write(s.batch) // a bytes.Buffer does not fail
	s.gz.Close()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(s.body.Bytes()))
	if err != nil {
		return &ShipError{Err: err}
	}
	req.Header.Set("Content-Type", "application/x-ndjson")
	req.Header.Set("Content-Encoding", "gzip")
	if s.token != "" {
		req.Header.Set("Authorization", "Bearer "+s.token)
	}
	resp, err := s.client.Do(req)
	if err != nil {
		s.stats.Failures++
		return &ShipError{Err: err}
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		s.stats.Failures++
		return &ShipError{Status: resp.StatusCode, Body: snippet(answer)}
	}
	s.stats.Sent += uint64(len(s.ends))
	var a shipAnswer
	if json.Unmarshal(answer, &a) == nil {
		s.stats.Accepted += a.Accepted
		s.stats.Duplicates += a.Duplicates
		list := a.Errors
		var rej []shipRejected
		var count uint64
		if json.Unmarshal(a.Rejected, &rej) == nil {
			list = append(rej, list...)
		} else if json.Unmarshal(a.Rejected, &count) == nil && len(list) == 0 {
			s.stats.Rejected += count
		}
		s.stats.Rejected += uint64(len(list))
		if s.onRejected != nil {
			for _, r := range list {
				s.onRejected(s.lineOf(r.Line), r.Reason)
			}
		}
	}
	s.batch, s.ends = s.batch[:0], s.ends[:0]
	return nil
}

// lineOf returns line n (from 1) of the batch, without its newline, or
// nil when the server named a line the batch does not have.
func (s *Shipper) lineOf(n int) []byte {
	if n < 1 || n > len(s.ends) {
		return nil
	}
	from := 0
	if n > 1 {
		from = s.ends[n-2]
	}
	return bytes.Clone(s.batch[from : s.ends[n-1]-1])
}

// snippet is the start of a server's answer, for an error message: one
// line, at most 200 bytes.
func snippet(b []byte) string {
	b = bytes.TrimSpace(b)
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	if len(b) > 200 {
		b = b[:200]
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
