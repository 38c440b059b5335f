package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-sql-driver/mysql"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers "sqlite"

	"github.com/auditlog-go/auditlog/internal/errtext"
	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// Open connects to the database dsn names, creates table (mode's
// [DefaultTable] when table is "") if it is missing, and returns a Store
// that inserts into it.
//
// The DSN forms:
//
//	postgres://user:pass@host:5432/db?sslmode=disable   (also postgresql://; pgx reads the rest)
//	mysql://user:pass@host:3306/db?charset=utf8mb4      (also mariadb://)
//	mysql+asyncmy://user:pass@host:3306/db?…            (SQLAlchemy's; any +driver, mariadb+… too)
//	user:pass@tcp(host:3306)/db?param=value              (go-sql-driver/mysql's own)
//	sqlite:///relative/file.db, sqlite:////absolute/file.db  (SQLAlchemy's: the path follows the third slash)
//	sqlite:path/file.db, path/file.db (a bare path ending .db, .sqlite or .sqlite3)
//
// In the URL forms the user and password are percent-decoded. The MySQL URL
// forms take go-sql-driver/mysql's parameters, and the Python drivers'
// connect_timeout, read_timeout and write_timeout (seconds) and unix_socket.
// For MySQL the store always sets parseTime, loc=UTC and clientFoundRows off,
// and sets timeout=10s, readTimeout=2m and writeTimeout=2m unless the DSN
// sets them; for PostgreSQL it sets connect_timeout=10 unless the DSN does.
// SQLite files are opened in WAL mode with synchronous=FULL.
//
// Errors name the part of the DSN at fault and never hold its password.
// Open empties the table only when opts.Truncate is set.
func Open(ctx context.Context, dsnText, table, mode string, opts Options) (Store, error) {
	if table == "" {
		table = DefaultTable(mode)
	}
	if err := CheckTable(table); err != nil {
		return nil, err
	}
	d, err := parseDSN(dsnText)
	if err != nil {
		return nil, err
	}
	dl := dialects[d.dialect]
	var db *sql.DB
	switch d.dialect {
	case DialectPostgres:
		db = stdlib.OpenDB(*d.pg)
	case DialectMySQL:
		c, err := mysql.NewConnector(d.mysql)
		if err != nil {
			return nil, fmt.Errorf("store: DSN %q: %s", d.shown, d.redact(err.Error()))
		}
		db = sql.OpenDB(c)
	case DialectSQLite:
		db, err = sql.Open(dl.driver, sqliteDSN(d.sqlite))
		if err != nil {
			return nil, fmt.Errorf("store: SQLite file %q: %w", d.sqlite, err)
		}
	}
	// Batches are written one at a time: one connection is all a store
	// uses, and SQLite allows one writer anyway.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)

	s := &sqlStore{db: db, d: dl, dsn: d, table: table, opts: opts}
	s.rowsPerStmt = opts.RowsPerStatement
	if s.rowsPerStmt <= 0 {
		s.rowsPerStmt = defaultRowsPerStatement
	}
	s.rowsPerStmt = min(s.rowsPerStmt, dl.maxParams/len(columns))
	s.timeout = opts.BatchTimeout
	if s.timeout == 0 {
		s.timeout = defaultBatchTimeout
	}
	if err := s.prepare(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s.fullSQL = dl.insertSQL(table, s.rowsPerStmt)
	return s, nil
}

type sqlStore struct {
	gate
	db          *sql.DB
	d           *dialect
	dsn         *dsn
	table       string
	opts        Options
	rowsPerStmt int
	timeout     time.Duration
	fullSQL     string // the INSERT of rowsPerStmt rows
}

// where names the database in messages: its DSN, password masked.
func (s *sqlStore) where() string {
	if s.d.name == DialectSQLite {
		return fmt.Sprintf("SQLite file %q", s.dsn.sqlite)
	}
	return fmt.Sprintf("%s %q", s.d.name, s.dsn.shown)
}

// fail wraps err with what the store was doing, the password masked.
func (s *sqlStore) fail(doing string, err error) error {
	return &redactedError{msg: fmt.Sprintf("store: %s: %s: %s", s.where(), doing, errtext.UniqueLines(s.dsn.redact(err.Error()))), err: err}
}

// redactedError carries a message with the password masked; Unwrap keeps
// errors.Is(err, context.Canceled) and the like working.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// prepare connects, creates the table if missing, checks that it has the
// store's columns, and empties it if asked.
func (s *sqlStore) prepare(ctx context.Context) error {
	if s.d.name == DialectSQLite {
		// SQLite says only "unable to open database file (14)" when the
		// file's folder is missing: say which folder.
		dir := filepath.Dir(s.dsn.sqlite)
		if fi, err := os.Stat(dir); err != nil {
			return &redactedError{msg: fmt.Sprintf("store: %s: its folder %q does not exist (create it first)", s.where(), dir), err: err}
		} else if !fi.IsDir() {
			return fmt.Errorf("store: %s: %q is not a folder", s.where(), dir)
		}
	}
	if err := s.db.PingContext(ctx); err != nil {
		return s.fail("cannot connect", err)
	}
	ddl := s.d.ddl(s.table)
	if _, err := s.db.ExecContext(ctx, ddl[0]); err != nil {
		return s.fail(fmt.Sprintf("cannot create table %q", s.table), err)
	}
	// A table of that name may have been there before, made by another
	// tool (the seed script's has an instance column): say so, rather
	// than fail on the first insert.
	rows, err := s.db.QueryContext(ctx, selectColumns(s.d.quote(s.table)))
	if err != nil {
		return s.fail(fmt.Sprintf("table %q exists but lacks log-extract's columns (made by another tool? give another --table)", s.table), err)
	}
	rows.Close()
	if err := s.checkKey(ctx); err != nil {
		return err
	}
	for _, stmt := range ddl[1:] {
		if _, err := s.db.ExecContext(ctx, stmt); err != nil {
			return s.fail(fmt.Sprintf("cannot index table %q", s.table), err)
		}
	}
	if s.opts.Truncate {
		if _, err := s.db.ExecContext(ctx, fmt.Sprintf(s.d.truncate, s.d.quote(s.table))); err != nil {
			return s.fail(fmt.Sprintf("cannot empty table %q", s.table), err)
		}
	}
	return nil
}

// checkKey makes sure re-runs cannot duplicate rows: that the table has
// the unique key insert-ignore relies on (a table made by hand might not).
// It inserts a probe row twice in a transaction it rolls back, and expects
// the second insert to be ignored.
func (s *sqlStore) checkKey(ctx context.Context) error {
	probe := action.Action{
		Time: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC), Action: "log-extract-probe",
		Resource: "log-extract-probe", Match: action.MatchUnresolved,
	}
	args, err := s.appendRow(nil, &probe)
	if err != nil {
		return err
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return s.fail("cannot begin a transaction", err)
	}
	defer tx.Rollback()
	q := s.d.insertSQL(s.table, 1)
	noKey := fmt.Errorf("store: %s: table %q has no unique key on (resource, action, ts), so re-runs would duplicate rows: give another --table, or add the key", s.where(), s.table)
	var n int64
	for range 2 {
		res, err := tx.ExecContext(ctx, q, args...)
		if pe := (*pgconn.PgError)(nil); errors.As(err, &pe) && pe.Code == "42P10" {
			return noKey // ON CONFLICT names a key the table lacks
		}
		if err != nil {
			return s.fail(fmt.Sprintf("cannot insert into table %q", s.table), err)
		}
		if n, err = res.RowsAffected(); err != nil {
			return s.fail("cannot count inserted rows", err)
		}
	}
	if n != 0 {
		return noKey
	}
	return nil
}

