package auditlog

import (
	"log/slog"
	"time"
)

// User is who acted: the identity and the scope (project, domain) the action
// was authorised in, as Keystone gives them to an OpenStack service.
type User struct {
	ID        string
	Name      string
	ProjectID string
	DomainID  string
	Roles     []string
}

// IsZero reports whether u names nobody.
func (u User) IsZero() bool {
	return u.ID == "" && u.Name == "" && u.ProjectID == "" && u.DomainID == "" && len(u.Roles) == 0
}

// Attr returns the attribute that sets the line's user in a slog call.
func (u User) Attr() slog.Attr { return slog.Any(KeyUser, u) }

// Target is the resource an action was applied to (CADF's target).
type Target struct {
	Type string // server, image, network, port…
	ID   string
	Name string
}

// IsZero reports whether t names no resource.
func (t Target) IsZero() bool { return t.Type == "" && t.ID == "" && t.Name == "" }

// Attr returns the attribute that sets the line's target in a slog call.
func (t Target) Attr() slog.Attr { return slog.Any(KeyTarget, t) }

// RPC describes the call being served or made: an HTTP request, a gRPC
// method, a database operation. Field names follow OpenTelemetry's rpc.*,
// http.* and db.* conventions, folded into one object so that the three
// kinds of timed line agree field for field.
type RPC struct {
	System        string // http, grpc, sqlite, postgresql, mysql…
	Service       string // gRPC service, or the database name
	Method        string // HTTP method, gRPC method, or DB operation (query, exec, begin…)
	Route         string // HTTP route template, or the path when there is none
	Peer          string // the other end of an outbound call
	Statement     string // SQL text; arguments are never put here
	TransactionID string
	ResponseBytes OptInt // bytes of the response body
	RowsAffected  OptInt // rows affected by a DB call, when the driver says
}

// IsZero reports whether r describes no call.
func (r RPC) IsZero() bool { return r == RPC{} }

// Attr returns the attribute that sets the line's rpc object in a slog call.
func (r RPC) Attr() slog.Attr { return slog.Any(KeyRPC, r) }

// OptInt is an integer that may be absent. Zero is a real value for a status
// (gRPC OK), a row count or a body size, so absence needs its own bit.
type OptInt struct {
	Value int64
	Valid bool
}

// Int returns an OptInt holding v.
func Int(v int64) OptInt { return OptInt{Value: v, Valid: true} }

// Action returns the attribute that sets the line's action: what the user
// tried to do, as a CADF-style verb (create, read, update, delete, pause…).
func Action(name string) slog.Attr { return slog.String(KeyAction, name) }

// Status returns the attribute that sets the line's status: an HTTP status
// or a gRPC code number.
func Status(code int) slog.Attr { return slog.Int(KeyStatus, code) }

// Duration returns the attribute that sets the line's duration_ms.
func Duration(d time.Duration) slog.Attr { return slog.Duration(KeyDurationMS, d) }

// Err returns the attribute that turns err into the line's exception object:
// its type, message, the chain of errors it wraps, and a stack trace.
func Err(err error) slog.Attr { return slog.Any(KeyException, err) }
