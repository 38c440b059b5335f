package serve

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/events"
)

// The archive (seed 001, LogCAS): when a WARNING-or-worse event is stored,
// or when someone asks for a moment T, the WARNING+ events within Range
// of it and every event of each request in flight then are copied into
// an incident, kept in tables of their own (events.IncidentStore) and
// purged by their own retention, not by the events' purge.

// IncidentOptions configure the archive. Zero values mean the defaults.
type IncidentOptions struct {
	// Range is how far around the moment events are kept (DefaultRange).
	Range time.Duration
	// Settle is how long the archive waits after a WARNING+ event arrives
	// before it keeps the incident, so that what follows it (within
	// Range) is stored too, and further WARNING+ events of the same
	// stretch join the same incident (Range, by default).
	Settle time.Duration
	// Retention removes incidents made longer ago than this, at start and
	// hourly; 0 keeps them.
	Retention time.Duration
	// Manual turns the automatic archive off: incidents are made only on
	// demand.
	Manual bool
}

// Caps of one incident, so that a storm cannot make one unbounded.
const (
	maxIncidentWarnings = 5000
	maxIncidentRequests = 500
	maxIncidentEvents   = 20000
	maxIncidentSpan     = 10 * time.Minute // a longer stretch of WARNING+ events is split
)

func (o *IncidentOptions) rng() time.Duration {
	if o.Range <= 0 {
		return DefaultRange
	}
	return o.Range
}

func (o *IncidentOptions) settle() time.Duration {
	if o.Settle <= 0 {
		return o.rng()
	}
	return o.Settle
}

var errNoIncidents = errors.New("this store keeps no incidents")

func (s *Server) incidentStore() (events.IncidentStore, error) {
	is, ok := s.o.Store.(events.IncidentStore)
	if !ok {
		return nil, errNoIncidents
	}
	return is, nil
}

// incidentSpec is what an incident is made of.
type incidentSpec struct {
	id, reason, trigger, by string
	at, lo, hi              time.Time // the moment; the stretch of WARNING+ events (lo = hi = at on demand)
	rng                     time.Duration
	scope                   events.Scope
}

// MakeIncident keeps the moment at as an incident, with the events scope
// may see: the WARNING+ events within rng of it and every event of each
// request in flight at it. by names who asked.
func (s *Server) MakeIncident(ctx context.Context, at time.Time, rng time.Duration, scope events.Scope, by string) (events.Incident, error) {
	if rng <= 0 {
		rng = s.o.Incidents.rng()
	}
	return s.makeIncident(ctx, incidentSpec{id: newIncidentID(), reason: "asked for by " + by, by: by,
		at: at.UTC(), lo: at.UTC(), hi: at.UTC(), rng: rng, scope: scope})
}

