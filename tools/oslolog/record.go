package oslolog

import "time"

// Record is one log record: its first line parsed, and the lines that
// continue it.
//
// The string fields of the first line are substrings of one string, and the
// lines of Extra substrings of another, so keeping one field keeps that
// whole line (or all of Extra) in memory; use strings.Clone to keep a field
// of a record whose lines are long.
type Record struct {
	// Source is the log the record belongs to: the name written at the
	// start of the line in Loghub's form, and otherwise File.
	Source string
	// File is the input the record was read from, as given to the
	// [Grouper]; empty from [ParseLine]. Line counts lines in File.
	File  string
	Line  int64 // line number of its first line in File, from 1
	Lines int   // physical lines it spans: 1 + len(Extra) + Dropped

	Time    time.Time // as written, read in the location given to the parser (oslo.log writes no zone)
	Millis  bool      // Time had sub-second digits
	PID     int       // 0 when the line has none
	Level   string    // as written: DEBUG, INFO, AUDIT, WARNING, ERROR, CRITICAL, TRACE
	Logger  string    // nova.api.openstack.wsgi, …
	Context Context   // the bracketed request context, when there is one
	// Instance is the uuid of "[instance: <uuid>]" right after the context.
	Instance string
	// Message is the rest of the first line. On DEBUG lines it ends with
	// oslo.log's suffix, "funcName /path/file.py:123".
	Message string
	// Extra holds the continuation lines, as written: tracebacks, bodies,
	// and the lines oslo.log writes for an exception with the record's own
	// prefix (see [Grouper]).
	Extra []string
	// Dropped counts the continuation lines left out of Extra because the
	// record reached the [Grouper]'s limits.
	Dropped int
}

// HasContext tells whether the first line had a request context bracket,
// "[-]" included. The lines oslo.log writes for a traceback have none.
func (r *Record) HasContext() bool { return r.Context.Raw != "" }

// Context is oslo.log's request context as text logs show it. Its shapes:
//
//	[req-… user project - - -]             user and project ids, then domain, user domain, project domain
//	[req-… user project - default default]
//	[req-… - - - - -]                      a request without a user
//	[req-… None]                           old releases: no user
//	[req-…]                                old releases: the request id only
//	[req-… name tenant]                    devstack: user and project names
//	[req-G req-… user project - - default default]
//	[None req-… user project - - default default]
//	                                       newer releases: the global request id (None when
//	                                       there is none) first, and a system scope after the domain
//	[-]                                    no request at all
//
// Fields written as "-" or "None" are left empty. With five or fewer words
// after the ids they are read in the order user, project, domain, user
// domain, project domain; with six, the fourth is the system scope.
type Context struct {
	RequestID       string
	GlobalRequestID string // newer releases put it before the request id
	User            string
	Project         string
	Domain          string
	SystemScope     string // newer releases: "all" for a system-scoped token
	UserDomain      string
	ProjectDomain   string
	Raw             string // the whole bracket as written, without the brackets
}
