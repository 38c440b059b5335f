package events

import (
	"database/sql"
	"time"
)

// scanner is what both drivers' rows offer.
type scanner interface{ Scan(dest ...any) error }

// rowSet is what both drivers' result sets offer (database/sql's *sql.Rows
// and pgx.Rows), so that one loop reads events from either.
type rowSet interface {
	scanner
	Next() bool
	Err() error
}

// collect reads every row of rs as an event (see scanEvent for pg); hint
// is how many are expected, to size the slice.
func collect(rs rowSet, pg bool, hint int) ([]Event, error) {
	evs := make([]Event, 0, min(hint+1, 1024))
	for rs.Next() {
		e, err := scanEvent(rs, pg)
		if err != nil {
			return nil, err
		}
		evs = append(evs, e)
	}
	return evs, rs.Err()
}

// eachRow calls fn with the Scan of each row of rs, in either driver.
func eachRow(rs rowSet, fn func(scan func(dest ...any) error) error) error {
	for rs.Next() {
		if err := fn(rs.Scan); err != nil {
			return err
		}
	}
	return rs.Err()
}

// scanEvent reads one row of [columns]; times are integer microseconds in
// SQLite and timestamptz in PostgreSQL.
func scanEvent(r scanner, pg bool) (Event, error) {
	var (
		e      Event
		level  int64
		status sql.NullInt64
		dur    sql.NullFloat64
		us     int64
		tm     time.Time
	)
	var timeDest any = &us
	if pg {
		timeDest = &tm
	}
	err := r.Scan(&e.ID, &e.Seq, timeDest, &level, &e.Kind, &e.Service, &e.UserID, &e.UserName, &e.Project,
		&e.Action, &e.TargetType, &e.TargetID, &e.RequestID, &e.GlobalRequestID, &e.Outcome, &status, &dur,
		&e.Message, &e.Format, &e.Raw)
	if err != nil {
		return Event{}, err
	}
	if pg {
		e.Time = tm.UTC()
	} else {
		e.Time = time.UnixMicro(us).UTC()
	}
	e.Level = levelName(level)
	e.Status, e.HasStatus = int(status.Int64), status.Valid
	e.DurationMS, e.HasDuration = dur.Float64, dur.Valid
	if e.Raw == nil {
		e.Raw = []byte{}
	}
	return e, nil
}

// nullable values of an event, for the insert statements.
func statusArg(e *Event) any {
	if !e.HasStatus {
		return nil
	}
	return int64(e.Status)
}

func durationArg(e *Event) any {
	if !e.HasDuration {
		return nil
	}
	return e.DurationMS
}

func levelArg(e *Event) int64 {
	r, _ := LevelRank(e.Level)
	return int64(r)
}
