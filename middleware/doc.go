// Package middleware is what the timing middleware shares: the [Call] each
// transport fills when a unit of work ends, the [Reporter] that writes its
// line through an [auditlog.Handler], and the request-id rules
// ([ValidRequestID], [NewRequestID]). The transports are its subpackages:
// httpaudit (one line per request served), grpcaudit (client and server
// interceptors) and sqlaudit (a database/sql driver wrapper). Because all
// three hand a Call to the same Reporter, a request line, an outbound call
// and a database call agree field for field, and each honours the
// handler's Switches ([Reporter.Enabled]).
//
//	rep := middleware.NewReporter(h, middleware.WithErrorHandler(onLost))
//	srv := &http.Server{Handler: httpaudit.New(rep)(mux)}
//	gs := grpc.NewServer(grpcaudit.ServerOptions(rep)...)
//	db, err := sqlaudit.Open("pgx", dsn, rep)
//
// # Options
//
// The transports' options share one vocabulary:
//
//   - WithSkip(patterns...) adds to what gets no line; each pattern is
//     matched exactly, or as a prefix when it ends in "/" ([Skipped]).
//     WithDefaultSkips(false) drops the defaults: health checks
//     (httpaudit.DefaultSkip(), gRPC's health service).
//   - WithTrustedIdentity(true) takes the user who acts from what a
//     trusted proxy in front set — keystonemiddleware's X-User-Id and
//     friends over HTTP, x-user-id and friends in gRPC metadata. It is off
//     by default in both: those headers are only as trustworthy as
//     whatever sets them, and on a service any client reaches directly
//     they would put whatever identity the client claims in the audit
//     trail.
//   - A switch that changes a default takes the new value, WithRepanic(true),
//     WithArgs(true), so a service can pass its own configuration through.
//   - A nil Option is ignored, in every transport.
//
// # When a line cannot be written
//
// A call's line is written when the call has ended. If the handler's
// writer refuses it — an [auditlog.AsyncWriter] under [auditlog.Fail] whose
// buffer is full or whose destination is failing, a file on a full disk —
// the call is not failed: as in Kubernetes' audit, the trail's trouble is
// not the caller's. It is not hidden either. The Reporter
//
//   - counts the line: [Reporter.Errors], a counter to export as a metric;
//   - remembers that the trail is failing: [Reporter.Failing], true from a
//     lost line until the next line is written;
//   - calls the function given with [WithErrorHandler], with the call's ctx
//     (its request id, user and trace), the Call the line described, and
//     the writer's error. The exception line of a recovered panic
//     ([Reporter.Panicked]) is counted and reported the same way, as a Call
//     of kind exception.
//
// One place, the Reporter, does this for every transport, so a service
// wires it once. Which failures reach it depends on the writer: a plain
// writer's every error; under Fail, every line refused; under Block and
// Drop, only a line longer than the buffer or one written after Close —
// Drop counts the lines it drops itself (AsyncWriter.Dropped, and a line
// saying so). A
// line an AsyncWriter accepted and could not deliver by Close is counted in
// Close's error, not here: the Reporter knows only what Write told it.
//
// # No audit, no action
//
// The middleware offers no switch to fail the call whose line was lost,
// because it cannot do so honestly. The line is written after the call: the
// server has been created, the row committed, and an HTTP response may be
// on the wire already. Answering 503 or Unavailable then would tell
// the client that an action failed when it happened, and a client that
// retries would do it twice.
//
// What a service can honestly do is refuse new work while its trail is
// down: a gate that answers HTTP 503 (or gRPC Unavailable, or returns an
// error before a database call) while [Reporter.Failing] is true. Put the
// gate inside the middleware — httpaudit.New(rep)(gate(mux)), or a gRPC
// interceptor chained after grpcaudit's — so that each refused call still
// gets a line: the first such line that is written shows the trail is back,
// and opens the gate (ExampleReporter_Failing). What this guarantees, and
// what it does not: the calls in flight when the trail fails, and the one
// whose line first fails, are served without a line (and reported to the
// error handler); every call after that is refused until a line gets
// through, and under an AsyncWriter that is as soon as its destination
// takes writes again.
package middleware
