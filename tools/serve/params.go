package serve

import (
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// ParamError is a query parameter the API cannot take: a 400 whose body
// names the parameter, the value and the forms it accepts.
type ParamError struct {
	Param    string // as the client spelled it
	Value    string
	Reason   string
	Accepted string // the forms the parameter takes
}

func (e *ParamError) Error() string {
	s := fmt.Sprintf("parameter %q", e.Param)
	if e.Value != "" {
		s += fmt.Sprintf(" = %q", clip(e.Value, 80))
	}
	s += ": " + e.Reason
	if e.Accepted != "" {
		s += " (accepted: " + e.Accepted + ")"
	}
	return s
}

// A param is one name the query API knows, as the client may spell it,
// and what it sets.
type param struct {
	canonical string // our name, which the others are aliases of
	accepted  string // the forms, for errors
}

// Forms of the values, as the errors list them.
const (
	formText    = "a value, a comma-separated list of values (any of them), or either with a ! prefix (none of them)"
	formTime    = "RFC 3339 (2026-11-27T08:00:00Z), a date (2026-11-27), or a duration ago (90s, 15m, 1h, 7d)"
	formLimit   = "an integer from 1 to 1000 (default 100)"
	formCursor  = "the next value of a previous page, or an event id"
	formSort    = "time:asc or time:desc (or asc, desc)"
	formLevel   = "DEBUG, INFO, WARNING, ERROR or CRITICAL: one is a minimum; a list (A,B) or !A is exactly those (or none of them)"
	formOutcome = "success, failure or unknown (Tacker's resource states ACTIVE and ERROR read as success and failure), a list, or a ! prefix"
	formStatus  = "an HTTP status or gRPC code (0 to 999), or an outcome as for resource_state; a list, or a ! prefix"
	formKind    = "log, request, rpc, db, exception or lifecycle; a list, or a ! prefix"
	formFormat  = "audit, oslo-json or oslo-text; a list, or a ! prefix"
	formQ       = "text to find in the message (case-insensitive)"
)

// params are the query parameters of GET /v1/events: ours, and Tacker's
// names from seed 002 (resource_id, resource_type, event_type, status,
// start-time, end-time, index, count) as aliases. A name not here is a
// 400: a misspelt filter must not silently widen a query.
var params = map[string]param{
	"target_id":         {"target_id", formText},
	"resource_id":       {"target_id", formText},
	"target_type":       {"target_type", formText},
	"resource_type":     {"target_type", formText},
	"action":            {"action", formText},
	"event_type":        {"action", formText},
	"outcome":           {"outcome", formOutcome},
	"resource_state":    {"outcome", formOutcome},
	"status":            {"status", formStatus},
	"user":              {"user", formText},
	"user_id":           {"user_id", formText},
	"user_name":         {"user_name", formText},
	"project":           {"project", formText},
	"request_id":        {"request_id", formText},
	"global_request_id": {"global_request_id", formText},
	"service":           {"service", formText},
	"kind":              {"kind", formKind},
	"format":            {"format", formFormat},
	"level":             {"level", formLevel},
	"since":             {"since", formTime},
	"start-time":        {"since", formTime},
	"start_time":        {"since", formTime},
	"until":             {"until", formTime},
	"end-time":          {"until", formTime},
	"end_time":          {"until", formTime},
	"after":             {"after", formCursor},
	"index":             {"after", formCursor},
	"limit":             {"limit", formLimit},
	"count":             {"limit", formLimit},
	"q":                 {"q", formQ},
	"sort":              {"sort", formSort},
}

// filterFields are the canonical names that become [events.Filter]s (and
// may be repeated: every occurrence must hold). The others are single.
var filterFields = map[string]bool{
	"target_id": true, "target_type": true, "action": true, "outcome": true, "status": true,
	"user": true, "user_id": true, "user_name": true, "project": true, "request_id": true,
	"global_request_id": true, "service": true, "kind": true, "format": true, "level": true,
}

// ParamNames are the parameter names GET /v1/events takes, sorted.
func ParamNames() []string {
	names := make([]string, 0, len(params))
	for n := range params {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// ParseQuery reads the query parameters of GET /v1/events into a query
// (without its scope, which is the caller's, not the client's to give).
// now is the clock for durations ago ("1h"). The error is a
// [*ParamError].
func ParseQuery(v url.Values, now time.Time) (events.Query, error) {
	return parseQuery(v, now, nil)
}

// parseQuery is ParseQuery restricted to the canonical names in only
// (all when nil), for the endpoints and flags that take part of the
// grammar.
func parseQuery(v url.Values, now time.Time, only map[string]bool) (events.Query, error) {
	var q events.Query
	names := make([]string, 0, len(v))
	for n := range v {
		names = append(names, n)
	}
	sort.Strings(names) // the first error is the same on every call
	seen := map[string]string{}
	for _, name := range names {
		p, ok := params[name]
		if !ok || (only != nil && !only[p.canonical]) {
			return q, unknownParam(name, only)
		}
		vals := v[name]
		if !filterFields[p.canonical] {
			if prev, dup := seen[p.canonical]; dup || len(vals) > 1 {
				if !dup {
					prev = name
				}
				return q, &ParamError{Param: name, Reason: fmt.Sprintf("given more than once (as %s and %s)", prev, name), Accepted: "once"}
			}
			seen[p.canonical] = name
		}
		for _, val := range vals {
			if err := setParam(&q, p, name, val, now); err != nil {
				return q, err
			}
		}
	}
	if !q.Since.IsZero() && !q.Until.IsZero() && !q.Since.Before(q.Until) {
		return q, &ParamError{Param: seen["until"], Value: v.Get(seen["until"]),
			Reason: "the window is empty: until is not after since", Accepted: formTime}
	}
	return q, nil
}

func unknownParam(name string, only map[string]bool) error {
	if name == "" {
		return &ParamError{Param: name, Reason: "a parameter without a name (a stray = or &?)", Accepted: "name=value pairs"}
	}
	var known []string
	for _, n := range ParamNames() {
		if only == nil || only[params[n].canonical] {
			known = append(known, n)
		}
	}
	return &ParamError{Param: name, Reason: "unknown parameter", Accepted: strings.Join(known, ", ")}
}

// set applies one value of parameter p (spelt name).
func setParam(q *events.Query, p param, name, val string, now time.Time) error {
	bad := func(reason string) error {
		return &ParamError{Param: name, Value: val, Reason: reason, Accepted: p.accepted}
	}
	switch p.canonical {
	case "since", "until":
		t, err := ParseTime(val, now)
		if err != nil {
			return bad(err.Error())
		}
		if p.canonical == "since" {
			q.Since = t
		} else {
			q.Until = t
		}
		return nil
	case "limit":
		n, err := strconv.Atoi(strings.TrimSpace(val))
		if err != nil {
			return bad("not an integer")
		}
		if n < 1 || n > events.MaxLimit {
			return bad("out of range")
		}
		q.Limit = n
		return nil
	case "after":
		c, err := events.ParseCursor(strings.TrimSpace(val))
		if err != nil || c.IsZero() {
			return bad("not a cursor (as given in next) nor an event id")
		}
		q.After = c
		return nil
	case "sort":
		switch strings.ToLower(strings.TrimSpace(val)) {
		case "time:asc", "asc":
			q.Desc = false
		case "time:desc", "desc":
			q.Desc = true
		default:
			return bad("unknown order")
		}
		return nil
	case "q":
		if val == "" {
			return bad("empty text")
		}
		q.Text = val
		return nil
	}
	f, err := parseFilter(p.canonical, val)
	if err != nil {
		return bad(err.Error())
	}
	if p.canonical == "level" && !f.Not && len(f.Values) == 1 {
		q.MinLevel = f.Values[0]
		return nil
	}
	q.Filters = append(q.Filters, f)
	return nil
}
