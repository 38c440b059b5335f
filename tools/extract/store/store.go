package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// Store receives actions in batches.
//
// Write stores one batch atomically: all of it or none of it (one
// transaction for the database stores, one Write call on the writer for
// [NewJSONLines]). Re-writing actions a database store already holds is not
// an error and changes nothing: rows are keyed by [action.Action.Key] and
// inserted with insert-ignore. inserted counts the rows that were new.
// Write does not keep batch. When ctx ends before the batch commits, the
// batch is rolled back and Write returns an error wrapping ctx.Err().
//
// An error from Write is a [*BatchError]: it says which batch failed and
// where its first and last actions came from, so the caller can tell the
// user where to resume. A failed batch never leaves part of itself behind;
// the batches before it stay committed. The store stays usable after a
// failed batch (the next Write opens a new connection if the old one died).
//
// A Store is safe for concurrent use, but batches are written one at a
// time, in the order Write is called.
type Store interface {
	Write(ctx context.Context, batch []action.Action) (inserted int, err error)
	Close() error
}

// Options configures [Open]. The zero value means the defaults.
type Options struct {
	// Truncate empties the table when the store is opened. Nothing else
	// ever deletes a row.
	Truncate bool

	// RowsPerStatement caps the rows of one multi-row INSERT. Default
	// 500; it is lowered, never raised, to keep within each database's
	// limit on placeholders. A batch larger than this is written as
	// several statements in one transaction.
	RowsPerStatement int

	// BatchTimeout bounds one Write, so that a database that stops
	// answering (a partitioned network drops packets without a reset)
	// ends the run with an error rather than hanging it. Default 5
	// minutes; negative means no bound beyond the caller's ctx.
	BatchTimeout time.Duration
}

const (
	defaultRowsPerStatement = 500
	defaultBatchTimeout     = 5 * time.Minute
)

// DefaultTable returns the table a mode's actions go to when none is given:
// the seed script's names. An unknown mode gets "action_log".
func DefaultTable(mode string) string {
	if m, ok := action.LookupMode(mode); ok {
		return m.Table
	}
	return "action_log"
}

// maxTableName leaves room for the index names made from the table's
// (table + "_request_id" must fit MySQL's and PostgreSQL's 63-64 bytes).
const maxTableName = 48

// CheckTable reports whether name is a table name the store accepts:
// letters, digits and '_', not starting with a digit, at most 48 bytes. The
// name is quoted in every statement all the same.
func CheckTable(name string) error {
	if name == "" {
		return errors.New("store: empty table name")
	}
	if len(name) > maxTableName {
		return fmt.Errorf("store: table name %q is longer than %d characters", name, maxTableName)
	}
	for i, c := range name {
		if !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return fmt.Errorf("store: table name %q: only letters, digits and '_' are allowed, and it may not start with a digit", name)
		}
	}
	return nil
}

// Position is where an action came from: its time and its first evidence
// line (the API access line, as the extractor orders evidence).
type Position struct {
	Time   time.Time
	Source string
	Line   int64
}

func positionOf(a *action.Action) Position {
	p := Position{Time: a.Time}
	if len(a.Evidence) > 0 {
		p.Source, p.Line = a.Evidence[0].Source, a.Evidence[0].Line
	}
	return p
}

// String returns "source:line" (or the time when the action has no
// evidence).
func (p Position) String() string {
	if p.Source != "" || p.Line != 0 {
		return fmt.Sprintf("%s:%d", p.Source, p.Line)
	}
	return p.Time.UTC().Format(time.RFC3339Nano)
}

// BatchError is the error of a batch that was not stored.
type BatchError struct {
	Batch   int      // the batch's number, counting Write calls on the store from 1
	Actions int      // its size
	First   Position // where its first action came from
	Last    Position // where its last action came from
	// Unknown is set when the connection broke while the batch was being
	// committed: the database may or may not have stored it. Writing it
	// again is safe (insert-ignore), so resume from First either way.
	Unknown bool
	Err     error
}

func (e *BatchError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "store: batch %d (%d actions, from %s to %s) ", e.Batch, e.Actions, e.First, e.Last)
	if e.Unknown {
		b.WriteString("may not have been stored (the connection broke during commit; writing it again is safe)")
	} else {
		b.WriteString("was not stored, none of it")
	}
	fmt.Fprintf(&b, ": resume from %s: %s", e.First, strings.TrimPrefix(fmt.Sprint(e.Err), "store: "))
	return b.String()
}

func (e *BatchError) Unwrap() error { return e.Err }

func batchError(n int, batch []action.Action, err error) *BatchError {
	e := &BatchError{Batch: n, Actions: len(batch), Err: err}
	if len(batch) > 0 {
		e.First, e.Last = positionOf(&batch[0]), positionOf(&batch[len(batch)-1])
	}
	return e
}

// ErrClosed is the error of a Write after Close.
var ErrClosed = errors.New("store: closed")

// gate is the part of Write and Close every Store shares: one batch at a
// time, ErrClosed after Close, and the count of batches a [BatchError]
// numbers them by (an empty batch counts, and writes nothing).
type gate struct {
	mu      sync.Mutex
	batches int
	closed  bool
}

// write runs fn with the batch's number under the lock, unless the store
// is closed or the batch is empty.
func (g *gate) write(batch []action.Action, fn func(n int) (int, error)) (int, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return 0, ErrClosed
	}
	g.batches++
	if len(batch) == 0 {
		return 0, nil
	}
	return fn(g.batches)
}

// close marks the store closed and, the first time, runs release (nil:
// nothing to release) under the lock, so that no Write is half-way.
func (g *gate) close(release func() error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return nil
	}
	g.closed = true
	if release == nil {
		return nil
	}
	return release()
}
