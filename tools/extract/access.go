package extract

import (
	"slices"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/internal/novaapi"
)

// Access is what an API access line says about one request: the line nova,
// neutron and glance write when a request is done. Two shapes occur:
//
//	10.11.10.1 "POST /v2/p/servers HTTP/1.1" status: 202 len: 733 time: 0.6686139
//	10.0.0.1 - - [29/Oct/2015 10:53:19] "PUT /v2.0/ports/x.json HTTP/1.1" 200 983 1.398919
//
// the first from oslo's wsgi format (nova, and neutron since Liberty), the
// second eventlet's default (glance, older neutron). Newer nova adds
// "microversion: 2.1" before time:, which is skipped.
type Access struct {
	Method     string
	Path       string // as logged, query string included
	Status     int    // 0 when the line has none
	DurationMS float64
}

// ParseAccess reads an access line's message (the text after the request
// context and instance). It reports false for anything else, such as the
// DEBUG lines of HTTP clients, which quote a request line too but are not
// served by this API: the caller checks the logger and level first.
func ParseAccess(msg string) (Access, bool) {
	var a Access
	q := strings.IndexByte(msg, '"')
	if q < 0 {
		return a, false
	}
	rest := msg[q+1:]
	sp := strings.IndexByte(rest, ' ')
	if sp <= 0 || !isMethod(rest[:sp]) {
		return a, false
	}
	a.Method = rest[:sp]
	rest = rest[sp+1:]
	end := strings.IndexByte(rest, '"')
	if end < 0 {
		return a, false
	}
	line := rest[:end]
	rest = rest[end+1:]
	// The request line ends with the protocol; a path has no spaces.
	if sp := strings.LastIndexByte(line, ' '); sp >= 0 && strings.HasPrefix(line[sp+1:], "HTTP/") {
		line = line[:sp]
	}
	if line == "" || line[0] != '/' && !strings.Contains(line, "://") {
		return a, false
	}
	a.Path = line
	rest = strings.TrimLeft(rest, " ")
	if strings.HasPrefix(rest, "status:") {
		// oslo wsgi format: key: value pairs.
		for rest != "" {
			var key, val string
			key, rest, _ = strings.Cut(rest, ":")
			rest = strings.TrimLeft(rest, " ")
			val, rest, _ = strings.Cut(rest, " ")
			rest = strings.TrimLeft(rest, " ")
			switch strings.TrimSpace(key) {
			case "status":
				a.Status, _ = strconv.Atoi(val)
			case "time":
				if f, err := strconv.ParseFloat(val, 64); err == nil {
					a.DurationMS = f * 1000
				}
			}
		}
		return a, true
	}
	// eventlet format: status, length, seconds.
	f := strings.Fields(rest)
	if len(f) >= 1 {
		a.Status, _ = strconv.Atoi(f[0])
	}
	if len(f) >= 3 {
		if s, err := strconv.ParseFloat(f[2], 64); err == nil {
			a.DurationMS = s * 1000
		}
	}
	return a, true
}

func isMethod(s string) bool {
	switch s {
	case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS":
		return true
	}
	return false
}

// pathSegments splits a request path into its segments, without the query
// string and without a ".json" or ".xml" format suffix on the last one
// (old nova and neutron accept both). Empty segments are kept out.
func pathSegments(p string) []string {
	if i := strings.IndexAny(p, "?#"); i >= 0 {
		p = p[:i]
	}
	if i := strings.Index(p, "://"); i >= 0 { // absolute form
		p = p[i+3:]
		if j := strings.IndexByte(p, '/'); j >= 0 {
			p = p[j:]
		} else {
			p = ""
		}
	}
	segs := strings.Split(strings.Trim(p, "/"), "/")
	out := segs[:0]
	for _, s := range segs {
		if s != "" {
			out = append(out, s)
		}
	}
	if n := len(out); n > 0 {
		out[n-1] = strings.TrimSuffix(strings.TrimSuffix(out[n-1], ".json"), ".xml")
	}
	return out
}

// outcome is CADF's reading of an HTTP status.
func outcome(status int) string {
	switch {
	case status >= 200 && status < 400:
		return "success"
	case status >= 400 && status < 600:
		return "failure"
	}
	return "unknown"
}

// apiPath splits the path of an OpenStack API request after its version
// (/v2/images/ID/file: images, [ID file]), dropping a mount point before
// the version (/image/v2/…); false when no collection follows a version.
func apiPath(path string) (collection string, tail []string, ok bool) {
	segs := pathSegments(path)
	for len(segs) > 0 && !novaapi.IsVersion(segs[0]) {
		segs = segs[1:]
	}
	if len(segs) < 2 {
		return "", nil, false
	}
	return segs[1], segs[2:], true
}

// apiRequest is a request on a resource of type typ; the first segment of
// tail, if any, is its id.
func apiRequest(typ string, tail []string) Request {
	r := Request{kind: kindAPI, ResourceType: typ}
	if len(tail) > 0 {
		r.Resource = tail[0]
	}
	return r
}

// crud names the actions every collection has and reports whether the
// request is one: a POST on the collection creates, a DELETE of one item
// deletes, and one of update's methods on an item updates.
func (r *Request) crud(method string, tail []string, update ...string) bool {
	switch {
	case len(tail) == 0 && method == "POST":
		r.kind, r.Action = kindCreate, "create"
	case len(tail) == 1 && method == "DELETE":
		r.Action = "delete"
	case len(tail) == 1 && slices.Contains(update, method):
		r.Action = "update"
	default:
		return false
	}
	return true
}
