package logformat

import (
	"bytes"

	"github.com/auditlog-go/auditlog/tools/logline"
)

// summary is the default output: one readable line per event, then the
// exception and any further lines of a multi-line message below it,
// indented, so that a stack trace reads as one.
//
//	2026-11-27T07:38:55.123456Z INFO     nova-api [req-1 u1 p1] create server/3f2a: POST /v2.1/servers → 202 in 12.5ms: server created
//	    ValueError: bad
//	    Traceback (most recent call last):
//	      …
//
// Parts the line does not have are left out; the request context keeps
// oslo.log's bracketed shape, with '-' for what is missing.
type summary struct {
	ts, level, service                 logline.Lookup
	req, user, userName, project       logline.Lookup
	action, ttype, tid, tname          logline.Lookup
	system, rsvc, method, route, stmt  logline.Lookup
	status, outcome, duration, message logline.Lookup
	excType, excMsg, excStack          logline.Lookup
	kind                               logline.Lookup
	tmp                                []byte
	noStack                            bool // --no-traceback
}

func newSummary(f *logline.Fields, aliases bool) *summary {
	a := func(p string) logline.Lookup { return f.AddLookup(p, aliases) }
	return &summary{
		ts: a("timestamp"), level: a("level"), service: a("service"),
		req: a("context.request_id"), user: a("user.id"), userName: a("user.name"), project: a("user.project_id"),
		action: a("action"), ttype: a("target.type"), tid: a("target.id"), tname: a("target.name"),
		system: a("rpc.system"), rsvc: a("rpc.service"), method: a("rpc.method"), route: a("rpc.route"), stmt: a("rpc.statement"),
		status: a("status"), outcome: a("outcome"), duration: a("duration_ms"), message: a("message"),
		excType: a("exception.type"), excMsg: a("exception.message"), excStack: a("exception.stacktrace"),
		kind: a("kind"),
	}
}

const indent = "    "

// maxStatement keeps SQL statements in the summary to a glance; the whole
// text is one log-expand away.
const maxStatement = 120

// get is Lookup.Get with empty strings counted as absent: oslo.log writes
// "error_summary": "" on every line without an error.
func get(l logline.Lookup, vals [][]byte) []byte {
	v := l.Get(vals)
	if len(v) == 2 && v[0] == '"' {
		return nil
	}
	return v
}

