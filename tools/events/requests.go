package events

import (
	"context"
	"slices"
	"time"
)

// Request sums up one request: every event with its request ID (the
// column, not the global request ID) that the scope may see.
type Request struct {
	ID string
	// Start is the earliest moment the request's lines speak of: the
	// first line's time, or earlier when a timed line (a request, an RPC,
	// a DB call, written when the call ended) says its call started
	// before (time − duration_ms). End is the last line's time.
	Start, End time.Time
	// First and Last are the first and last lines' times.
	First, Last time.Time
	Count       int64
	Services    []string // sorted
	WorstLevel  string   // the highest level of its lines ("" when none says)
	// Who and what, from its served request line (kind request) when it
	// has one, else from the first line that says.
	UserID, UserName, Project string
	Action, TargetType        string
	TargetID                  string
	Status                    int
	HasStatus                 bool
}

// Duration is End − Start.
func (r Request) Duration() time.Duration { return r.End.Sub(r.Start) }

// RequestPage is one page of requests; Next is set when more may follow.
type RequestPage struct {
	Requests []Request
	Next     Cursor
}

// RequestLister is implemented by both stores: the viewer's list of
// requests (LogCAS's "request list"), one row per request ID.
//
// Requests returns the requests that have an event q selects (scope,
// filters, window, level, text), newest first by their last such event,
// at most q.Limit of them (clamped as List's), starting after q.After: the
// Next of a previous page, which is the last event that page read (so a
// request is listed once, on the page of its last selected event). q.Desc
// is ignored. Each Request sums up all the request's events in q.Scope,
// not only those q selects.
type RequestLister interface {
	Requests(ctx context.Context, q Query) (RequestPage, error)
}

// reqScanChunk is how many events one step of Requests reads while it
// gathers a page's request IDs.
const reqScanChunk = 1000

// reqRow is an event's columns that a summary needs.
type reqRow struct {
	rid, service, userID, userName, project, action, targetType, targetID, kind string
	t                                                                           time.Time
	level                                                                       int64
	status                                                                      *int64
	dur                                                                         *float64
}

// rowsFunc runs one statement of a builder and calls fn for each row,
// with a scan function: the seam between the shared logic below and each
// driver.
type rowsFunc func(ctx context.Context, b *builder, fn func(scan func(dest ...any) error) error) error

// timeDest is where a time column is scanned to, and how it becomes a
// time: integer microseconds in SQLite, timestamptz in PostgreSQL.
func timeDest(pg bool) (any, func() time.Time) {
	if pg {
		var t time.Time
		return &t, func() time.Time { return t.UTC() }
	}
	var us int64
	return &us, func() time.Time { return time.UnixMicro(us).UTC() }
}

func requests(ctx context.Context, pg bool, run rowsFunc, q Query) (RequestPage, error) {
	if err := CheckQuery(q); err != nil {
		return RequestPage{}, err
	}
	limit := clampLimit(q.Limit)
	var (
		ids    []string
		seen   = map[string]bool{}
		cursor = q.After
		next   Cursor
		done   bool
	)
	// Walk the selected events newest first, in chunks, gathering request
	// IDs until the page is full; a candidate that has a selected event
	// after the page's start was listed on an earlier page.
	for len(ids) < limit && !done {
		b := builder{pg: pg}
		b.s("SELECT request_id, time, id FROM events")
		first := true
		if err := b.where(q, &first); err != nil {
			return RequestPage{}, err
		}
		b.and(&first)
		b.s("request_id <> ''")
		if !cursor.IsZero() {
			b.and(&first)
			b.s("(time, id) < (").timeArg(cursor.Time).s(", ").arg(cursor.ID).s(")")
		}
		b.s(" ORDER BY time DESC, id DESC LIMIT ").arg(reqScanChunk)
		var fresh []string
		n := 0
		full := false
		var last Cursor
		err := run(ctx, &b, func(scan func(...any) error) error {
			var rid, id string
			td, tm := timeDest(pg)
			if err := scan(&rid, td, &id); err != nil {
				return err
			}
			n++
			if len(ids)+len(fresh) >= limit {
				full = true
				return nil // past the page: the next step starts after last
			}
			last = Cursor{Time: tm(), ID: id}
			if !seen[rid] {
				seen[rid] = true
				fresh = append(fresh, rid)
			}
			return nil
		})
		if err != nil {
			return RequestPage{}, err
		}
		if !q.After.IsZero() && len(fresh) > 0 {
			earlier, err := listedBefore(ctx, pg, run, q, fresh)
			if err != nil {
				return RequestPage{}, err
			}
			fresh = slices.DeleteFunc(fresh, func(r string) bool { return earlier[r] })
		}
		ids = append(ids, fresh...)
		if !last.IsZero() {
			cursor = last
		}
		if n < reqScanChunk && !full {
			done = true
		}
		if len(ids) >= limit {
			next = cursor
		}
	}
	if done && len(ids) < limit {
		next = Cursor{}
	}
	sums, err := summarise(ctx, pg, run, q.Scope, ids)
	if err != nil {
		return RequestPage{}, err
	}
	return RequestPage{Requests: sums, Next: next}, nil
}

