package auditlog

import "log/slog"

// Kind says what produced a line. The zero value is [KindLog].
type Kind uint8

const (
	KindLog       Kind = iota // a plain log statement
	KindRequest               // a request this service served (HTTP, gRPC server)
	KindRPC                   // an outbound call this service made (gRPC client, HTTP client)
	KindDB                    // a database call
	KindException             // an uncaught exception: a panic, or an error nobody handled
	KindLifecycle             // an audit-trail record of a resource's life (created, paused, deleted…)
)

var kindNames = [...]string{"log", "request", "rpc", "db", "exception", "lifecycle"}

// String returns the name written in the line.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "log"
}

// ParseKind is the inverse of [Kind.String].
func ParseKind(s string) (Kind, bool) {
	for i, n := range kindNames {
		if n == s {
			return Kind(i), true
		}
	}
	return KindLog, false
}

// Attr returns the attribute that sets the line's kind in a slog call.
func (k Kind) Attr() slog.Attr { return slog.String(KeyKind, k.String()) }

// timed reports whether lines of this kind always carry duration_ms.
func (k Kind) timed() bool { return k == KindRequest || k == KindRPC || k == KindDB }

// Outcome is the CADF outcome of an action.
type Outcome uint8

const (
	OutcomeNone    Outcome = iota // not written
	OutcomeSuccess                // "success"
	OutcomeFailure                // "failure"
	OutcomeUnknown                // "unknown": the action's result could not be told
)

var outcomeNames = [...]string{"", "success", "failure", "unknown"}

// String returns the name written in the line ("" for OutcomeNone).
func (o Outcome) String() string {
	if int(o) < len(outcomeNames) {
		return outcomeNames[o]
	}
	return ""
}

// ParseOutcome is the inverse of [Outcome.String].
func ParseOutcome(s string) (Outcome, bool) {
	for i, n := range outcomeNames[1:] {
		if n == s {
			return Outcome(i + 1), true
		}
	}
	return OutcomeNone, false
}

// Attr returns the attribute that sets the line's outcome in a slog call.
func (o Outcome) Attr() slog.Attr { return slog.String(KeyOutcome, o.String()) }
