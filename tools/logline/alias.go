package logline

import "slices"

// Aliases are groups of paths that name the same thing in the lines of
// different writers. The first path of each group is our own key; the rest
// come from oslo.log's JSON formatter (asctime, levelname, name, traceback,
// error_summary, context.user, context.tenant…) and from the usual Go and
// other JSON loggers (time, ts, msg, logger, error, stacktrace, trace_id…).
//
// Asking for any member of a group finds the first member the line has,
// trying the asked-for path first: %(level)s reads levelname from an
// oslo.log line, and %(levelname)s reads level from ours.
//
// It returns a copy: the table every reader shares cannot be changed.
func Aliases() [][]string {
	out := make([][]string, len(aliases))
	for i, g := range aliases {
		out[i] = slices.Clone(g)
	}
	return out
}

var aliases = [][]string{
	{"timestamp", "time", "@timestamp", "asctime", "ts", "created"},
	{"level", "levelname", "severity", "lvl", "loglevel", "log.level"},
	{"message", "msg"},
	{"service", "logger", "name", "component"},
	{"exception.stacktrace", "traceback", "stacktrace", "stack_trace", "stack", "exc_info", "error.stack"},
	{"exception.message", "error_summary", "error", "err", "error.message"},
	{"exception.type", "error.type", "error.kind"},
	{"context.request_id", "request_id", "req_id", "requestId", "requestID"},
	{"context.global_request_id", "global_request_id"},
	{"context.trace_id", "trace_id", "traceId", "traceID"},
	{"context.span_id", "span_id", "spanId", "spanID"},
	{"context.remote_addr", "remote_addr", "remote_ip", "client_ip"},
	{"context.user_agent", "user_agent"},
	{"user.id", "context.user_id", "context.user", "user_id"},
	{"user.name", "context.user_name", "user_name"},
	{"user.project_id", "context.project_id", "context.tenant", "project_id", "tenant_id"},
	{"user.domain_id", "context.user_domain", "context.domain", "domain_id"},
	{"user.roles", "context.roles", "roles"},
	{"status", "status_code", "http.status_code"},
	{"duration_ms", "elapsed_ms", "latency_ms"},
	{"rpc.method", "method", "http.method"},
	{"rpc.route", "route", "http.route", "path"},
}

var aliasOf = func() map[string][]string {
	m := make(map[string][]string)
	for _, g := range aliases {
		for _, p := range g {
			m[p] = g
		}
	}
	return m
}()

// Names returns the alias group of path (our own key first), or nil when
// path has none: every name a writer may give the same thing, for readers
// that recognise keys rather than look them up (log-expand's level colour
// and stack blocks).
func Names(path string) []string { return slices.Clone(aliasOf[path]) }

// Candidates returns the paths to try, in order, for the path asked for:
// the path itself, then the rest of its alias group (none if it has none).
func Candidates(path string) []string {
	g := aliasOf[path]
	out := []string{path}
	for _, p := range g {
		if p != path {
			out = append(out, p)
		}
	}
	return out
}

// Lookup finds one asked-for value among its candidate slots.
type Lookup struct {
	Path  string // as asked for
	slots []int
}

// AddLookup adds path (and, when aliases is true, its aliases) to f and
// returns the Lookup that finds it in extracted values.
func (f *Fields) AddLookup(path string, aliases bool) Lookup {
	l := Lookup{Path: path}
	cands := []string{path}
	if aliases {
		cands = Candidates(path)
	}
	for _, c := range cands {
		l.slots = append(l.slots, f.Add(c))
	}
	return l
}

// Get returns the first candidate the line has, skipping JSON nulls (as jq's
// `//` does), or nil when none is there.
func (l Lookup) Get(vals [][]byte) []byte {
	for _, s := range l.slots {
		if v := vals[s]; v != nil && !isNull(v) {
			return v
		}
	}
	return nil
}

func isNull(v []byte) bool { return len(v) == 4 && string(v) == "null" }
