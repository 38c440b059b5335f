package serve

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/logexpand"
)

// DefaultRange is the viewer's window around a moment (LogCAS's ±60 s).
const DefaultRange = 60 * time.Second

var templateFuncs = template.FuncMap{
	"levelClass": func(l string) string {
		if l == "" {
			return "lv-none"
		}
		return "lv-" + strings.ToLower(l)
	},
	"ts": func(t time.Time) string { return timeString(t) },
	"dur": func(d time.Duration) string {
		return fmtDuration(d)
	},
	"ms":        func(ms float64) string { return fmtDuration(time.Duration(ms * float64(time.Millisecond))) },
	"join":      strings.Join,
	"reqLink":   func(rid string) string { return "/ui/requests/" + url.PathEscape(rid) },
	"eventLink": func(id string) string { return "/ui/events/" + url.PathEscape(id) },
	"incLink":   func(id string) string { return "/ui/incidents/" + url.PathEscape(id) },
	"aroundLink": func(t time.Time, d time.Duration) string {
		return "/ui/events?" + url.Values{"around": {timeString(t)}, "range": {d.String()}}.Encode()
	},
	"sel": func(a, b string) bool { return a == b },
	"filterArgs": func(action string, l links, levels, sizes []string, limit string) any {
		return struct {
			Action        string
			L             links
			Levels, Sizes []string
			Limit         string
		}{action, l, levels, sizes, limit}
	},
}

func fmtDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + fmtDuration(-d)
	case d < time.Millisecond:
		return strconv.FormatFloat(float64(d)/float64(time.Microsecond), 'f', 0, 64) + " µs"
	case d < time.Second:
		return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64) + " ms"
	case d < time.Minute:
		return strconv.FormatFloat(d.Seconds(), 'f', 2, 64) + " s"
	}
	return d.Round(time.Second).String()
}

// links builds the URLs of a list page: its path and its parameters as
// given (empty ones dropped), changed by With.
type links struct {
	path string
	v    url.Values
}

// With is the page's URL with the pairs of kv set (an empty value
// removes the key) and the cursor dropped unless kv sets it.
func (l links) With(kv ...string) string {
	v := url.Values{}
	for k, vs := range l.v {
		if k != "after" {
			v[k] = vs
		}
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			v.Del(kv[i])
		} else {
			v.Set(kv[i], kv[i+1])
		}
	}
	if len(v) == 0 {
		return l.path
	}
	return l.path + "?" + v.Encode()
}

// Get is a parameter's value as given, for the filter form.
func (l links) Get(k string) string { return l.v.Get(k) }

// Stream is the live tail's URL: the page's filters on the stream (which
// takes the filters, not the text search, the window or the page).
func (l links) Stream() string {
	v := url.Values{}
	for k, vs := range l.v {
		if p, ok := params[k]; ok && filterFields[p.canonical] {
			v[k] = vs
		}
	}
	if len(v) == 0 {
		return "/v1/events/stream"
	}
	return "/v1/events/stream?" + v.Encode()
}

// webParams are the viewer's own parameters beside the API's grammar.
var webParams = map[string]bool{"around": true, "range": true}

// listQuery reads a list page's parameters: the API's grammar (an empty
// field of the filter form means no filter) and around=T&range=D, the
// window [T−D, T+D) in time order.
func (s *Server) listQuery(r *http.Request) (events.Query, links, *window, error) {
	v := url.Values{}
	for k, vs := range r.URL.Query() {
		for _, x := range vs {
			if strings.TrimSpace(x) != "" {
				v.Add(k, strings.TrimSpace(x))
			}
		}
	}
	l := links{path: r.URL.Path, v: v}
	api := url.Values{}
	for k, vs := range v {
		if !webParams[k] {
			api[k] = vs
		}
	}
	q, err := ParseQuery(api, s.o.Now())
	if err != nil {
		return q, l, nil, err
	}
	var win *window
	if a := v.Get("around"); a != "" {
		t, err := ParseTime(a, s.o.Now())
		if err != nil {
			return q, l, nil, &ParamError{Param: "around", Value: a, Reason: err.Error(), Accepted: formTime}
		}
		d := DefaultRange
		if rs := v.Get("range"); rs != "" {
			if d, err = time.ParseDuration(rs); err != nil || d <= 0 || d > 31*24*time.Hour {
				return q, l, nil, &ParamError{Param: "range", Value: rs, Reason: "not a duration from 1µs to 31 days", Accepted: "60s, 5m, 1h"}
			}
		}
		if !q.Since.IsZero() || !q.Until.IsZero() {
			return q, l, nil, &ParamError{Param: "around", Value: a, Reason: "goes with neither since nor until", Accepted: "around=T&range=D, or since/until"}
		}
		q.Since, q.Until = t.Add(-d), t.Add(d)
		if _, set := api["sort"]; !set {
			q.Desc = false
		}
		win = &window{At: t, Range: d}
	} else if _, set := api["sort"]; !set {
		q.Desc = true // newest first, unless asked
	}
	return q, l, win, nil
}

