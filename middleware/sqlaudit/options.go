package sqlaudit

import "time"

// Option configures the wrapper made by [NewConnector], [Wrap] or [Open].
type Option func(*options)

// options is what the Options set. One value is built per wrapper and then
// only read, so every connection shares it without locking.
type options struct {
	system   string // rpc.system; empty means guessed from the driver
	database string // rpc.service
	args     bool
	redactor func(ordinal int, name string, v any) any
	slow     time.Duration
	ping     bool
}

func buildOptions(opts []Option) *options {
	o := &options{}
	for _, f := range opts {
		if f != nil {
			f(o)
		}
	}
	return o
}

// WithSystem sets rpc.system, the database system, by its OpenTelemetry
// name ("postgresql", "mysql", "sqlite", "mssql"…). Without it the system
// is guessed from the driver's name or package: the guess knows the
// common drivers and says "other_sql" for the rest.
func WithSystem(system string) Option { return func(o *options) { o.system = system } }

// WithDatabase sets rpc.service to the name of the database the
// connections use. The wrapper does not parse DSNs to find it out: each
// driver spells them its own way, and a wrong name is worse than none.
func WithDatabase(name string) Option { return func(o *options) { o.database = name } }

// WithArgs turns the logging of statement arguments on or off (off by
// default). Arguments are the one part of a call most likely to hold
// personal data and secrets, so even when on they are redacted:
//
//   - A named argument (sql.Named("password", pw)) is written as a
//     one-member object, {"password": …}, under the handler's own
//     redaction rules, so a sensitive name is masked, hashed or dropped
//     exactly as an attribute of that name would be.
//   - A positional argument has no name to judge it by, so it is written
//     as [auditlog.Masked] unless a [WithArgRedactor] function says what to
//     write instead.
//
// The statement text itself is always logged; keep literals out of it and
// pass values as arguments.
func WithArgs(on bool) Option { return func(o *options) { o.args = on } }

// WithArgRedactor sets the function that decides what is logged for each
// argument when [WithArgs] is on. It is called with the argument's ordinal
// (counted from 1, as in $1 and [database/sql/driver.NamedValue]), its name
// ("" for a positional argument) and its value, and returns what to write:
// the value itself to reveal it, [auditlog.Masked] to hide it, or anything
// in between (a prefix, a length, an HMAC made with
// [auditlog.Redaction.Hash] so that known values can still be searched
// for). The result of a named argument still passes the handler's
// key-based redaction, so the function cannot reveal a value whose name
// the handler deems sensitive.
//
// The function is called on the goroutine making the call, possibly
// concurrently; it must not keep v.
func WithArgRedactor(f func(ordinal int, name string, v any) any) Option {
	return func(o *options) { o.redactor = f }
}

// WithSlowThreshold makes the wrapper log only calls that took d or
// longer, so that a busy service can keep a slow-query log without a line
// per call. Calls that fail (WARNING or ERROR) are logged whatever their
// duration: an error is never a performance detail to be filtered away.
// Zero, the default, logs every call.
func WithSlowThreshold(d time.Duration) Option { return func(o *options) { o.slow = d } }

// WithPing turns on a line for each ping (method "ping"), as made by
// [database/sql.DB.PingContext]. Off by default: health checks ping often,
// and their lines would bury the service's own calls.
func WithPing(on bool) Option { return func(o *options) { o.ping = on } }
