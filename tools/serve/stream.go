package serve

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/tools/stream"
)

// streamFilters are the parts of the query grammar the stream takes: every
// filter of GET /v1/events and its time window under Tacker's names
// (start-time, end-time; until too). since= is the stream's own: a cursor to resume
// after, as Last-Event-ID is; paging and sorting mean nothing to a stream.
var streamFilters = func() map[string]bool {
	m := map[string]bool{"since": true, "until": true} // reached as start-time, end-time
	for f := range filterFields {
		m[f] = true
	}
	return m
}()

// parseStream reads GET /v1/events/stream: the caller (401 without one),
// the filters, type= (LXD's logging, operation, lifecycle), all-projects
// (admin only: 403 otherwise) and where to start. Every error is answered
// here, before any upgrade to a WebSocket.
func (s *Server) parseStream(w http.ResponseWriter, r *http.Request) (stream.Request, bool) {
	req := stream.Request{Since: -1}
	var id Identity
	ok := false
	s.authed(func(_ http.ResponseWriter, _ *http.Request, got Identity) { id, ok = got, true })(w, r)
	if !ok {
		return req, false
	}
	v := url.Values{}
	for k, vs := range r.URL.Query() {
		v[k] = vs
	}
	since := r.Header.Get("Last-Event-ID")
	if vs, ok := v["since"]; ok {
		if len(vs) != 1 {
			writeParamError(w, &ParamError{Param: "since", Reason: "given more than once", Accepted: "once"})
			return req, false
		}
		since = vs[0] // the parameter wins over the header, as the more deliberate
		delete(v, "since")
	}
	if since != "" {
		n, err := stream.ParseCursor(since)
		if err != nil {
			writeParamError(w, &ParamError{Param: "since", Value: since, Reason: "not a stream cursor", Accepted: "the id: (SSE) or cursor (WebSocket) of an event the stream sent"})
			return req, false
		}
		req.Since = n
	}
	var types []string
	for _, t := range v["type"] {
		types = append(types, strings.Split(t, ",")...)
	}
	delete(v, "type")
	all := false
	if vs, ok := v["all-projects"]; ok {
		b, err := strconv.ParseBool(vs[len(vs)-1])
		if err != nil {
			writeParamError(w, &ParamError{Param: "all-projects", Value: vs[len(vs)-1], Reason: "not a boolean", Accepted: "true or false"})
			return req, false
		}
		all = b
		delete(v, "all-projects")
	}
	if all && !id.Admin() {
		writeError(w, http.StatusForbidden, "all-projects is for admins: your events are those of project "+strconv.Quote(id.Project))
		return req, false
	}
	q, err := parseQuery(v, s.o.Now(), streamFilters)
	if err != nil {
		s.badParam(w, err)
		return req, false
	}
	if len(types) > 0 {
		f, err := stream.TypeFilter(types)
		if err != nil {
			writeParamError(w, &ParamError{Param: "type", Value: strings.Join(types, ","), Reason: "unknown type", Accepted: strings.Join(stream.Types(), ", ")})
			return req, false
		}
		q.Filters = append(q.Filters, f)
	}
	q.Scope = id.Scope()
	req.Query = q
	s.read(r, "stream events", 0)
	return req, true
}

// location is the server's name in the stream's envelopes.
func location() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "log-serve"
	}
	return h
}

// RunStream feeds the stream from the store until ctx ends, when every
// open stream is told the server is stopping. [Server.Serve] runs it; a
// test that serves [Server.Handler] itself runs it too.
func (s *Server) RunStream(ctx context.Context) error { return s.hub.Run(ctx) }