func (s *summary) Append(dst []byte, vals [][]byte, r *render) []byte {
	start := len(dst)
	// Only this line's output counts: dst may hold the lines before it.
	sep := func() {
		if len(dst) > start && dst[len(dst)-1] != ' ' {
			dst = append(dst, ' ')
		}
	}
	// Fields on the summary line are kept to that line: a newline or tab
	// inside an id or a route shows as \n or \t, so no value can forge a
	// line of its own.
	text := func(v []byte) {
		at := len(dst)
		dst = r.appendText(dst, v, true)
		if bytes.ContainsAny(dst[at:], "\n\t") {
			s.tmp = append(s.tmp[:0], dst[at:]...)
			dst = dst[:at]
			for _, c := range s.tmp {
				switch c {
				case '\n':
					dst = append(dst, '\\', 'n')
				case '\t':
					dst = append(dst, '\\', 't')
				default:
					dst = append(dst, c)
				}
			}
		}
	}

	if v := get(s.ts, vals); v != nil {
		if v[0] != '"' { // epoch seconds (oslo.log's created, zap's ts): show a time
			if t, ok := logline.ParseTime(v, nil); ok {
				dst = t.UTC().AppendFormat(dst, "2006-01-02T15:04:05.000000Z07:00")
			} else {
				text(v)
			}
		} else {
			text(v)
		}
	}
	if v := get(s.level, vals); v != nil {
		sep()
		name, rank, ok := logline.LevelOf(v)
		ls := len(dst)
		if ok {
			if r.color {
				dst = append(dst, rankColor(rank)...)
			}
			dst = append(dst, name...)
			if r.color {
				dst = append(dst, colorReset...)
			}
		} else {
			text(v)
		}
		for n := len(dst) - ls - colorLen(r.color && ok, rank); n < 8; n++ {
			dst = append(dst, ' ')
		}
	}
	if v := get(s.service, vals); v != nil {
		sep()
		text(v)
	}
	req, user, project := get(s.req, vals), get(s.user, vals), get(s.project, vals)
	if user == nil {
		user = get(s.userName, vals)
	}
	if req != nil || user != nil || project != nil {
		sep()
		dst = append(dst, '[')
		for i, v := range [][]byte{req, user, project} {
			if i > 0 {
				dst = append(dst, ' ')
			}
			if v == nil {
				dst = append(dst, '-')
			} else {
				text(v)
			}
		}
		dst = append(dst, ']')
	}
	mark := len(dst)
	if v := get(s.action, vals); v != nil {
		sep()
		text(v)
	}
	tt, ti, tn := get(s.ttype, vals), get(s.tid, vals), get(s.tname, vals)
	if tt != nil || ti != nil {
		sep()
		if tt != nil {
			text(tt)
			if ti != nil {
				dst = append(dst, '/')
			}
		}
		if ti != nil {
			text(ti)
		}
	}
	if tn != nil {
		sep()
		dst = append(dst, '(')
		text(tn)
		dst = append(dst, ')')
	}
	method, route, rsvc, system := get(s.method, vals), get(s.route, vals), get(s.rsvc, vals), get(s.system, vals)
	switch {
	case route != nil || (method != nil && rsvc == nil):
		if len(dst) > mark {
			dst = append(dst, ':')
		}
		if method != nil {
			sep()
			text(method)
		}
		if route != nil {
			sep()
			text(route)
		}
	case rsvc != nil || system != nil:
		if len(dst) > mark {
			dst = append(dst, ':')
		}
		sep()
		if system != nil {
			text(system)
			dst = append(dst, ' ')
		}
		// A call seen from both ends logs two lines that would read alike:
		// say which end this one is.
		switch string(get(s.kind, vals)) {
		case `"request"`:
			dst = append(dst, "server "...)
		case `"rpc"`:
			dst = append(dst, "client "...)
		}
		if rsvc != nil {
			text(rsvc)
			if method != nil {
				dst = append(dst, '/')
			}
		}
		if method != nil {
			text(method)
		}
	}
	if v := get(s.stmt, vals); v != nil {
		sep()
		dst = append(dst, '"')
		s.tmp = r.appendText(s.tmp[:0], v, true)
		s.tmp = bytes.Join(bytes.Fields(s.tmp), []byte(" ")) // one line, single spaces
		if len(s.tmp) > maxStatement {
			dst = append(dst, s.tmp[:maxStatement]...)
			dst = append(dst, "…"...)
		} else {
			dst = append(dst, s.tmp...)
		}
		dst = append(dst, '"')
	}
	if v := get(s.status, vals); v != nil {
		sep()
		dst = append(dst, "→ "...)
		if name := grpcCodeName(v); name != "" && string(system) == `"grpc"` {
			dst = append(dst, name...)
			dst = append(dst, " ("...)
			text(v)
			dst = append(dst, ')')
		} else {
			text(v)
		}
	}
	if v := get(s.outcome, vals); v != nil && string(v) != `"success"` {
		sep()
		if r.color {
			dst = append(dst, colorRed...)
		}
		text(v)
		if r.color {
			dst = append(dst, colorReset...)
		}
	}
	if v := get(s.duration, vals); v != nil {
		sep()
		dst = append(dst, "in "...)
		text(v)
		dst = append(dst, "ms"...)
	}
	var rest []byte // the message's lines after the first
	if v := get(s.message, vals); v != nil {
		s.tmp = r.appendText(s.tmp[:0], v, true)
		first := s.tmp
		if i := bytes.IndexByte(first, '\n'); i >= 0 {
			first, rest = first[:i], first[i+1:]
		}
		// A message that only repeats the call ("exec", "POST /v2.1/servers")
		// says nothing new.
		if len(first) > 0 && len(dst) > mark && bytes.Contains(dst[mark:], first) {
			first = nil
		}
		if len(first) > 0 {
			if len(dst) > start {
				if len(dst) > mark {
					dst = append(dst, ':')
				}
				sep()
			}
			dst = append(dst, first...)
		}
	}
	if len(rest) > 0 {
		dst = appendIndented(dst, rest)
	}
	et, em, st := get(s.excType, vals), get(s.excMsg, vals), get(s.excStack, vals)
	if s.noStack {
		st = nil
	}
	if et != nil || em != nil {
		dst = append(dst, '\n')
		dst = append(dst, indent...)
		if r.color {
			dst = append(dst, colorRed...)
		}
		if et != nil {
			text(et)
			if em != nil {
				dst = append(dst, ": "...)
			}
		}
		if em != nil {
			s.tmp = r.appendText(s.tmp[:0], em, true)
			s.tmp = bytes.TrimRight(s.tmp, "\n")
			dst = append(dst, bytes.ReplaceAll(s.tmp, []byte("\n"), []byte("\n"+indent))...)
		}
		if r.color {
			dst = append(dst, colorReset...)
		}
	}
	if st != nil { // a string, or oslo.log's list of lines
		s.tmp = r.appendStack(s.tmp[:0], st)
		dst = appendIndented(dst, bytes.TrimRight(s.tmp, "\n"))
	}
	return dst
}

// grpcCodes are the names of gRPC's status codes, as grpc-go's
// codes.Code.String() writes them.
var grpcCodes = [...]string{"OK", "Canceled", "Unknown", "InvalidArgument", "DeadlineExceeded", "NotFound",
	"AlreadyExists", "PermissionDenied", "ResourceExhausted", "FailedPrecondition", "Aborted", "OutOfRange",
	"Unimplemented", "Internal", "Unavailable", "DataLoss", "Unauthenticated"}

// grpcCodeName is the name of the gRPC status code v (a JSON number), or
// "" when it is not one.
func grpcCodeName(v []byte) string {
	n := 0
	if len(v) == 0 || len(v) > 2 {
		return ""
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return ""
		}
		n = n*10 + int(c-'0')
	}
	if n >= len(grpcCodes) {
		return ""
	}
	return grpcCodes[n]
}

// appendIndented appends text as lines below the summary, each indented.
func appendIndented(dst, text []byte) []byte {
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line, text = text[:i], text[i+1:]
		} else {
			text = nil
		}
		dst = append(dst, '\n')
		dst = append(dst, indent...)
		dst = append(dst, bytes.TrimRight(line, "\r")...)
	}
	return dst
}

func colorLen(on bool, rank int) int {
	if !on {
		return 0
	}
	return len(rankColor(rank)) + len(colorReset)
}