func newIncidentID() string {
	var b [10]byte
	rand.Read(b[:])
	return "inc-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

func (s *Server) makeIncident(ctx context.Context, sp incidentSpec) (events.Incident, error) {
	is, err := s.incidentStore()
	if err != nil {
		return events.Incident{}, err
	}
	evs, err := s.incidentEvents(ctx, sp)
	if err != nil {
		return events.Incident{}, err
	}
	inc := events.Incident{ID: sp.id, At: sp.at, Range: sp.rng, Created: s.o.Now().UTC(), Reason: sp.reason,
		Trigger: sp.trigger, By: sp.by}
	created, err := is.SaveIncident(ctx, inc, evs)
	if err != nil {
		return inc, err
	}
	if created {
		s.log.LogAttrs(ctx, slog.LevelInfo, "incident kept", auditlog.Action("create"),
			auditlog.Target{Type: "incident", ID: inc.ID}.Attr(), slog.String("reason", inc.Reason),
			slog.Int("events", len(evs)), slog.String("at", timeString(inc.At)))
	}
	return inc, nil
}

// incidentEvents gathers an incident's events: the WARNING+ ones within
// rng of [lo, hi], and every event of each request in flight during
// [lo, hi] (one whose span, start to end, holds a moment of it) among the
// requests with an event within rng of it.
func (s *Server) incidentEvents(ctx context.Context, sp incidentSpec) ([]events.Event, error) {
	since, until := sp.lo.Add(-sp.rng), sp.hi.Add(sp.rng)
	seen := map[string]bool{}
	var out []events.Event
	keep := func(evs []events.Event) {
		for _, e := range evs {
			if !seen[e.ID] && len(out) < maxIncidentEvents {
				seen[e.ID] = true
				out = append(out, e)
			}
		}
	}
	q := events.Query{Scope: sp.scope, MinLevel: "WARNING", Since: since, Until: until, Limit: events.MaxLimit}
	for n := 0; n < maxIncidentWarnings; {
		p, err := s.o.Store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		keep(p.Events)
		n += len(p.Events)
		if p.Next.IsZero() {
			break
		}
		q.After = p.Next
	}
	if rl, ok := s.o.Store.(events.RequestLister); ok {
		rq := events.Query{Scope: sp.scope, Since: since, Until: until, Limit: events.MaxLimit}
		var inFlight []string
		for pages := 0; pages < 10 && len(inFlight) < maxIncidentRequests; pages++ {
			p, err := rl.Requests(ctx, rq)
			if err != nil {
				return nil, err
			}
			for _, r := range p.Requests {
				if !r.Start.After(sp.hi) && !r.End.Before(sp.lo) && len(inFlight) < maxIncidentRequests {
					inFlight = append(inFlight, r.ID)
				}
			}
			if p.Next.IsZero() {
				break
			}
			rq.After = p.Next
		}
		for _, rid := range inFlight {
			p, err := s.o.Store.List(ctx, events.Query{Scope: sp.scope, Limit: events.MaxLimit,
				Filters: []events.Filter{{Field: "request_id", Values: []string{rid}}}})
			if err != nil {
				return nil, err
			}
			keep(p.Events)
		}
	}
	slices.SortFunc(out, func(a, b events.Event) int {
		if c := a.Time.Compare(b.Time); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// pending is a stretch of WARNING+ events waiting to settle.
type pending struct {
	first    events.Event
	lo, hi   time.Time
	count    int
	deadline time.Time
}

// RunArchive keeps an incident for each stretch of WARNING+ events the
// store receives, and applies the incidents' retention, until ctx ends.
// [Server.Serve] runs it; it reads the stream's hub, so the hub must run
// too.
func (s *Server) RunArchive(ctx context.Context) error {
	io := &s.o.Incidents
	if _, err := s.incidentStore(); err != nil {
		return err
	}
	retain := func() {
		if io.Retention <= 0 {
			return
		}
		is, _ := s.incidentStore()
		n, err := is.PurgeIncidents(ctx, s.o.Now().Add(-io.Retention))
		if err != nil {
			s.log.WarnContext(ctx, "incident retention failed", auditlog.Err(err))
			return
		}
		if n > 0 {
			s.log.LogAttrs(ctx, slog.LevelInfo, "incidents purged", auditlog.Action("delete"),
				auditlog.Target{Type: "incident"}.Attr(), slog.Int64("removed", n), slog.String("retention", io.Retention.String()))
		}
	}
	retain()
	hourly := time.NewTicker(time.Hour)
	defer hourly.Stop()
	if io.Manual {
		for {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-hourly.C:
				retain()
			}
		}
	}
	select {
	case <-s.hub.Started():
	case <-ctx.Done():
		return ctx.Err()
	}
	sub, err := s.hub.Subscribe(events.Query{Scope: events.Scope{All: true}, MinLevel: "WARNING"}, -1)
	if err != nil {
		return err
	}
	defer sub.Close()
	arrived := make(chan events.Event, 256)
	go func() {
		defer close(arrived)
		for {
			m, err := sub.Next(ctx)
			if err != nil {
				return
			}
			if m.Event != nil {
				select {
				case arrived <- *m.Event:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	var open []*pending
	rng, settle := io.rng(), io.settle()
	tick := time.NewTicker(max(settle/4, 10*time.Millisecond))
	defer tick.Stop()
	flush := func(force bool) {
		now := time.Now()
		open = slices.DeleteFunc(open, func(p *pending) bool {
			if !force && now.Before(p.deadline) {
				return false
			}
			reason := fmt.Sprintf("%s event of %s: %s", p.first.Level, p.first.Service, clip(p.first.Message, 120))
			if p.count > 1 {
				reason += fmt.Sprintf(" (and %d more WARNING+ events)", p.count-1)
			}
			_, err := s.makeIncident(context.WithoutCancel(ctx), incidentSpec{id: "inc-" + p.first.ID, reason: reason,
				trigger: p.first.ID, at: p.first.Time, lo: p.lo, hi: p.hi, rng: rng, scope: events.Scope{All: true}})
			if err != nil {
				s.log.WarnContext(ctx, "incident not kept", auditlog.Err(err), slog.String("trigger", p.first.ID))
			}
			return true
		})
	}
	for {
		select {
		case <-ctx.Done():
			flush(true)
			return ctx.Err()
		case e, ok := <-arrived:
			if !ok {
				flush(true)
				return ctx.Err()
			}
			joined := false
			for _, p := range open {
				if !e.Time.Before(p.lo.Add(-rng)) && !e.Time.After(p.hi.Add(rng)) &&
					maxT(p.hi, e.Time).Sub(minT(p.lo, e.Time)) <= maxIncidentSpan {
					p.lo, p.hi = minT(p.lo, e.Time), maxT(p.hi, e.Time)
					p.count++
					p.deadline = time.Now().Add(settle)
					joined = true
					break
				}
			}
			if !joined {
				open = append(open, &pending{first: e, lo: e.Time, hi: e.Time, count: 1, deadline: time.Now().Add(settle)})
				if len(open) > 100 {
					open[0].deadline = time.Time{}
					flush(false)
				}
			}
		case <-tick.C:
			flush(false)
		case <-hourly.C:
			retain()
		}
	}
}

func maxT(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// appendIncident writes an incident as JSON.
func appendIncident(b []byte, inc *events.Incident) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, inc.ID)
	b = append(b, `,"at":`...)
	b = appendString(b, timeString(inc.At))
	b = append(b, `,"range":`...)
	b = appendString(b, inc.Range.String())
	b = append(b, `,"created":`...)
	b = appendString(b, timeString(inc.Created))
	b = append(b, `,"reason":`...)
	b = appendString(b, inc.Reason)
	if inc.Trigger != "" {
		b = append(b, `,"trigger":`...)
		b = appendString(b, inc.Trigger)
	}
	if inc.By != "" {
		b = append(b, `,"by":`...)
		b = appendString(b, inc.By)
	}
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, inc.Count, 10)
	if inc.WorstLevel != "" {
		b = append(b, `,"worst_level":`...)
		b = appendString(b, inc.WorstLevel)
	}
	return append(b, '}')
}

// incidentCursor is the next of a list of incidents: the At and ID of
// the last one.
func incidentCursor(inc events.Incident) string {
	return strconv.FormatInt(inc.At.UnixMicro(), 10) + "." + inc.ID
}

func parseIncidentCursor(s string) (time.Time, string, bool) {
	us, id, ok := strings.Cut(s, ".")
	n, err := strconv.ParseInt(us, 10, 64)
	if !ok || err != nil || !events.ValidIncidentID(id) {
		return time.Time{}, "", false
	}
	return time.UnixMicro(n).UTC(), id, true
}

// incidentQuery reads limit= and after= of the incident lists.
func incidentQuery(r *http.Request, id Identity) (events.IncidentQuery, error) {
	q := events.IncidentQuery{Scope: id.Scope(), Limit: 50}
	for k, vs := range r.URL.Query() {
		v := vs[len(vs)-1]
		switch k {
		case "limit":
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > events.MaxLimit {
				return q, &ParamError{Param: k, Value: v, Reason: "out of range", Accepted: formLimit}
			}
			q.Limit = n
		case "after":
			if v == "" {
				continue
			}
			t, iid, ok := parseIncidentCursor(v)
			if !ok {
				return q, &ParamError{Param: k, Value: v, Reason: "not a cursor", Accepted: "the next of a previous page"}
			}
			q.BeforeAt, q.BeforeID = t, iid
		default:
			return q, &ParamError{Param: k, Reason: "unknown parameter", Accepted: "limit, after"}
		}
	}
	return q, nil
}

// listIncidentsJSON is GET /v1/incidents: {"incidents":[…],"next":"…"},
// newest first, those with an event the caller may see.
func (s *Server) listIncidentsJSON(w http.ResponseWriter, r *http.Request, id Identity) {
	is, err := s.incidentStore()
	if err != nil {
		writeError(w, http.StatusNotImplemented, err.Error())
		return
	}
	q, err := incidentQuery(r, id)
	if err != nil {
		s.badParam(w, err)
		return
	}
	incs, err := is.Incidents(r.Context(), q)
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	b := []byte(`{"incidents":[`)
	for i := range incs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendIncident(b, &incs[i])
	}
	b = append(b, `],"next":`...)
	next := ""
	if len(incs) == q.Limit {
		next = incidentCursor(incs[len(incs)-1])
	}
	b = appendString(b, next)
	b = append(b, '}')
	s.read(r, "list incidents", len(incs))
	writeJSON(w, http.StatusOK, b)
}

// getIncidentJSON is GET /v1/incidents/{id}: the incident and its events
// the caller may see ({"incident":{…},"events":[…]}), 404 when none.
func (s *Server) getIncidentJSON(w http.ResponseWriter, r *http.Request, id Identity) {
	is, err := s.incidentStore()
	if err != nil {
		writeError(w, http.StatusNotImplemented, err.Error())
		return
	}
	inc, evs, err := is.Incident(r.Context(), r.PathValue("id"), id.Scope())
	if errors.Is(err, events.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no incident "+strconv.Quote(clip(r.PathValue("id"), 100)))
		return
	}
	if err != nil {
		s.storeError(w, r, err)
		return
	}
	b := appendIncident([]byte(`{"incident":`), &inc)
	b = append(b, `,"events":[`...)
	for i := range evs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendEvent(b, &evs[i])
	}
	b = append(b, "]}"...)
	s.read(r, "read incident", len(evs))
	writeJSON(w, http.StatusOK, b)
}
