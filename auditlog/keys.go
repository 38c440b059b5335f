package auditlog

import "slices"

// The key names of the audit line, in one place. The JSON Schema in
// schema/audit-line.schema.json mirrors them; a test asserts that the two agree.
//
// The names lean on the OpenTelemetry semantic conventions (trace_id, span_id,
// exception.type/message/stacktrace, rpc.system/service/method) and on CADF
// (action, target, outcome), so that a reader who knows either vocabulary is
// at home. They are snake_case because the seed spec, oslo.log and jq users
// all expect it. The README explains each choice.
const (
	// Top level, in the order they are written (sorted).
	KeyAction        = "action"         // what the user tried to do: create, delete, pause, read…
	KeyAttrs         = "attrs"          // every other attribute, nested; the top level stays closed
	KeyContext       = "context"        // the request context (see Context* keys)
	KeyDurationMS    = "duration_ms"    // how long a timed call took, in milliseconds
	KeyException     = "exception"      // an error or a recovered panic (see Exception* keys)
	KeyKind          = "kind"           // what produced the line (see Kind)
	KeyLevel         = "level"          // DEBUG, INFO, WARNING, ERROR or CRITICAL
	KeyMessage       = "message"        // the free-form message
	KeyOutcome       = "outcome"        // success, failure or unknown (CADF)
	KeyRPC           = "rpc"            // the call being served or made (see RPC* keys)
	KeySchemaVersion = "schema_version" // the version of this key set; see SchemaVersion
	KeySeq           = "seq"            // per-process (or per-Sequence) line number, from 1
	KeyService       = "service"        // the service that wrote the line
	KeyStatus        = "status"         // HTTP status or gRPC code number of a finished call
	KeyTarget        = "target"         // the resource acted on (see Target* keys)
	KeyTimestamp     = "timestamp"      // RFC 3339, UTC, microseconds
	KeyTruncated     = "truncated"      // true when values were shortened to fit MaxLineBytes
	KeyUser          = "user"           // who acted (see User* keys)

	// Inside "context".
	ContextGlobalRequestID = "global_request_id"
	ContextRemoteAddr      = "remote_addr"
	ContextRequestID       = "request_id"
	ContextSpanID          = "span_id"
	ContextTraceID         = "trace_id"
	ContextUserAgent       = "user_agent"

	// Inside "exception".
	ExceptionChain      = "chain" // the wrapped errors, outermost first, each {message, type}
	ExceptionMessage    = "message"
	ExceptionStacktrace = "stacktrace"
	ExceptionType       = "type"

	// Inside "rpc".
	RPCMethod        = "method"         // HTTP method, gRPC method name, or DB operation
	RPCPeer          = "peer"           // the other end of an outbound call
	RPCResponseBytes = "response_bytes" // bytes written in the response body
	RPCRoute         = "route"          // HTTP route template or path
	RPCRows          = "rows_affected"  // rows affected by a DB call, when known
	RPCService       = "service"        // gRPC service, or database name
	RPCStatement     = "statement"      // DB statement text (never its arguments)
	RPCSystem        = "system"         // http, grpc, sqlite, postgresql, mysql… (OTel names)
	RPCTxID          = "transaction_id" // the transaction a DB call belongs to

	// Inside "target".
	TargetID   = "id"
	TargetName = "name"
	TargetType = "type"

	// Inside "user".
	UserDomainID  = "domain_id"
	UserID        = "id"
	UserName      = "name"
	UserProjectID = "project_id"
	UserRoles     = "roles"
)

// SchemaVersion is the value of the schema_version key. It changes only when
// a key is removed or changes meaning; adding an optional key keeps it.
const SchemaVersion = 1

// TopLevelKeys returns the top-level keys in the order a line carries them.
// It is a new slice each time: the set is the package's, not a caller's to
// change.
func TopLevelKeys() []string { return slices.Clone(topLevelKeys) }

// NestedKeys returns, for each top-level object key with a fixed shape, the
// keys it may hold, sorted ("attrs" is open and is not listed); a copy, as
// with TopLevelKeys.
func NestedKeys() map[string][]string {
	m := make(map[string][]string, len(nestedKeys))
	for k, v := range nestedKeys {
		m[k] = slices.Clone(v)
	}
	return m
}

var topLevelKeys = []string{
	KeyAction, KeyAttrs, KeyContext, KeyDurationMS, KeyException, KeyKind,
	KeyLevel, KeyMessage, KeyOutcome, KeyRPC, KeySchemaVersion, KeySeq,
	KeyService, KeyStatus, KeyTarget, KeyTimestamp, KeyTruncated, KeyUser,
}

var nestedKeys = map[string][]string{
	KeyContext: {ContextGlobalRequestID, ContextRemoteAddr, ContextRequestID,
		ContextSpanID, ContextTraceID, ContextUserAgent},
	KeyException: {ExceptionChain, ExceptionMessage, ExceptionStacktrace, ExceptionType},
	KeyRPC: {RPCMethod, RPCPeer, RPCResponseBytes, RPCRoute, RPCRows, RPCService,
		RPCStatement, RPCSystem, RPCTxID},
	KeyTarget: {TargetID, TargetName, TargetType},
	KeyUser:   {UserDomainID, UserID, UserName, UserProjectID, UserRoles},
}
