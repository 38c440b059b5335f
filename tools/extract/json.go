package extract

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/internal/novaapi"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/logline"
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
	APIAction  string    `json:"-"` // attrs.api_action: the body key our middleware named Action from
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

// jsonFields reads, in one pass over a JSON line and without allocating,
// the keys an auditLine holds; the jsonX constants are their slots.
var jsonFields = func() *logline.Fields {
	f := logline.NewFields()
	for _, p := range jsonPaths {
		f.Add(p)
	}
	return f
}()

var jsonPaths = []string{"timestamp", "kind", "action", "message", "service", "status", "duration_ms",
	"context.request_id", "context.global_request_id", "rpc.method", "rpc.route", "target.id", "target.type",
	"user.id", "user.project_id", "attrs." + novaapi.AttrAPIAction}

const (
	jsonTimestamp = iota
	jsonKind
	jsonAction
	jsonMessage
	jsonService
	jsonStatus
	jsonDuration
	jsonRequestID
	jsonGlobalRequestID
	jsonMethod
	jsonRoute
	jsonTargetID
	jsonTargetType
	jsonUserID
	jsonProjectID
	jsonAPIAction
)

// readAuditLine decodes the values of a request line. ok is false when a
// value has the wrong type (a string where a number belongs, say).
func readAuditLine(vals [][]byte) (l auditLine, ok bool) {
	str := func(i int) string {
		v := vals[i]
		if len(v) < 2 || v[0] != '"' {
			return ""
		}
		return string(logline.AppendString(nil, v, false))
	}
	if t, good := logline.ParseTime(vals[jsonTimestamp], nil); good {
		l.Timestamp = t
	}
	l.Kind, l.Action, l.Message, l.Service = str(jsonKind), str(jsonAction), str(jsonMessage), str(jsonService)
	l.Context.RequestID, l.Context.GlobalRequestID = str(jsonRequestID), str(jsonGlobalRequestID)
	l.RPC.Method, l.RPC.Route = str(jsonMethod), str(jsonRoute)
	l.Target.ID, l.Target.Type = str(jsonTargetID), str(jsonTargetType)
	l.User.ID, l.User.ProjectID = str(jsonUserID), str(jsonProjectID)
	l.APIAction = str(jsonAPIAction)
	if v := vals[jsonStatus]; v != nil && string(v) != "null" {
		n, err := strconv.Atoi(string(v))
		if err != nil {
			return l, false
		}
		l.Status = n
	}
	if v := vals[jsonDuration]; v != nil && string(v) != "null" {
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return l, false
		}
		l.DurationMS = f
	}
	return l, true
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
	if e.jsonVals == nil {
		e.jsonVals = make([][]byte, jsonFields.Len())
	}
	vals := e.jsonVals
	if !jsonFields.Extract(text, vals) {
		var v any
		reason := "invalid JSON"
		if err := json.Unmarshal(text, &v); err != nil {
			reason += ": " + err.Error()
		} else {
			reason = "not a JSON object"
		}
		e.stats.malformed(e.opts.MaxMalformed, source, line, reason)
		return e.finalizeDue()
	}
	// Most of our lines are not requests: read their time and go on,
	// decoding nothing else.
	if t, ok := logline.ParseTime(vals[jsonTimestamp], nil); ok {
		e.tick(t)
	}
	if string(vals[jsonKind]) != `"`+auditlog.KindRequest.String()+`"` || vals[jsonTimestamp] == nil {
		return e.finalizeDue()
	}
	l, ok := readAuditLine(vals)
	if !ok || l.Timestamp.IsZero() {
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
		// Lines of older versions of the middleware hold the body's key
		// itself (os-migrateLive); ServerAction names both alike.
		if act := ServerAction(l.Action); act != "" && act != action.Unknown {
			req.kind, req.Action, req.APIAction = kindAPI, act, apiAction(l.Action)
			if api := l.APIAction; req.APIAction == "" && ServerAction(api) == act && api != act {
				req.APIAction = api
			}
		}
	}
	ctx := oslolog.Context{RequestID: l.Context.RequestID, GlobalRequestID: l.Context.GlobalRequestID,
		User: l.User.ID, Project: l.User.ProjectID}
	acc := Access{Method: method, Path: path, Status: l.Status, DurationMS: l.DurationMS}
	e.addAccess(l.Timestamp, req, acc, ctx, ref{src: source, line: line, off: start, role: "audit"}, l.Service)
	return e.finalizeDue()
}