type window struct {
	At    time.Time
	Range time.Duration
}

// paramErrorText is a query error as a page shows it.
func paramErrorText(err error) string {
	var pe *ParamError
	if errors.As(err, &pe) {
		return pe.Error()
	}
	return err.Error()
}

// webStoreError answers a store error on a page.
func (s *Server) webStoreError(w http.ResponseWriter, r *http.Request, id Identity, err error) {
	switch {
	case errors.Is(err, events.ErrNotFound):
		s.errorPage(w, r, id, http.StatusNotFound, "Not found (or not yours to see).")
	case errors.Is(err, events.ErrInvalid):
		s.errorPage(w, r, id, http.StatusBadRequest, err.Error())
	case errors.Is(err, events.ErrUnavailable):
		s.retryAfter(w)
		s.errorPage(w, r, id, http.StatusServiceUnavailable, "The event store is unavailable; retry later.")
	default:
		s.log.ErrorContext(r.Context(), "store error", "err", err)
		s.errorPage(w, r, id, http.StatusInternalServerError, "The event store failed; the server's log says why.")
	}
}

// evRow is one event as a list shows it.
type evRow struct {
	E       events.Event
	Status  string
	Summary string
	Gap     time.Duration // before this event, on a request's page
}

func rowOf(e events.Event) evRow {
	r := evRow{E: e, Summary: e.Message}
	if e.HasStatus {
		r.Status = strconv.Itoa(e.Status)
	}
	if r.Summary == "" && e.Format == events.FormatOsloText {
		r.Summary, _, _ = strings.Cut(string(e.Raw), "\n")
	}
	return r
}

func rowsOf(evs []events.Event) []evRow {
	out := make([]evRow, len(evs))
	for i, e := range evs {
		out[i] = rowOf(e)
	}
	return out
}

// pageSizes are the page size choices of the forms.
var pageSizes = []string{"20", "50", "100", "200", "500", "1000"}

type eventsData struct {
	L         links
	Rows      []evRow
	Next      string // the next page's URL, "" on the last
	First     string // the first page's URL, when not on it
	Histogram *histogramView
	Window    *window
	Levels    []string
	Sizes     []string
	Limit     string
	Desc      bool
}

func (s *Server) eventsPage(w http.ResponseWriter, r *http.Request, id Identity) {
	q, l, win, err := s.listQuery(r)
	d := &eventsData{L: l, Levels: events.Levels(), Sizes: pageSizes, Window: win, Limit: l.Get("limit")}
	if d.Limit == "" {
		d.Limit = "100"
	}
	if err != nil {
		s.render(w, r, id, http.StatusBadRequest, "events.html", view{Title: "Events", Nav: "events", Error: paramErrorText(err), Data: d})
		return
	}
	q.Scope = id.Scope()
	d.Desc = q.Desc
	page, err := s.o.Store.List(r.Context(), q)
	if err != nil {
		s.webStoreError(w, r, id, err)
		return
	}
	d.Rows = rowsOf(page.Events)
	if !page.Next.IsZero() {
		d.Next = l.With("after", page.Next.String())
	}
	if l.Get("after") != "" {
		d.First = l.With()
	}
	if d.Histogram, err = s.histogram(r, q, l, page); err != nil {
		s.webStoreError(w, r, id, err)
		return
	}
	s.read(r, "view events", len(page.Events))
	s.render(w, r, id, http.StatusOK, "events.html", view{Title: "Events", Nav: "events", Data: d})
}

// field is one row of an event's table of fields.
type field struct{ Name, Value string }

type eventData struct {
	E        events.Event
	Fields   []field
	Raw      string
	Expanded string
	Range    time.Duration
}

