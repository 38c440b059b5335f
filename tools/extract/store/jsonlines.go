package store

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"math"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/internal/novaapi"
	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// JSONOptions configures [NewJSONLines]. A nil *JSONOptions means the
// defaults.
type JSONOptions struct {
	// Sequence numbers the lines (the seq key). nil means a sequence of the
	// store's own, so the lines of one output are numbered 1, 2, 3…
	Sequence *auditlog.Sequence
}

// NewJSONLines returns a Store that writes each action to w as one audit
// line of kind lifecycle (see [package doc] for the line's keys), ready for
// log-format and every other reader of the audit schema.
//
// Each Write builds the whole batch and hands it to w in a single Write
// call, so a batch is all or nothing as far as w is concerned; a short
// write is an error, reported as a [*BatchError]. inserted is len(batch):
// a stream cannot tell what an earlier run wrote, so unlike the database
// stores it does not drop actions written before. Close does not close w.
//
// [package doc]: https://pkg.go.dev/github.com/auditlog-go/auditlog/tools/extract/store
func NewJSONLines(w io.Writer, opts *JSONOptions) Store {
	if opts == nil {
		opts = &JSONOptions{}
	}
	s := &jsonStore{w: w, seq: opts.Sequence, handlers: map[string]*auditlog.Handler{}}
	if s.seq == nil {
		s.seq = new(auditlog.Sequence)
	}
	return s
}

type jsonStore struct {
	gate
	w        io.Writer
	buf      bytes.Buffer
	seq      *auditlog.Sequence
	handlers map[string]*auditlog.Handler // by service: the service is the handler's
}

// defaultService is the service of an action that names none: the API
// service of its mode.
func defaultService(mode string) string {
	if m, ok := action.LookupMode(mode); ok {
		return m.Service
	}
	return action.VM.Service
}

func (s *jsonStore) handler(service string) *auditlog.Handler {
	h := s.handlers[service]
	if h == nil {
		// No Options.Now: it would replace Event.Time, which carries
		// the action's own time.
		h = auditlog.NewHandler(&s.buf, &auditlog.Options{Service: service, Sequence: s.seq})
		s.handlers[service] = h
	}
	return h
}

func (s *jsonStore) Write(ctx context.Context, batch []action.Action) (int, error) {
	return s.gate.write(batch, func(n int) (int, error) { return s.writeBatch(ctx, n, batch) })
}

func (s *jsonStore) writeBatch(ctx context.Context, n int, batch []action.Action) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, batchError(n, batch, err)
	}
	s.buf.Reset()
	for i := range batch {
		a := &batch[i]
		service := a.Service
		if service == "" {
			service = defaultService(a.Mode)
		}
		e := EventOf(a)
		if err := s.handler(service).LogEvent(requestContext(a), &e); err != nil {
			return 0, batchError(n, batch, err)
		}
	}
	written, err := s.w.Write(s.buf.Bytes())
	if err == nil && written < s.buf.Len() {
		err = io.ErrShortWrite
	}
	if s.buf.Cap() > 1<<20 {
		s.buf = bytes.Buffer{} // do not keep a huge batch's buffer
	}
	if err != nil {
		return 0, batchError(n, batch, err)
	}
	return len(batch), nil
}

func (s *jsonStore) Close() error { return s.gate.close(nil) }

// requestContext carries the action's request id to the line's context
// object. It is built afresh, not from the caller's ctx, so a request the
// caller itself is serving never leaks into the lines.
func requestContext(a *action.Action) context.Context {
	if a.RequestID == "" {
		return context.Background()
	}
	return auditlog.NewContext(context.Background(), auditlog.Request{ID: a.RequestID})
}

// EventOf returns the audit event of a: what [NewJSONLines] writes, less
// the request id (which travels in the context: see [auditlog.NewContext]).
// It is exported for callers that log actions through a handler of their
// own.
func EventOf(a *action.Action) auditlog.Event {
	e := auditlog.Event{
		Time:    a.Time,
		Level:   slog.LevelInfo,
		Kind:    auditlog.KindLifecycle,
		Message: message(a),
		Action:  a.Action,
		Target:  auditlog.Target{Type: a.ResourceType, ID: a.Resource},
		User:    auditlog.User{ID: a.UserID, ProjectID: a.ProjectID},
		Attrs:   attrsOf(a),
	}
	if a.Match == action.MatchUnresolved || a.Action == action.Unknown {
		e.Level = slog.LevelWarn
	}
	if a.Method != "" || a.Path != "" {
		e.RPC = auditlog.RPC{System: "http", Method: a.Method, Route: a.Path}
	}
	if a.Status != 0 {
		e.Status = auditlog.Int(int64(a.Status))
	}
	if o, ok := auditlog.ParseOutcome(a.Outcome); ok {
		e.Outcome = o
	}
	if a.DurationMS > 0 {
		e.Duration = time.Duration(math.Round(a.DurationMS * float64(time.Millisecond))) // 0.064514 s is 64.514 ms, not 64.513999
	}
	return e
}

// evidenceAttr is one evidence line in attrs; the encoder sorts its keys.
type evidenceAttr struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	Role   string `json:"role"`
	Rule   string `json:"rule,omitempty"`
}

func attrsOf(a *action.Action) []slog.Attr {
	attrs := make([]slog.Attr, 0, 5)
	if a.APIAction != "" {
		attrs = append(attrs, slog.String(novaapi.AttrAPIAction, a.APIAction))
	}
	if len(a.Evidence) > 0 {
		ev := make([]evidenceAttr, len(a.Evidence))
		for i, e := range a.Evidence {
			ev[i] = evidenceAttr(e)
		}
		attrs = append(attrs, slog.Any("evidence", ev))
	}
	if a.Match != "" {
		attrs = append(attrs, slog.String("matched_by", a.Match))
	}
	if a.Mode != "" {
		attrs = append(attrs, slog.String("mode", a.Mode))
	}
	if a.Rule != "" {
		attrs = append(attrs, slog.String("rule", a.Rule))
	}
	return attrs
}

// howMatched words each way of matching for the message.
var howMatched = map[string]string{
	action.MatchAPI:        "from the API line",
	action.MatchRequestID:  "matched by request id",
	action.MatchTimeWindow: "matched by time window",
	action.MatchInferred:   "inferred",
	action.MatchUnresolved: "unresolved: no log line named the action",
}

// message says the action in a sentence: "pause server 3f2a… (matched by
// request id)".
func message(a *action.Action) string {
	var b strings.Builder
	typ := a.ResourceType
	if typ == "" {
		typ = "resource"
	}
	if a.Action == action.Unknown || a.Action == "" {
		b.WriteString("unknown action on ")
	} else {
		b.WriteString(a.Action)
		b.WriteByte(' ')
	}
	b.WriteString(typ)
	if a.Resource != "" {
		b.WriteByte(' ')
		b.WriteString(a.Resource)
	}
	if a.Match == action.MatchInferred && a.Rule != "" {
		b.WriteString(" (inferred by rule ")
		b.WriteString(a.Rule)
		b.WriteByte(')')
	} else if how := howMatched[a.Match]; how != "" {
		b.WriteString(" (")
		b.WriteString(how)
		b.WriteByte(')')
	} else if a.Match != "" {
		b.WriteString(" (matched by ")
		b.WriteString(a.Match)
		b.WriteByte(')')
	}
	return b.String()
}
