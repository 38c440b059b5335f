// Package oslolog reads oslo.log text logs, the format every OpenStack
// service writes (nova-api, nova-compute, glance-api, neutron-server…):
//
//	2015-10-29 10:00:00.123 4567 INFO nova.osapi_compute.wsgi.server [req-… user project - - -] [instance: …] message
//
// It parses one physical line into a [Record] and joins the lines that
// belong to the record before them (tracebacks, multi-line bodies).
package oslolog

import "time"

// Record is one log record: its first line parsed, and the lines that
// continue it.
type Record struct {
	Source string // the file it came from (for Loghub's form, the name written at the start of the line)
	Line   int64  // line number of its first line in Source, from 1
	Lines  int    // physical lines it spans (1 + len(Extra))

	Time    time.Time // as written, read in the location given to the parser (oslo.log writes no zone)
	Millis  bool      // Time had sub-second digits
	PID     int       // 0 when the line has none
	Level   string    // as written: DEBUG, INFO, AUDIT, WARNING, ERROR, CRITICAL, TRACE
	Logger  string    // nova.api.openstack.wsgi, …
	Context Context   // the bracketed request context, when there is one
	// Instance is the uuid of "[instance: <uuid>]" right after the context.
	Instance string
	Message  string   // the rest of the first line
	Extra    []string // the continuation lines, as written (tracebacks, bodies)
}

// Context is oslo.log's request context as text logs show it. Its shapes:
//
//	[req-… user project - - -]           user and project ids (and domain fields)
//	[req-… - - - - -]                    a request without a user
//	[req-… None]                         old releases: no user
//	[req-… name tenant]                  old releases: names
//	[req-… user project - default default]
//	[-]                                  no request at all
//
// Fields written as "-" or "None" are left empty.
type Context struct {
	RequestID       string
	GlobalRequestID string // newer releases put it after the request id
	User            string
	Project         string
	Domain          string
	UserDomain      string
	ProjectDomain   string
	Raw             string // the whole bracket as written, without the brackets
}
