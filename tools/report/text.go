package report

import (
	"strings"

	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/logline"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// fromText fills r from an oslo.log text record. The record's strings
// are kept as they are (the Grouper allocated them for this record).
//
// An API access line, the INFO line nova, glance and neutron write when a
// request is done (see extract.ParseAccess), reads as a served request:
// its method, a route with the ids replaced by {id}, its status and its
// time in milliseconds. A record whose continuation holds a Python
// traceback, or a TRACE line, is an exception whose type is the
// traceback's last line's. "Starting compute node (version 21.2.3)" gives
// the writer's version, for the automatic before/after split.
func fromText(rec *oslolog.Record, r *Record) {
	*r = Record{
		Source:     r.Source,
		Line:       rec.Line,
		Time:       rec.Time.UnixMicro(),
		Kind:       "log",
		Service:    rec.Logger,
		UserID:     rec.Context.User,
		Project:    rec.Context.Project,
		RequestID:  rec.Context.RequestID,
		Message:    rec.Message,
		TargetType: "",
	}
	if rec.Instance != "" {
		r.TargetType, r.TargetID = "server", rec.Instance
	}
	if rec.Level == "TRACE" {
		r.Level, r.Kind = logline.RankError, "exception"
	} else if _, rank, ok := logline.ParseLevel(rec.Level); ok {
		r.Level = rank
	} else {
		r.Level = logline.RankInfo // AUDIT and the like
	}
	for i, x := range rec.Extra {
		if strings.Contains(x, "Traceback (most recent call last)") {
			r.Kind = "exception"
			r.ExcType = traceType(rec.Extra[i:])
			break
		}
	}
	if r.Kind == "exception" && r.ExcType == "" && rec.Level == "TRACE" {
		r.ExcType = pythonExcType(rec.Message)
	}
	if r.Level == logline.RankInfo && (strings.Contains(rec.Message, "\" status: ") || strings.Contains(rec.Message, " HTTP/1.")) {
		if a, ok := extract.ParseAccess(rec.Message); ok && a.Status > 0 {
			r.Kind = "request"
			r.Method = a.Method
			r.Route = routeOf(a.Path)
			r.Action = methodAction(a.Method, r.Route)
			r.System = "http"
			r.Status, r.HasStatus = a.Status, true
			r.DurationMS, r.HasDuration = a.DurationMS, true
			r.Outcome = "success"
			if a.Status >= 400 {
				r.Outcome = "failure"
			}
			if sp := strings.IndexByte(rec.Message, ' '); sp > 0 && strings.IndexByte(rec.Message[:sp], '"') < 0 {
				r.RemoteAddr = rec.Message[:sp]
			}
		}
	}
	if i := strings.Index(rec.Message, "(version "); i >= 0 && strings.HasPrefix(rec.Message, "Starting ") {
		v := rec.Message[i+len("(version "):]
		if j := strings.IndexByte(v, ')'); j > 0 {
			r.Version = v[:j]
		}
	}
}

// methodAction names the action of an access line as our HTTP middleware
// names a route it has no table for, by method as CADF does: GET and HEAD
// read, POST create, PUT and PATCH update, DELETE delete. A server action
// (POST …/action) is named by its body, which an access line does not
// show: it is "unknown" here, and log-extract resolves it from the other
// lines of the request.
func methodAction(method, route string) string {
	switch method {
	case "GET", "HEAD":
		return "read"
	case "POST":
		if strings.HasSuffix(route, "/action") {
			return "unknown"
		}
		return "create"
	case "PUT", "PATCH":
		return "update"
	case "DELETE":
		return "delete"
	}
	return "unknown"
}

// traceType is the exception type a traceback ends with: the last line
// that is not indented (code and "File …" lines are) and is shaped like
// "module.Error: message". Its lines may carry oslo.log's prefix (old
// releases wrote each line as a TRACE record): the message after it is
// what counts. Lines after it that are not a traceback's (a body logged
// with the record) are passed over.
func traceType(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		l := strings.TrimRight(lines[i], " \r")
		if rec, err := oslolog.ParseLine([]byte(l), nil); err == nil {
			l = strings.TrimRight(rec.Message, " ")
		}
		if l == "" || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		if strings.HasPrefix(l, "Traceback (most recent call last)") {
			return ""
		}
		if t := pythonExcType(l); t != "" {
			return t
		}
	}
	return ""
}

// routeOf makes a route of a request path: the query string dropped, and
// each segment that is an id (a uuid, hex of 16 or more, digits, or a
// nova project id) written {id}, so that the calls of one API group
// together: /v2/807a…/servers/a18a…/action is /v2/{id}/servers/{id}/action.
func routeOf(path string) string {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if i := strings.Index(path, "://"); i >= 0 {
		if j := strings.IndexByte(path[i+3:], '/'); j >= 0 {
			path = path[i+3+j:]
		}
	}
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if isID(strings.TrimSuffix(s, ".json")) {
			segs[i] = "{id}"
		}
	}
	return strings.Join(segs, "/")
}

func isID(s string) bool {
	if s == "" {
		return false
	}
	digits, hex := true, 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			hex++
		case c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F':
			digits = false
			hex++
		case c == '-':
			digits = false
		default:
			return false
		}
	}
	return digits || hex >= 16
}
