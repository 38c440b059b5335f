package serve

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

type incidentsData struct {
	Incidents []events.Incident
	Next      string
	First     string
	Now       string
	Range     string
}

func (s *Server) incidentsPage(w http.ResponseWriter, r *http.Request, id Identity) {
	is, err := s.incidentStore()
	if err != nil {
		s.errorPage(w, r, id, http.StatusNotImplemented, err.Error())
		return
	}
	d := &incidentsData{Now: timeString(s.o.Now()), Range: s.o.Incidents.rng().String()}
	q, err := incidentQuery(r, id)
	if err != nil {
		s.render(w, r, id, http.StatusBadRequest, "incidents.html", view{Title: "Incidents", Nav: "incidents", Error: paramErrorText(err), Data: d})
		return
	}
	incs, err := is.Incidents(r.Context(), q)
	if err != nil {
		s.webStoreError(w, r, id, err)
		return
	}
	d.Incidents = incs
	if len(incs) == q.Limit {
		d.Next = "/ui/incidents?" + url.Values{"after": {incidentCursor(incs[len(incs)-1])}, "limit": {strconv.Itoa(q.Limit)}}.Encode()
	}
	if !q.BeforeAt.IsZero() {
		d.First = "/ui/incidents"
	}
	s.read(r, "view incidents", len(incs))
	s.render(w, r, id, http.StatusOK, "incidents.html", view{Title: "Incidents", Nav: "incidents", Data: d})
}

// postIncident makes an incident for the moment the form names, with the
// events the caller may see, and shows it (303, so that reloading the
// page does not make another).
func (s *Server) postIncident(w http.ResponseWriter, r *http.Request, id Identity) {
	at, err := ParseTime(r.PostFormValue("at"), s.o.Now())
	if err != nil {
		s.errorPage(w, r, id, http.StatusBadRequest, "at: "+err.Error()+" (accepted: "+formTime+")")
		return
	}
	rng := s.o.Incidents.rng()
	if v := r.PostFormValue("range"); v != "" {
		if rng, err = time.ParseDuration(v); err != nil || rng <= 0 || rng > 24*time.Hour {
			s.errorPage(w, r, id, http.StatusBadRequest, "range: not a duration up to 24h (60s, 5m)")
			return
		}
	}
	inc, err := s.MakeIncident(r.Context(), at, rng, id.Scope(), id.User)
	if err != nil {
		s.webStoreError(w, r, id, err)
		return
	}
	http.Redirect(w, r, "/ui/incidents/"+url.PathEscape(inc.ID), http.StatusSeeOther)
}

type incidentData struct {
	Inc  events.Incident
	Rows []evRow
	CSS  template.CSS // for the export
}

func (s *Server) loadIncident(w http.ResponseWriter, r *http.Request, id Identity) (*incidentData, bool) {
	is, err := s.incidentStore()
	if err != nil {
		s.errorPage(w, r, id, http.StatusNotImplemented, err.Error())
		return nil, false
	}
	inc, evs, err := is.Incident(r.Context(), r.PathValue("id"), id.Scope())
	if err != nil {
		s.webStoreError(w, r, id, err)
		return nil, false
	}
	s.read(r, "view incident", len(evs))
	return &incidentData{Inc: inc, Rows: rowsOf(evs), CSS: s.web.css}, true
}

func (s *Server) incidentPage(w http.ResponseWriter, r *http.Request, id Identity) {
	d, ok := s.loadIncident(w, r, id)
	if !ok {
		return
	}
	s.render(w, r, id, http.StatusOK, "incident.html", view{Title: "Incident " + d.Inc.ID, Nav: "incidents", Data: d})
}

// exportHTML is one incident as one self-contained HTML file: its style
// inlined, no script, no link outside it, every event's raw line.
func (s *Server) exportHTML(w http.ResponseWriter, r *http.Request, id Identity) {
	d, ok := s.loadIncident(w, r, id)
	if !ok {
		return
	}
	var buf bytes.Buffer
	if err := s.web.pages.ExecuteTemplate(&buf, "export.html", d); err != nil {
		s.log.ErrorContext(r.Context(), "render export", "err", err)
		http.Error(w, "the export could not be rendered", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'")
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+d.Inc.ID+`.html"`)
	w.Write(buf.Bytes())
}

// exportNDJSON is one incident's events, one a line, each as
// GET /v1/events writes it (columns, and the line byte for byte).
func (s *Server) exportNDJSON(w http.ResponseWriter, r *http.Request, id Identity) {
	d, ok := s.loadIncident(w, r, id)
	if !ok {
		return
	}
	var b []byte
	for i := range d.Rows {
		b = appendEvent(b, &d.Rows[i].E)
		b = append(b, '\n')
	}
	h := w.Header()
	h.Set("Content-Type", "application/x-ndjson")
	h.Set("Content-Disposition", `attachment; filename="`+d.Inc.ID+`.ndjson"`)
	w.Write(b)
}
