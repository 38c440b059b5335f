package extract

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// auditLine is what the extractor reads of one of our JSON audit lines
// (see package auditlog for the keys). Only request lines count: they are
// what our middleware writes once per served call, the counterpart of an
// access line.
type auditLine struct {
	Timestamp  time.Time `json:"timestamp"`
	Kind       string    `json:"kind"`
	Action     string    `json:"action"`
	Message    string    `json:"message"`
	Service    string    `json:"service"`
	Status     int       `json:"status"`
	DurationMS float64   `json:"duration_ms"`
	Context    struct {
		RequestID       string `json:"request_id"`
		GlobalRequestID string `json:"global_request_id"`
	} `json:"context"`
	RPC struct {
		Method string `json:"method"`
		Route  string `json:"route"`
	} `json:"rpc"`
	Target struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	} `json:"target"`
	User struct {
		ID        string `json:"id"`
		ProjectID string `json:"project_id"`
	} `json:"user"`
}

// AddJSON adds one of our JSON audit lines whose position is not known;
// see [Extractor.AddJSONAt].
func (e *Extractor) AddJSON(source string, line int64, text []byte) error {
	return e.AddJSONAt(source, line, text, -1, input.Position{})
}

// AddJSONAt adds one of our JSON audit lines: line is its number in source,
// start the offset of its first byte, end the position after it. A request
// line (kind "request") of this mode's API becomes an action like its
// access line would: the same classification of method and path, with the
// action our middleware named (it read the body) taking the place of the
// DEBUG line. A server action it could not name ("unknown") is resolved
// from other lines like an access line's. Other kinds are ignored; a line
// that is not valid JSON counts as malformed.
func (e *Extractor) AddJSONAt(source string, line int64, text []byte, start int64, end input.Position) error {
	if e.err != nil {
		return e.err
	}
	e.stats.Records++
	source = e.intern(source)
	if end.Line > 0 {
		e.pos[source] = end
	}
	var l auditLine
	if err := json.Unmarshal(text, &l); err != nil {
		e.stats.malformed(e.opts.MaxMalformed, source, line, "invalid JSON: "+err.Error())
		return e.finalizeDue()
	}
	e.tick(l.Timestamp)
	if l.Kind != auditlog.KindRequest.String() || l.Timestamp.IsZero() {
		return e.finalizeDue()
	}
	method, path := l.RPC.Method, l.RPC.Route
	// The message of a request line is "METHOD /path": the path as sent,
	// where the route may be a pattern ("/v2.1/servers/{id}/action").
	if m, p, ok := strings.Cut(l.Message, " "); ok && isMethod(m) && strings.HasPrefix(p, "/") {
		method, path = m, p
	}
	req, ok := e.classify(method, path)
	if !ok {
		return e.finalizeDue()
	}
	if req.Resource == "" || strings.HasPrefix(req.Resource, "{") {
		req.Resource = l.Target.ID
	}
	if req.kind == kindServerAction {
		if act := ServerAction(l.Action); act != "" && act != action.Unknown {
			req.kind, req.Action = kindAPI, act
		}
	}
	ctx := oslolog.Context{RequestID: l.Context.RequestID, GlobalRequestID: l.Context.GlobalRequestID,
		User: l.User.ID, Project: l.User.ProjectID}
	acc := Access{Method: method, Path: path, Status: l.Status, DurationMS: l.DurationMS}
	e.addAccess(l.Timestamp, req, acc, ctx, ref{src: source, line: line, off: start, role: "audit"}, l.Service)
	return e.finalizeDue()
}
