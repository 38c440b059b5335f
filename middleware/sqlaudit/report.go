package sqlaudit

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"log/slog"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// op is a database operation, written as rpc.method.
type op uint8

const (
	opQuery op = iota
	opExec
	opPrepare
	opBegin
	opCommit
	opRollback
	opPing
	numOps
)

var opNames = [numOps]string{"query", "exec", "prepare", "begin", "commit", "rollback", "ping"}

// auditor is what every wrapper of one connector shares: where lines go and
// how they are made. It is read-only after construction.
type auditor struct {
	r      *middleware.Reporter
	o      *options
	system string
	// messages are the lines' messages, made once: the reporter would
	// otherwise build "<database>/<method>" anew for every call. They are
	// what the reporter makes (a test holds them to it).
	messages [numOps]string
}

func newAuditor(r *middleware.Reporter, o *options, d driver.Driver, driverName string) *auditor {
	if r == nil {
		panic("sqlaudit: nil *middleware.Reporter")
	}
	a := &auditor{r: r, o: o, system: o.system}
	if a.system == "" {
		a.system = guessSystem(driverName, d)
	}
	for i, name := range opNames {
		a.messages[i] = name
		if o.database != "" {
			a.messages[i] = o.database + "/" + name
		}
	}
	return a
}

// on reports whether DB lines are wanted now. It is asked per call, not
// once, because the switches may be flipped while the service runs (flags
// parsed after the pool is opened, an operator's toggle); when off, the
// wrappers call straight through without reading the clock.
func (a *auditor) on() bool { return a.r.Enabled(auditlog.KindDB) }

// call is one timed database call: what the line will say about it, apart
// from its outcome.
type call struct {
	start time.Time
	// took is the call's duration when it ended before finish was
	// called (rows used up before they are closed); zero means "until
	// finish".
	took  time.Duration
	op    op
	query string
	txID  string
	rows  auditlog.OptInt
	attrs []slog.Attr // the args attribute, when WithArgs is on
}

// begin starts timing a call. args are the call's arguments, rendered now
// (when WithArgs is on) because the driver may reuse their memory once the
// call returns, and a query's line is written only when its rows close.
func (a *auditor) begin(c *call, o op, query, txID string, args []driver.NamedValue) {
	c.op, c.query, c.txID = o, query, txID
	if a.o.args && len(args) > 0 {
		c.attrs = a.argsAttr(args)
	}
	// The start is the one wall-clock reading: the end is time.Since,
	// which reads only the monotonic clock, and the line's timestamp is
	// start plus duration.
	c.start = time.Now()
}

// finish writes the line of c, which ended with err. driver.ErrSkip is not
// an outcome but the driver asking database/sql to take another route (a
// prepared statement instead of a direct query); that route is timed on its
// own, so a skipped call writes no line.
func (a *auditor) finish(ctx context.Context, c *call, err error) {
	if err == driver.ErrSkip {
		return
	}
	d := c.took
	if d == 0 {
		d = time.Since(c.start)
	}
	level, outcome, err := classify(ctx, err)
	if a.o.slow > 0 && d < a.o.slow && level < slog.LevelWarn {
		return
	}
	// A lost line is the Reporter's to count and report: the call has been
	// made, and its result is the driver's, not the audit trail's.
	_ = a.r.Finished(ctx, &middleware.Call{Start: c.start, Event: auditlog.Event{
		Kind:    auditlog.KindDB,
		Message: a.messages[c.op],
		RPC: auditlog.RPC{
			System:        a.system,
			Service:       a.o.database,
			Method:        opNames[c.op],
			Statement:     c.query,
			TransactionID: c.txID,
			RowsAffected:  c.rows,
		},
		Duration: d,
		Err:      err,
		Level:    level,
		Outcome:  outcome,
		Attrs:    c.attrs,
	}})
}

// classify chooses the level and outcome of a call that ended with err, and
// the error the line should carry (nil when err is not a failure).
//
//   - sql.ErrNoRows is an answer, not a failure: INFO, success, no
//     exception. (database/sql makes it above the driver, so the wrapper
//     rarely sees it; a driver or hook that returns it is still right.)
//   - A call cut short because its context ended is WARNING when canceled
//     (the caller went away; nothing is wrong with the database) and ERROR
//     when its deadline passed (the database was too slow for the budget).
//     Either way the outcome is unknown: the server may have done the work
//     before it heard of the cancellation. Some drivers report this in
//     their own words rather than with ctx.Err() (a server's "canceling
//     statement", a closed connection), so a failed call whose ctx has
//     ended counts as ended by it.
//   - driver.ErrBadConn is WARNING: database/sql retries the call on a fresh
//     connection, so the caller has not failed (yet).
//   - Anything else is ERROR, failure.
func classify(ctx context.Context, err error) (slog.Level, auditlog.Outcome, error) {
	switch {
	case err == nil || errors.Is(err, sql.ErrNoRows):
		return slog.LevelInfo, auditlog.OutcomeSuccess, nil
	case errors.Is(err, context.Canceled):
		return slog.LevelWarn, auditlog.OutcomeUnknown, err
	case errors.Is(err, context.DeadlineExceeded):
		return slog.LevelError, auditlog.OutcomeUnknown, err
	case errors.Is(err, driver.ErrBadConn):
		return slog.LevelWarn, auditlog.OutcomeFailure, err
	}
	if ctx != nil {
		switch ctx.Err() {
		case context.Canceled:
			return slog.LevelWarn, auditlog.OutcomeUnknown, err
		case context.DeadlineExceeded:
			return slog.LevelError, auditlog.OutcomeUnknown, err
		}
	}
	return slog.LevelError, auditlog.OutcomeFailure, err
}
