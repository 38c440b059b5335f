package events

import (
	"context"
	"database/sql"
	"regexp"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Incident is a moment kept for later (LogCAS's archive): the WARNING+
// events around it and every event of the requests in flight then,
// copied into tables of their own, so that a purge of events leaves them
// and they have a retention of their own ([IncidentStore.PurgeIncidents]).
type Incident struct {
	ID      string    // "inc-" and lowercase letters and digits
	At      time.Time // the moment: the first WARNING+ event, or the one asked for
	Range   time.Duration
	Created time.Time
	Reason  string // what made it: "ERROR event … of nova-api", "asked for by alice"
	Trigger string // the event that made it, if one did
	By      string // who asked, for one made on demand

	// Count and WorstLevel are of the events the reader's scope sees.
	Count      int64
	WorstLevel string
}

// IncidentQuery selects incidents for [IncidentStore.Incidents]: those
// with an event in Scope, newest (by At) first, after Before (the At and
// ID of the last of a previous page) when set.
type IncidentQuery struct {
	Scope      Scope
	BeforeAt   time.Time
	BeforeID   string
	Limit      int
	CreatedMin time.Time // zero: any
}

// IncidentStore is implemented by both stores. Incidents live in the same
// database as the events (one file, one server to run, one backup), in
// two tables of their own: incidents, and incident_events holding copies
// of the events (the raw line too), so that a purge of events, which
// knows nothing of them, cannot take an incident's evidence away.
//
// SaveIncident stores inc with evs (an ID already stored leaves it as it
// was: created is false). Incidents lists, Incident reads one with its
// events in time order; both see only what the scope allows: an incident
// with no event in scope is ErrNotFound, and Count, WorstLevel and the
// events are those in scope. PurgeIncidents removes those created before.
type IncidentStore interface {
	SaveIncident(ctx context.Context, inc Incident, evs []Event) (created bool, err error)
	Incidents(ctx context.Context, q IncidentQuery) ([]Incident, error)
	Incident(ctx context.Context, id string, scope Scope) (Incident, []Event, error)
	PurgeIncidents(ctx context.Context, before time.Time) (int64, error)
}

var incidentID = regexp.MustCompile(`^inc-[a-z0-9]{1,64}$`)

// ValidIncidentID reports whether id has an incident ID's shape.
func ValidIncidentID(id string) bool { return incidentID.MatchString(id) }

const sqliteIncidentSchema = `
CREATE TABLE IF NOT EXISTS incidents (
	id TEXT PRIMARY KEY,
	at INTEGER NOT NULL,
	range_us INTEGER NOT NULL,
	created INTEGER NOT NULL,
	reason TEXT NOT NULL,
	trigger_id TEXT NOT NULL,
	by_user TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_at ON incidents (at, id);
CREATE INDEX IF NOT EXISTS incidents_created ON incidents (created);
CREATE TABLE IF NOT EXISTS incident_events (
	incident_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	id TEXT NOT NULL,` + sqliteEventColumns + `,
	PRIMARY KEY (incident_id, id)
);
`

const pgIncidentSchema = `
CREATE TABLE IF NOT EXISTS incidents (
	id text PRIMARY KEY,
	at timestamptz NOT NULL,
	range_us bigint NOT NULL,
	created timestamptz NOT NULL,
	reason text NOT NULL,
	trigger_id text NOT NULL,
	by_user text NOT NULL
);
CREATE INDEX IF NOT EXISTS incidents_at ON incidents (at, id);
CREATE INDEX IF NOT EXISTS incidents_created ON incidents (created);
CREATE TABLE IF NOT EXISTS incident_events (
	incident_id text NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
	seq bigint NOT NULL,
	id text NOT NULL,` + pgEventColumns + `,
	PRIMARY KEY (incident_id, id)
);
`

// The incident tables are made on first use, once per store, so that a
// database that never keeps an incident never has them.
var incidentTables sync.Map // Store → *tableOnce

type tableOnce struct {
	once sync.Once
	err  error
}

func ensureIncidentTables(key any, create func() error) error {
	v, _ := incidentTables.LoadOrStore(key, &tableOnce{})
	o := v.(*tableOnce)
	o.once.Do(func() { o.err = create() })
	if o.err != nil {
		incidentTables.Delete(key) // the database may be back next time
	}
	return o.err
}

func (s *sqliteStore) incidentTables(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return ensureIncidentTables(s, func() error {
		_, err := s.w.ExecContext(ctx, sqliteIncidentSchema)
		return s.fail("create the incident tables", err)
	})
}

func (s *pgStore) incidentTables(ctx context.Context) error {
	if s.closed.Load() {
		return errClosed
	}
	return ensureIncidentTables(s, func() error {
		_, err := s.pool.Exec(ctx, pgIncidentSchema)
		return s.fail("create the incident tables", err)
	})
}

const incidentInsertEvent = `INSERT INTO incident_events (incident_id, seq, id, time, level, kind, service, user_id,
	user_name, project, action, target_type, target_id, request_id, global_request_id, outcome, status, duration_ms,
	message, format, raw)`

func checkIncident(inc Incident) error {
	if !ValidIncidentID(inc.ID) {
		return invalid("incident id %q is not inc- and up to 64 lowercase letters and digits", inc.ID)
	}
	if inc.At.IsZero() || inc.Created.IsZero() {
		return invalid("incident %s: no time", inc.ID)
	}
	return nil
}

// SaveIncident: see [IncidentStore].
func (s *sqliteStore) SaveIncident(ctx context.Context, inc Incident, evs []Event) (bool, error) {
	if err := checkIncident(inc); err != nil {
		return false, err
	}
	if err := s.incidentTables(ctx); err != nil {
		return false, err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return false, s.fail("begin", err)
	}
	defer tx.Rollback()
	r, err := tx.ExecContext(ctx, `INSERT INTO incidents (id, at, range_us, created, reason, trigger_id, by_user)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		inc.ID, inc.At.UnixMicro(), inc.Range.Microseconds(), inc.Created.UnixMicro(), inc.Reason, inc.Trigger, inc.By)
	if err != nil {
		return false, s.fail("save incident "+inc.ID, err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return false, nil
	}
	st, err := tx.PrepareContext(ctx, incidentInsertEvent+` VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO NOTHING`)
	if err != nil {
		return false, s.fail("save incident "+inc.ID, err)
	}
	defer st.Close()
	for i := range evs {
		e := &evs[i]
		if _, err := st.ExecContext(ctx, inc.ID, e.Seq, e.ID, e.Time.UnixMicro(), levelArg(e), e.Kind, e.Service, e.UserID,
			e.UserName, e.Project, e.Action, e.TargetType, e.TargetID, e.RequestID, e.GlobalRequestID, e.Outcome,
			statusArg(e), durationArg(e), e.Message, e.Format, e.Raw); err != nil {
			return false, s.fail("save incident "+inc.ID, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, s.fail("save incident "+inc.ID, err)
	}
	return true, nil
}

// SaveIncident: see [IncidentStore].
func (s *pgStore) SaveIncident(ctx context.Context, inc Incident, evs []Event) (bool, error) {
	if err := checkIncident(inc); err != nil {
		return false, err
	}
	if err := s.incidentTables(ctx); err != nil {
		return false, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return false, s.fail("begin", err)
	}
	defer tx.Rollback(ctx)
	tag, err := tx.Exec(ctx, `INSERT INTO incidents (id, at, range_us, created, reason, trigger_id, by_user)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		inc.ID, inc.At.UTC(), inc.Range.Microseconds(), inc.Created.UTC(), inc.Reason, inc.Trigger, inc.By)
	if err != nil {
		return false, s.fail("save incident "+inc.ID, err)
	}
	if tag.RowsAffected() == 0 {
		return false, nil
	}
	var batch pgx.Batch
	for i := range evs {
		e := &evs[i]
		batch.Queue(incidentInsertEvent+` VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
			ON CONFLICT DO NOTHING`, inc.ID, e.Seq, e.ID, e.Time.UTC(), int16(levelArg(e)), e.Kind, e.Service, e.UserID,
			e.UserName, e.Project, e.Action, e.TargetType, e.TargetID, e.RequestID, e.GlobalRequestID, e.Outcome,
			statusArg(e), durationArg(e), e.Message, e.Format, e.Raw)
	}
	if batch.Len() > 0 {
		if err := tx.SendBatch(ctx, &batch).Close(); err != nil {
			return false, s.fail("save incident "+inc.ID, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, s.fail("save incident "+inc.ID, err)
	}
	return true, nil
}

// incidentSelect writes the SELECT of incidents with their in-scope count
// and worst level; the caller adds conditions after "WHERE …".
func incidentSelect(b *builder, scope Scope) {
	b.s("SELECT i.id, i.at, i.range_us, i.created, i.reason, i.trigger_id, i.by_user, ",
		"(SELECT count(*) FROM incident_events WHERE incident_id = i.id AND ")
	b.scope(scope)
	b.s("), (SELECT max(level) FROM incident_events WHERE incident_id = i.id AND ")
	b.scope(scope)
	b.s(") FROM incidents i WHERE EXISTS (SELECT 1 FROM incident_events WHERE incident_id = i.id AND ")
	b.scope(scope)
	b.s(")")
}

func scanIncident(scan func(...any) error, pg bool) (Incident, error) {
	var (
		inc     Incident
		rangeUS int64
		worst   sql.NullInt64
	)
	atD, at := timeDest(pg)
	crD, cr := timeDest(pg)
	if err := scan(&inc.ID, atD, &rangeUS, crD, &inc.Reason, &inc.Trigger, &inc.By, &inc.Count, &worst); err != nil {
		return inc, err
	}
	inc.At, inc.Created, inc.Range = at(), cr(), time.Duration(rangeUS)*time.Microsecond
	if worst.Valid {
		inc.WorstLevel = levelName(worst.Int64)
	}
	return inc, nil
}

func incidents(ctx context.Context, pg bool, run rowsFunc, q IncidentQuery) ([]Incident, error) {
	b := builder{pg: pg}
	incidentSelect(&b, q.Scope)
	if !q.BeforeAt.IsZero() {
		b.s(" AND (i.at, i.id) < (").timeArg(q.BeforeAt).s(", ").arg(q.BeforeID).s(")")
	}
	if !q.CreatedMin.IsZero() {
		b.s(" AND i.created >= ").timeArg(q.CreatedMin)
	}
	b.s(" ORDER BY i.at DESC, i.id DESC LIMIT ").arg(clampLimit(q.Limit))
	var out []Incident
	err := run(ctx, &b, func(scan func(...any) error) error {
		inc, err := scanIncident(scan, pg)
		if err != nil {
			return err
		}
		out = append(out, inc)
		return nil
	})
	return out, err
}

func incident(ctx context.Context, pg bool, run rowsFunc, id string, scope Scope) (Incident, []Event, error) {
	if !ValidIncidentID(id) {
		return Incident{}, nil, ErrNotFound
	}
	b := builder{pg: pg}
	incidentSelect(&b, scope)
	b.s(" AND i.id = ").arg(id)
	var (
		inc   Incident
		found bool
	)
	err := run(ctx, &b, func(scan func(...any) error) error {
		var err error
		inc, err = scanIncident(scan, pg)
		found = err == nil
		return err
	})
	if err != nil {
		return inc, nil, err
	}
	if !found {
		return inc, nil, ErrNotFound
	}
	e := builder{pg: pg}
	e.s("SELECT ", columns, " FROM incident_events WHERE incident_id = ").arg(id).s(" AND ")
	e.scope(scope)
	e.s(" ORDER BY time, id")
	var evs []Event
	err = run(ctx, &e, func(scan func(...any) error) error {
		ev, err := scanEvent(scanFunc(scan), pg)
		if err != nil {
			return err
		}
		evs = append(evs, ev)
		return nil
	})
	return inc, evs, err
}

type scanFunc func(...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// Incidents: see [IncidentStore].
func (s *sqliteStore) Incidents(ctx context.Context, q IncidentQuery) ([]Incident, error) {
	if err := s.incidentTables(ctx); err != nil {
		return nil, err
	}
	return incidents(ctx, false, s.rows, q)
}

// Incidents: see [IncidentStore].
func (s *pgStore) Incidents(ctx context.Context, q IncidentQuery) ([]Incident, error) {
	if err := s.incidentTables(ctx); err != nil {
		return nil, err
	}
	return incidents(ctx, true, s.rows, q)
}

// Incident: see [IncidentStore].
func (s *sqliteStore) Incident(ctx context.Context, id string, scope Scope) (Incident, []Event, error) {
	if err := s.incidentTables(ctx); err != nil {
		return Incident{}, nil, err
	}
	return incident(ctx, false, s.rows, id, scope)
}

// Incident: see [IncidentStore].
func (s *pgStore) Incident(ctx context.Context, id string, scope Scope) (Incident, []Event, error) {
	if err := s.incidentTables(ctx); err != nil {
		return Incident{}, nil, err
	}
	return incident(ctx, true, s.rows, id, scope)
}

// PurgeIncidents: see [IncidentStore].
func (s *sqliteStore) PurgeIncidents(ctx context.Context, before time.Time) (int64, error) {
	if err := s.incidentTables(ctx); err != nil {
		return 0, err
	}
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.fail("begin", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM incident_events WHERE incident_id IN (SELECT id FROM incidents WHERE created < ?)`, before.UnixMicro()); err != nil {
		return 0, s.fail("purge incidents", err)
	}
	r, err := tx.ExecContext(ctx, `DELETE FROM incidents WHERE created < ?`, before.UnixMicro())
	if err != nil {
		return 0, s.fail("purge incidents", err)
	}
	n, _ := r.RowsAffected()
	return n, s.fail("purge incidents", tx.Commit())
}

// PurgeIncidents: see [IncidentStore].
func (s *pgStore) PurgeIncidents(ctx context.Context, before time.Time) (int64, error) {
	if err := s.incidentTables(ctx); err != nil {
		return 0, err
	}
	tag, err := s.pool.Exec(ctx, `DELETE FROM incidents WHERE created < $1`, before.UTC())
	if err != nil {
		return 0, s.fail("purge incidents", err)
	}
	return tag.RowsAffected(), nil
}

var (
	_ IncidentStore = (*sqliteStore)(nil)
	_ IncidentStore = (*pgStore)(nil)
)
