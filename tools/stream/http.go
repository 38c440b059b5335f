package stream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/auditlog-go/auditlog/auditlog"

	"github.com/auditlog-go/auditlog/tools/events"
)

// LXD's event types, and the kinds of ours each carries.
var typeKinds = map[string][]string{
	"logging":   {"log", "exception"},
	"operation": {"request", "rpc", "db"},
	"lifecycle": {"lifecycle"},
}

// Types returns the accepted values of type= (a copy).
func Types() []string { return slices.Clone(types) }

var types = []string{"logging", "operation", "lifecycle"}

// TypeOf is the LXD type of an event of kind k.
func TypeOf(kind string) string {
	switch kind {
	case "request", "rpc", "db":
		return "operation"
	case "lifecycle":
		return "lifecycle"
	}
	return "logging"
}

// TypeFilter turns type=logging,operation into a filter on kind; it is an
// error (naming the accepted types) for a type LXD does not have.
func TypeFilter(types []string) (events.Filter, error) {
	f := events.Filter{Field: "kind"}
	for _, t := range types {
		kinds, ok := typeKinds[t]
		if !ok {
			return f, fmt.Errorf("%w: type %q: not one of %s", events.ErrInvalid, t, strings.Join(types, ", "))
		}
		f.Values = append(f.Values, kinds...)
	}
	return f, nil
}

// Cursor is a stream position's opaque form (the SSE id, since=, the
// cursor in each WebSocket message): the store's Seq.
func Cursor(seq int64) string { return strconv.FormatInt(seq, 10) }

// ParseCursor reads since= or Last-Event-ID.
func ParseCursor(s string) (int64, error) {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%w: since %q: not a stream cursor (the id of an event of the stream)", events.ErrInvalid, s)
	}
	return n, nil
}

// Request is one parsed stream request: what to send and from where.
type Request struct {
	Query events.Query
	Since int64 // -1: live only
}

// Handler serves GET /v1/events/stream as Server-Sent Events, or as a
// WebSocket when the request asks to upgrade. parse reads the request —
// the caller's identity and scope, the filters, since= — and answers its
// errors itself (401, 400) before anything is upgraded; when it returns
// ok false the handler does nothing more.
type Handler struct {
	Hub *Hub
	// Location is the server's name in each event's envelope when the line
	// names no host (only oslo.log's JSON lines do: hostname).
	Location string
	// Parse reads a request; see Handler.
	Parse func(w http.ResponseWriter, r *http.Request) (Request, bool)
	// Heartbeat is how often an idle stream says it is alive (default
	// 15 s), so proxies keep it open and clients notice a dead one.
	Heartbeat time.Duration
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	req, ok := h.Parse(w, r)
	if !ok {
		return
	}
	select {
	case <-h.Hub.Started():
	case <-r.Context().Done():
		return
	}
	sub, err := h.Hub.Subscribe(req.Query, req.Since)
	if err != nil {
		status := http.StatusInternalServerError
		if errors.Is(err, events.ErrInvalid) {
			status = http.StatusBadRequest
		}
		http.Error(w, err.Error(), status)
		return
	}
	defer sub.Close()
	if isUpgrade(r) {
		h.serveWebSocket(w, r, sub)
		return
	}
	h.serveSSE(w, r, sub)
}

func isUpgrade(r *http.Request) bool {
	return strings.EqualFold(r.Header.Get("Upgrade"), "websocket")
}

func (h *Handler) heartbeat() time.Duration {
	if h.Heartbeat > 0 {
		return h.Heartbeat
	}
	return 15 * time.Second
}

// serveSSE writes each message as an event: id (the cursor), event (the
// LXD type, or dropped), data (the envelope).
func (h *Handler) serveSSE(w http.ResponseWriter, r *http.Request, sub *Subscriber) {
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	// A first comment, flushed, so the client knows the stream is open
	// (and a test can start inserting).
	if _, err := w.Write([]byte(": stream open\n\n")); err != nil || rc.Flush() != nil {
		return
	}
	// Messages ready together are written together: one write (and one
	// flush) per burst, not per event — at 5,000 events/s to 50 streams the
	// system calls were most of the cost.
	buf := make([]byte, 0, 64<<10)
	for {
		m, ok := sub.TryNext()
		if !ok {
			if len(buf) > 0 {
				if _, err := w.Write(buf); err != nil || rc.Flush() != nil {
					return
				}
				buf = buf[:0]
			}
			var err error
			m, err = h.next(r.Context(), sub)
			if errors.Is(err, errIdle) {
				if _, err := w.Write([]byte(": ping\n\n")); err != nil || rc.Flush() != nil {
					return
				}
				continue
			}
			if err != nil {
				if errors.Is(err, ErrClosed) {
					fmt.Fprintf(w, "event: end\ndata: {\"reason\":%q}\n\n", err.Error())
					rc.Flush()
				}
				return
			}
		}
		if m.Event != nil {
			buf = append(buf, "id: "...)
			buf = strconv.AppendInt(buf, m.Event.Seq, 10)
			buf = append(buf, "\nevent: "...)
			buf = append(buf, TypeOf(m.Event.Kind)...)
		} else {
			buf = append(buf, "event: dropped"...)
		}
		buf = append(buf, "\ndata: "...)
		buf = append(buf, h.envelope(&m)...)
		buf = append(buf, "\n\n"...)
		if len(buf) >= 48<<10 {
			if _, err := w.Write(buf); err != nil {
				return
			}
			buf = buf[:0]
		}
	}
}