func (s *sqlStore) Write(ctx context.Context, batch []action.Action) (int, error) {
	return s.gate.write(batch, func(no int) (int, error) { return s.writeBatch(ctx, no, batch) })
}

func (s *sqlStore) writeBatch(ctx context.Context, no int, batch []action.Action) (int, error) {
	n, err := s.write(ctx, batch)
	if err != nil {
		be := batchError(no, batch, err)
		var ue *unknownCommit
		if errors.As(err, &ue) {
			be.Unknown = true
		}
		return 0, be
	}
	return n, nil
}

// unknownCommit marks a failed COMMIT: the server may have applied it.
type unknownCommit struct{ error }

func (e *unknownCommit) Unwrap() error { return e.error }

func (s *sqlStore) write(ctx context.Context, batch []action.Action) (int, error) {
	args := make([]any, 0, len(batch)*len(columns))
	for i := range batch {
		var err error
		if args, err = s.appendRow(args, &batch[i]); err != nil {
			return 0, fmt.Errorf("action %d of the batch (%s): %w", i+1, positionOf(&batch[i]), err)
		}
	}
	if s.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.timeout)
		defer cancel()
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, s.fail("cannot begin a transaction", err)
	}
	defer tx.Rollback() // a no-op once committed
	inserted := 0
	width := len(columns)
	for start := 0; start < len(batch); {
		rows := s.chunk(args[start*width:], len(batch)-start)
		q := s.fullSQL
		if rows != s.rowsPerStmt {
			q = s.d.insertSQL(s.table, rows)
		}
		res, err := tx.ExecContext(ctx, q, args[start*width:(start+rows)*width]...)
		if err != nil {
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%w: %v", ctx.Err(), err)
			}
			return 0, s.fail(fmt.Sprintf("insert of actions %d to %d of the batch failed", start+1, start+rows), err)
		}
		if n, err := res.RowsAffected(); err == nil {
			inserted += int(n)
		}
		start += rows
	}
	if err := tx.Commit(); err != nil {
		if errors.Is(err, sql.ErrTxDone) && ctx.Err() != nil {
			// database/sql rolled back when ctx ended.
			return 0, s.fail("cancelled before commit", ctx.Err())
		}
		return 0, &unknownCommit{s.fail("commit failed", err)}
	}
	return inserted, nil
}