// listedBefore says which of ids have an event q selects at or after
// q.After (the last event the previous page read):
// those were on an earlier page.
func listedBefore(ctx context.Context, pg bool, run rowsFunc, q Query, ids []string) (map[string]bool, error) {
	b := builder{pg: pg}
	b.s("SELECT DISTINCT request_id FROM events")
	q2 := q
	// A selective filter makes SQLite read the request index (see
	// scopeFor); it matches the global ID too, which the IN below rules out.
	q2.Filters = append(slices.Clip(q.Filters), Filter{Field: "request_id", Values: ids})
	first := true
	if err := b.where(q2, &first); err != nil {
		return nil, err
	}
	b.and(&first)
	b.in("request_id", ids)
	b.and(&first)
	b.s("(time, id) >= (").timeArg(q.After.Time).s(", ").arg(q.After.ID).s(")")
	out := map[string]bool{}
	err := run(ctx, &b, func(scan func(...any) error) error {
		var rid string
		if err := scan(&rid); err != nil {
			return err
		}
		out[rid] = true
		return nil
	})
	return out, err
}

// in writes "col IN (…)".
func (b *builder) in(col string, vals []string) {
	b.s(col, " IN (")
	for i, v := range vals {
		if i > 0 {
			b.s(", ")
		}
		b.arg(v)
	}
	b.s(")")
}

// summarise reads every event of ids in scope (their small columns only)
// and sums each request up, in the order of ids.
func summarise(ctx context.Context, pg bool, run rowsFunc, scope Scope, ids []string) ([]Request, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	b := builder{pg: pg}
	b.s("SELECT request_id, time, level, service, user_id, user_name, project, action, target_type, target_id, kind, status, duration_ms FROM events WHERE ")
	b.in("request_id", ids)
	b.s(" AND ")
	if !pg && !scope.All {
		b.s("+") // the request index, not the project's (see scopeFor)
	}
	b.scope(scope)
	b.s(" ORDER BY time, id")
	by := map[string]*Request{}
	served := map[string]bool{}
	err := run(ctx, &b, func(scan func(...any) error) error {
		var r reqRow
		td, tm := timeDest(pg)
		if err := scan(&r.rid, td, &r.level, &r.service, &r.userID, &r.userName, &r.project, &r.action,
			&r.targetType, &r.targetID, &r.kind, &r.status, &r.dur); err != nil {
			return err
		}
		r.t = tm()
		s := by[r.rid]
		if s == nil {
			s = &Request{ID: r.rid, Start: r.t, End: r.t, First: r.t, Last: r.t}
			by[r.rid] = s
		}
		s.Count++
		s.Last, s.End = r.t, r.t
		if r.dur != nil {
			if st := r.t.Add(-time.Duration(*r.dur * float64(time.Millisecond))); st.Before(s.Start) {
				s.Start = st
			}
		}
		if r.service != "" && !slices.Contains(s.Services, r.service) {
			s.Services = append(s.Services, r.service)
		}
		if rk, _ := LevelRank(s.WorstLevel); r.level > int64(rk) {
			s.WorstLevel = levelName(r.level)
		}
		isServed := r.kind == "request" && !served[r.rid]
		if isServed {
			served[r.rid] = true
		}
		take := func(dst *string, v string) {
			if v != "" && (isServed || *dst == "") {
				*dst = v
			}
		}
		take(&s.UserID, r.userID)
		take(&s.UserName, r.userName)
		take(&s.Project, r.project)
		take(&s.Action, r.action)
		take(&s.TargetType, r.targetType)
		take(&s.TargetID, r.targetID)
		if r.status != nil && (isServed || !s.HasStatus) {
			s.Status, s.HasStatus = int(*r.status), true
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Request, 0, len(ids))
	for _, id := range ids {
		if s := by[id]; s != nil {
			slices.Sort(s.Services)
			out = append(out, *s)
		}
	}
	return out, nil
}

func (s *sqliteStore) each(ctx context.Context, doing string, b *builder, fn func(scan func(...any) error) error) error {
	st, err := s.stmt(ctx, b.String())
	if err != nil {
		return s.fail(doing, err)
	}
	rows, err := st.QueryContext(ctx, b.args...)
	if err != nil {
		return s.fail(doing, err)
	}
	defer rows.Close()
	return s.fail(doing, eachRow(rows, fn))
}

func (s *pgStore) each(ctx context.Context, doing string, b *builder, fn func(scan func(...any) error) error) error {
	rows, err := s.pool.Query(ctx, b.String(), b.args...)
	if err != nil {
		return s.fail(doing, err)
	}
	defer rows.Close()
	return s.fail(doing, eachRow(rows, fn))
}

// Requests: see [RequestLister].
func (s *sqliteStore) Requests(ctx context.Context, q Query) (RequestPage, error) {
	if err := s.resolve(ctx, &q); err != nil {
		return RequestPage{}, err
	}
	return requests(ctx, false, s.rows, q)
}

// Requests: see [RequestLister].
func (s *pgStore) Requests(ctx context.Context, q Query) (RequestPage, error) {
	if err := s.resolve(ctx, &q); err != nil {
		return RequestPage{}, err
	}
	return requests(ctx, true, s.rows, q)
}

var (
	_ RequestLister = (*sqliteStore)(nil)
	_ RequestLister = (*pgStore)(nil)
)
