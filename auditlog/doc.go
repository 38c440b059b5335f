// Package auditlog writes audit lines: one JSON object per line, with a fixed,
// documented set of keys (see [TopLevelKeys] and the JSON Schema in the
// schema package) written in sorted order at every level, so that grep, cut,
// jq and the project's own tools can rely on the layout.
//
// The origin is the Nova audit-logging spec: logs written for machines as
// well as people, for performance analysis, error tracking, usage statistics
// and security audit. A line says who (user) did what (action) to which
// resource (target), when, in which request (context), through which call
// (rpc), how long it took (duration_ms), how it ended (outcome, status), and
// what went wrong (exception).
//
// # Two ways in
//
// [Handler] is a [log/slog.Handler], so any slog user gets audit lines:
//
//	logger := slog.New(auditlog.NewHandler(os.Stdout, &auditlog.Options{Service: "nova-api"}))
//	logger.InfoContext(ctx, "server paused", auditlog.Action("pause"),
//		auditlog.Target{Type: "server", ID: id}.Attr())
//
// Attributes made by [Action], [Status], [Duration], [Err], [User.Attr],
// [Target.Attr], [RPC.Attr], [Kind.Attr] and [Outcome.Attr] fill the line's
// own keys; every other attribute, and every attribute inside a group, lands
// in the "attrs" object.
//
// [Handler.LogEvent] is the typed fast path for code that logs on every
// request: an [Event] value goes straight to the encoder and allocates
// nothing.
//
// # Request context
//
// Middleware attaches the request context once per request with
// [NewContext] (or the With* helpers); the handler reads it, and the
// OpenTelemetry span context, from the ctx of every call.
//
// # Safety
//
// Values under sensitive keys (see [DefaultSensitiveKeys]) are masked, dropped
// or hashed ([Redaction]) at every depth, LogValuer results and maps
// included. Every string is escaped so that no value can break a line in
// two. A line longer than [Options].MaxLineBytes has its values shortened and
// says so. Each line is one Write; [AsyncWriter] adds an explicit policy for a
// slow or failing destination.
//
// # Switches
//
// [Switches] are the spec's --[no-]request-logging,
// --[no-]rpc-performance-logging, --[no-]db-performance-logging and
// --[no-]exception-logging, registered on a pflag.FlagSet by
// [Switches.RegisterFlags].
package auditlog
