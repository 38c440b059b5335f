package serve

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/events"
)

// listEvents is GET /v1/events: {"events":[…],"next":"cursor"}; next is
// empty on the last page.
func (s *Server) listEvents(w http.ResponseWriter, r *http.Request, id Identity) {
	q, err := ParseQuery(r.URL.Query(), s.o.Now())
	if err != nil {
		s.badParam(w, err)
		return
	}
	q.Scope = id.Scope()
	s.list(w, r, q, "list events")
}

func (s *Server) list(w http.ResponseWriter, r *http.Request, q events.Query, what string) {
	page, err := s.o.Store.List(r.Context(), q)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	b := make([]byte, 0, 512*len(page.Events)+64)
	b = append(b, `{"events":[`...)
	for i := range page.Events {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEvent(b, &page.Events[i])
	}
	b = append(b, `],"next":`...)
	b = appendString(b, page.Next.String())
	b = append(b, '}')
	s.read(r, what, len(page.Events))
	writeJSON(w, http.StatusOK, b)
}

// read writes the audit line of a read: what was asked (the parameters,
// which never hold a credential: tokens travel in headers) and how many
// events came back.
func (s *Server) read(r *http.Request, what string, n int) {
	attrs := []slog.Attr{auditlog.Action("read"), auditlog.Target{Type: "events"}.Attr(), slog.Int("returned", n)}
	if len(r.URL.RawQuery) > 0 {
		attrs = append(attrs, slog.String("query", clip(r.URL.RawQuery, 2048)))
	}
	if id := r.PathValue("id"); id != "" {
		attrs = append(attrs, slog.String("event_id", clip(id, 100)))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, what, attrs...)
}

func (s *Server) badParam(w http.ResponseWriter, err error) {
	var pe *ParamError
	if errors.As(err, &pe) {
		writeParamError(w, pe)
		return
	}
	writeError(w, http.StatusBadRequest, err.Error())
}

// getEvent is GET /v1/events/{id}: the event, or 404 when there is none
// the caller may see — the same answer either way, so that an id of
// another project's event says nothing.
func (s *Server) getEvent(w http.ResponseWriter, r *http.Request, id Identity) {
	if len(r.URL.RawQuery) > 0 {
		s.badParam(w, &ParamError{Param: firstParam(r.URL.Query()), Reason: "GET /v1/events/{id} takes no parameters"})
		return
	}
	eid := r.PathValue("id")
	var (
		e   events.Event
		err error
	)
	if events.ValidID(eid) {
		e, err = s.o.Store.Get(r.Context(), eid, id.Scope())
	} else {
		err = events.ErrNotFound
	}
	if errors.Is(err, events.ErrNotFound) {
		s.read(r, "read event: not found", 0)
		writeError(w, http.StatusNotFound, "no event "+strconv.Quote(clip(eid, 100)))
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	s.read(r, "read event", 1)
	writeJSON(w, http.StatusOK, appendEvent(nil, &e))
}

func firstParam(v url.Values) string {
	for n := range v {
		return n
	}
	return ""
}

// pageOnly are the parameters of the endpoints that name their events in
// the path: the page and its order.
var pageOnly = map[string]bool{"after": true, "limit": true, "sort": true}

// getRequest is GET /v1/requests/{request_id}: every event of one
// request (its own id or its global request id), across services, in
// time order; pages as GET /v1/events, 1000 a page unless limit says
// otherwise.
func (s *Server) getRequest(w http.ResponseWriter, r *http.Request, id Identity) {
	q, err := parseQuery(r.URL.Query(), s.o.Now(), pageOnly)
	if err != nil {
		s.badParam(w, err)
		return
	}
	rid := r.PathValue("request_id")
	if rid == "" || len(rid) > 256 || strings.ContainsAny(rid, ",\x00") {
		s.badParam(w, &ParamError{Param: "request_id", Value: rid, Reason: "not a request id", Accepted: "req-… or any id up to 256 bytes without commas"})
		return
	}
	if q.Limit == 0 {
		q.Limit = events.MaxLimit
	}
	q.Filters = []events.Filter{{Field: "request_id", Values: []string{rid}}}
	q.Scope = id.Scope()
	s.list(w, r, q, "list request")
}

// attributeNames are the names GET /v1/attributes/{name} takes: the
// store's fields, and the API's aliases of them.
var attributeNames = func() map[string]string {
	m := map[string]string{}
	for _, f := range events.Fields() {
		m[f] = f
	}
	for _, a := range []string{"resource_id", "resource_type", "event_type", "resource_state"} {
		m[a] = params[a].canonical
	}
	return m
}()

// getAttribute is GET /v1/attributes/{name}: the distinct values of one
// field among the events the caller may see (narrowed by the same
// filters as GET /v1/events), most frequent first:
// {"name":"action","values":[{"value":"create","count":12},…]}.
func (s *Server) getAttribute(w http.ResponseWriter, r *http.Request, id Identity) {
	name := r.PathValue("name")
	field, ok := attributeNames[name]
	if !ok {
		names := make([]string, 0, len(attributeNames))
		for n := range attributeNames {
			names = append(names, n)
		}
		s.badParam(w, &ParamError{Param: "name", Value: name, Reason: "unknown attribute", Accepted: strings.Join(sorted(names), ", ")})
		return
	}
	v := r.URL.Query()
	for n := range v {
		if p, ok := params[n]; ok && (p.canonical == "after" || p.canonical == "sort") {
			s.badParam(w, &ParamError{Param: n, Reason: "GET /v1/attributes/{name} is not paged"})
			return
		}
	}
	q, err := ParseQuery(v, s.o.Now())
	if err != nil {
		s.badParam(w, err)
		return
	}
	limit := q.Limit
	if limit == 0 {
		limit = events.DefaultLimit
	}
	q.Scope = id.Scope()
	vals, err := s.o.Store.Values(r.Context(), field, q, limit)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	b := append([]byte(`{"name":`), nil...)
	b = appendString(b, name)
	b = append(b, `,"values":[`...)
	for i, vc := range vals {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"value":`...)
		b = appendString(b, vc.Value)
		b = fmt.Appendf(b, `,"count":%d}`, vc.Count)
	}
	b = append(b, "]}"...)
	s.read(r, "list attribute "+field, len(vals))
	writeJSON(w, http.StatusOK, b)
}

func sorted(s []string) []string {
	slices.Sort(s)
	return s
}