func (s *Server) eventPage(w http.ResponseWriter, r *http.Request, id Identity) {
	eid := r.PathValue("id")
	if !events.ValidID(eid) {
		s.errorPage(w, r, id, http.StatusNotFound, "No event "+strconv.Quote(clip(eid, 100))+".")
		return
	}
	e, err := s.o.Store.Get(r.Context(), eid, id.Scope())
	if err != nil {
		s.webStoreError(w, r, id, err)
		return
	}
	d := &eventData{E: e, Raw: string(e.Raw), Range: DefaultRange}
	add := func(n, v string) {
		if v != "" {
			d.Fields = append(d.Fields, field{n, v})
		}
	}
	add("id", e.ID)
	add("seq", strconv.FormatInt(e.Seq, 10))
	add("time", timeString(e.Time))
	add("level", e.Level)
	add("kind", e.Kind)
	add("service", e.Service)
	add("user_id", e.UserID)
	add("user_name", e.UserName)
	add("project", e.Project)
	add("action", e.Action)
	add("target_type", e.TargetType)
	add("target_id", e.TargetID)
	add("request_id", e.RequestID)
	add("global_request_id", e.GlobalRequestID)
	add("outcome", e.Outcome)
	if e.HasStatus {
		add("status", strconv.Itoa(e.Status))
	}
	if e.HasDuration {
		add("duration_ms", strconv.FormatFloat(e.DurationMS, 'f', -1, 64))
	}
	add("message", e.Message)
	add("format", e.Format)
	if x, err := logexpand.New(logexpand.Options{}); err == nil {
		d.Expanded = string(x.Append(nil, nil, e.Raw))
	}
	s.read(r, "view event", 1)
	s.render(w, r, id, http.StatusOK, "event.html", view{Title: "Event " + e.ID, Nav: "events", Data: d})
}

type requestsData struct {
	L        links
	Requests []events.Request
	Next     string
	First    string
	Levels   []string
	Sizes    []string
	Limit    string
}

func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request, id Identity) {
	q, l, _, err := s.listQuery(r)
	d := &requestsData{L: l, Levels: events.Levels(), Sizes: pageSizes, Limit: l.Get("limit")}
	if d.Limit == "" {
		d.Limit = "100"
	}
	if err != nil {
		s.render(w, r, id, http.StatusBadRequest, "requests.html", view{Title: "Requests", Nav: "requests", Error: paramErrorText(err), Data: d})
		return
	}
	rl, ok := s.o.Store.(events.RequestLister)
	if !ok {
		s.errorPage(w, r, id, http.StatusNotImplemented, "This store cannot list requests.")
		return
	}
	q.Scope = id.Scope()
	page, err := rl.Requests(r.Context(), q)
	if err != nil {
		s.webStoreError(w, r, id, err)
		return
	}
	d.Requests = page.Requests
	if !page.Next.IsZero() {
		d.Next = l.With("after", page.Next.String())
	}
	if l.Get("after") != "" {
		d.First = l.With()
	}
	s.read(r, "view requests", len(page.Requests))
	s.render(w, r, id, http.StatusOK, "requests.html", view{Title: "Requests", Nav: "requests", Data: d})
}

type requestData struct {
	ID        string
	Rows      []evRow
	Next      string
	Waterfall *waterfallView
	Start     time.Time
	End       time.Time
	Services  []string
	Range     time.Duration
}

func (s *Server) requestPage(w http.ResponseWriter, r *http.Request, id Identity) {
	rid := r.PathValue("request_id")
	if rid == "" || len(rid) > 256 || strings.ContainsAny(rid, ",\x00") {
		s.errorPage(w, r, id, http.StatusBadRequest, "Not a request id.")
		return
	}
	q := events.Query{Scope: id.Scope(), Filters: []events.Filter{{Field: "request_id", Values: []string{rid}}}, Limit: events.MaxLimit}
	if a := r.URL.Query().Get("after"); a != "" {
		c, err := events.ParseCursor(a)
		if err != nil {
			s.errorPage(w, r, id, http.StatusBadRequest, "after: not a cursor.")
			return
		}
		q.After = c
	}
	page, err := s.o.Store.List(r.Context(), q)
	if err != nil {
		s.webStoreError(w, r, id, err)
		return
	}
	if len(page.Events) == 0 {
		s.errorPage(w, r, id, http.StatusNotFound, "No events of request "+strconv.Quote(clip(rid, 100))+" (or none yours to see).")
		return
	}
	d := &requestData{ID: rid, Rows: rowsOf(page.Events), Range: DefaultRange}
	if !page.Next.IsZero() {
		d.Next = "/ui/requests/" + url.PathEscape(rid) + "?after=" + url.QueryEscape(page.Next.String())
	}
	d.Waterfall = waterfall(page.Events)
	d.Start, d.End, d.Services = d.Waterfall.Start, d.Waterfall.End, d.Waterfall.Services
	// Gaps: a stretch when none of the request's calls was running is
	// shown before the line that ends it.
	for _, g := range d.Waterfall.gaps {
		d.Rows[g.row].Gap = g.to.Sub(g.from)
	}
	s.read(r, "view request", len(page.Events))
	s.render(w, r, id, http.StatusOK, "request.html", view{Title: "Request " + rid, Nav: "requests", Data: d})
}

// startOf is when an event's call started: its time less its duration.
func startOf(e events.Event) time.Time {
	if e.HasDuration && e.DurationMS > 0 {
		return e.Time.Add(-time.Duration(e.DurationMS * float64(time.Millisecond)))
	}
	return e.Time
}
