// Package sqlaudit writes one audit line per database call made through
// [database/sql]: the Nova spec's DB performance log. It wraps any driver,
// so the service keeps its *sql.DB and its driver and only changes how the
// pool is opened:
//
//	r := middleware.NewReporter(handler)
//	db, err := sqlaudit.Open("pgx", dsn, r, sqlaudit.WithDatabase("nova"))
//
// or, with a driver's connector, sql.OpenDB([NewConnector](c, r)), or, for
// code that registers drivers by name, sql.Register(name, [Wrap](d, r)).
//
// # The line
//
// Every query, exec, prepare, statement query or exec, begin, commit and
// rollback (and, with [WithPing], ping) becomes one line of kind db, written
// through the shared [middleware.Reporter] so that it agrees field for field
// with the HTTP and gRPC middleware:
//
//   - rpc.system: the database system ([WithSystem]; guessed from the
//     driver: sqlite, postgresql, mysql…), rpc.service: the database
//     ([WithDatabase]), rpc.method: the operation (query, exec, prepare,
//     begin, commit, rollback, ping), rpc.statement: the SQL text.
//   - rpc.rows_affected for an exec whose driver says how many rows it
//     touched.
//   - rpc.transaction_id on begin, commit, rollback and every call in
//     between: an id the wrapper gives each transaction at Begin,
//     c<connection>-t<n>, unique in the process. database/sql does not show
//     the database's own transaction ids.
//   - duration_ms and outcome; the request context (request id, user,
//     trace) of the call's ctx, as on every line.
//   - exception when the call failed: ERROR in general; WARNING when the
//     caller canceled its ctx (outcome unknown: the server may have done
//     the work) and for driver.ErrBadConn (database/sql retries those).
//     sql.ErrNoRows is an answer, not a failure. driver.ErrSkip writes no
//     line at all: it is a driver asking database/sql to take another
//     route, a prepared statement, whose calls have lines of their own —
//     so with go-sql-driver/mysql (without interpolateParams) a query with
//     arguments shows as a prepare and a query.
//
// A query's line is written when its rows are closed, because much of the
// work, and many errors, come while the rows are read: its duration runs
// until the rows are used up or closed. Rows that are never closed leak a
// connection and never get a line.
//
// # Arguments
//
// Arguments are not logged: they are where personal data and secrets are.
// [WithArgs] logs them in attrs ("args": […]), redacted — named arguments
// under the handler's key rules, positional ones masked unless a
// [WithArgRedactor] function decides. The statement text is always logged,
// so keep values out of it.
//
// # Cost and switches
//
// Each call asks the reporter whether DB lines are switched on
// (--[no-]db-performance-logging); when they are off, calls go straight to
// the driver without reading the clock. [WithSlowThreshold] keeps only calls
// slower than a threshold, and every failure.
//
// A logged call costs about a microsecond more on the machine the project
// is measured on, half of it building the line (bench/sql_bench_test.go,
// and BenchmarkOverhead here): lost in a query that crosses a network, but
// about a fifth of an in-memory SQLite point query.
//
// # Lost lines
//
// A line the audit trail refuses never changes the call's result: the
// Reporter counts it and hands it, with the call's Call (kind db, the
// operation, statement and transaction id), to its error handler
// (middleware.WithErrorHandler).
//
// # What database/sql sees
//
// database/sql changes its behaviour according to the optional interfaces
// a driver's connection, statement and rows have. The wrappers have the
// ones with a neutral answer always (answering as database/sql would
// without them: driver.ErrSkip from ExecContext, QueryContext and
// CheckNamedValue; the old methods plus a ctx check for PrepareContext,
// BeginTx and the statement's ExecContext and QueryContext), and
// SessionResetter, Validator and ColumnConverter only when the driver's
// own value has them. The driver's context handling is untouched, so a
// canceled ctx still cancels a running query. [database/sql.Conn.Raw] sees
// the wrapper; its Unwrap() driver.Conn method returns the driver's
// connection, as the Unwrap() driver.Driver method of what
// [database/sql.DB.Driver] returns gives the driver.
package sqlaudit