// serveWebSocket writes each message as one text frame holding the
// envelope, which carries its cursor.
func (h *Handler) serveWebSocket(w http.ResponseWriter, r *http.Request, sub *Subscriber) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	// The client sends nothing; reading is only for its close and pings.
	ctx := c.CloseRead(r.Context())
	for {
		m, err := h.next(ctx, sub)
		if errors.Is(err, errIdle) {
			pctx, cancel := context.WithTimeout(ctx, h.heartbeat())
			err = c.Ping(pctx)
			cancel()
			if err != nil {
				return
			}
			continue
		}
		if err != nil {
			if errors.Is(err, ErrClosed) {
				c.Close(websocket.StatusGoingAway, "server stopping")
			}
			return
		}
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err = c.Write(wctx, websocket.MessageText, h.envelope(&m))
		cancel()
		if err != nil {
			return
		}
	}
}

var errIdle = errors.New("idle")

// next waits for the next message, or errIdle after a heartbeat's silence.
func (h *Handler) next(ctx context.Context, sub *Subscriber) (Message, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, h.heartbeat(), errIdle)
	defer cancel()
	m, err := sub.Next(ctx)
	if err != nil && context.Cause(ctx) == errIdle && ctx.Err() != nil {
		return m, errIdle
	}
	return m, err
}

// envelope is m's envelope: an event's is encoded once for all the
// streams it goes to.
func (h *Handler) envelope(m *Message) []byte {
	if m.Gap != nil {
		return h.appendEnvelope(nil, *m)
	}
	return m.envelope(func(b []byte, e *events.Event) []byte { return h.appendEnvelope(b, Message{Event: e}) })
}

// appendEnvelope writes LXD's envelope: type, timestamp, location,
// metadata (our line, embedded as it is when it is JSON), plus cursor (the
// Seq to resume after) and project. A gap is type dropped, its metadata
// the count and the cursors to replay between.
func (h *Handler) appendEnvelope(b []byte, m Message) []byte {
	if g := m.Gap; g != nil {
		b = append(b, `{"type":"dropped","timestamp":"`...)
		b = time.Now().UTC().AppendFormat(b, time.RFC3339Nano)
		b = append(b, `","location":`...)
		b = appendJSONString(b, h.Location)
		b = append(b, `,"metadata":{"count":`...)
		b = strconv.AppendInt(b, g.Count, 10)
		b = append(b, `,"after":"`...)
		b = strconv.AppendInt(b, g.After, 10)
		b = append(b, `","through":"`...)
		b = strconv.AppendInt(b, g.Through, 10)
		return append(b, `"}}`...)
	}
	e := m.Event
	b = append(b, `{"type":"`...)
	b = append(b, TypeOf(e.Kind)...)
	b = append(b, `","timestamp":"`...)
	b = e.Time.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","location":`...)
	b = appendJSONString(b, h.location(e))
	b = append(b, `,"cursor":"`...)
	b = strconv.AppendInt(b, e.Seq, 10)
	b = append(b, `","id":`...)
	b = appendJSONString(b, e.ID)
	if e.Project != "" {
		b = append(b, `,"project":`...)
		b = appendJSONString(b, e.Project)
	}
	b = append(b, `,"metadata":`...)
	if e.Format != events.FormatOsloText && (e.Format != "" || json.Valid(e.Raw)) {
		// Stored JSON lines were validated on ingest: embedded as they are.
		b = append(b, e.Raw...)
	} else {
		b = appendJSONString(b, string(e.Raw))
	}
	return append(b, '}')
}

// location is where e happened: the host oslo.log named in the line
// (its JSONFormatter's hostname), else this server. Our own lines name no
// host, so theirs is the server that stored them.
func (h *Handler) location(e *events.Event) string {
	if e.Format == events.FormatOsloJSON {
		var l struct {
			Hostname string `json:"hostname"`
		}
		if json.Unmarshal(e.Raw, &l) == nil && l.Hostname != "" {
			return l.Hostname
		}
	}
	return h.Location
}

// appendJSONString writes s as a JSON string, as our lines do.
func appendJSONString(b []byte, s string) []byte { return auditlog.AppendJSONString(b, s) }