// maxStatementBytes keeps one INSERT well inside MySQL's max_allowed_packet
// (4 MiB on old servers) however long the paths and evidence are.
const maxStatementBytes = 1 << 20

// chunk returns how many of the next rows (whose arguments start args) go
// in one statement: at most rowsPerStmt, and at most ~1 MiB of text.
func (s *sqlStore) chunk(args []any, left int) int {
	width := len(columns)
	size, rows := 0, 0
	for rows < min(left, s.rowsPerStmt) {
		for _, v := range args[rows*width : (rows+1)*width] {
			if str, ok := v.(string); ok {
				size += len(str)
			} else {
				size += 8
			}
		}
		if rows > 0 && size > maxStatementBytes {
			break
		}
		rows++
	}
	return rows
}

// evidenceJSON is how evidence is kept in its column.
type evidenceJSON struct {
	Source string `json:"source"`
	Line   int64  `json:"line"`
	Role   string `json:"role"`
	Rule   string `json:"rule,omitempty"`
}

// appendRow appends a's values in column order. It refuses an action no
// database could key (no time, no action name) and values longer than their
// column, and mends text the databases would refuse (bytes that are not
// UTF-8, and NUL, which PostgreSQL refuses in text).
func (s *sqlStore) appendRow(args []any, a *action.Action) ([]any, error) {
	resource, name, t := a.Key()
	if t.IsZero() {
		return args, errors.New("it has no time")
	}
	if name == "" {
		return args, fmt.Errorf("it has no action name (use %q)", action.Unknown)
	}
	ev := make([]evidenceJSON, len(a.Evidence))
	for i, e := range a.Evidence {
		ev[i] = evidenceJSON{Source: clean(e.Source), Line: e.Line, Role: clean(e.Role), Rule: e.Rule}
	}
	evText, err := json.Marshal(ev)
	if err != nil {
		return args, err
	}
	var status, dur any
	if a.Status != 0 {
		status = int64(a.Status)
	}
	if a.DurationMS > 0 && !math.IsInf(a.DurationMS, 0) {
		dur = a.DurationMS
	}
	values := [...]any{
		s.d.ts(t.UTC()),
		name, a.ResourceType, resource, a.UserID, a.ProjectID, a.RequestID,
		a.Service, a.Method, a.Path, status, a.Outcome, dur, a.Match, string(evText),
	}
	for i, v := range values {
		str, ok := v.(string)
		if !ok || i == 0 {
			continue
		}
		str = clean(str)
		values[i] = str
		if m := columns[i].max; m > 0 && len(str) > m {
			if n := utf8.RuneCountInString(str); n > m {
				return args, fmt.Errorf("its %s is %d characters long; the column holds %d", columns[i].name, n, m)
			}
		}
	}
	return append(args, values[:]...), nil
}

// clean makes s storable in every database: invalid UTF-8 and NUL become
// U+FFFD.
func clean(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}

func (s *sqlStore) Close() error { return s.gate.close(s.db.Close) }
