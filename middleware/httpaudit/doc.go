// Package httpaudit is HTTP server middleware that writes one audit line per
// request, through the shared [middleware.Reporter], so that its lines agree
// field for field with the gRPC and database middleware.
//
//	rep := middleware.NewReporter(auditlog.NewHandler(os.Stdout, &auditlog.Options{Service: "nova-api"}))
//	srv := &http.Server{Handler: httpaudit.New(rep)(mux)}
//
// # The line
//
// A request line has kind "request" and says:
//
//   - rpc: system "http", the method, the route — the ServeMux pattern that
//     matched ("/v2.1/servers/{id}", read from r.Pattern after the handler
//     ran), a route from [WithRoute] for other routers, or else the path — and
//     response_bytes, every body byte the handler wrote (Write, WriteString
//     and io.Copy's ReadFrom path alike);
//   - status: the first final status written (1xx informational responses
//     are not final), 200 when the handler wrote nothing, and none when the
//     response never got one (hijacked or aborted first);
//   - level by status: 5xx ERROR, 4xx WARNING, otherwise INFO, and ERROR for
//     any request that panicked or was aborted; outcome failure from WARNING
//     up, as the Reporter decides;
//   - duration_ms, from before the body was peeked to after the handler
//     returned;
//   - action and target, from an [ActionMap] ([ComputeActions] by default);
//   - context: request_id, global_request_id, remote_addr, user_agent, and
//     the OpenTelemetry trace and span ids when a tracing middleware runs in
//     front; user: from [WithUser], or keystonemiddleware's headers with [WithTrustedIdentity] (none by default);
//   - attrs, only when there is something to say: client_gone (the request's
//     context was done when the handler returned — the client went away),
//     panicked, aborted, hijacked, and headers ([WithHeaders]).
//
// The message is the method and the path, as an operator would type them.
//
// # Request context
//
// The request id is the caller's X-OpenStack-Request-ID, or else its
// X-Request-ID, when it passes middleware.ValidRequestID; otherwise a fresh
// req-<uuid>. A header with a newline, or 10 KB of junk, is never used, so a
// client cannot write into every line of its request. The id is echoed in
// both response headers. The global request id is taken, when valid, from
// X-OpenStack-Global-Request-ID.
//
// The ids, the user and the client's address and agent are attached to the
// request's context before the handler runs, so every line the handler logs
// through an auditlog handler with r.Context() carries them.
//
// Per request the middleware allocates one object — the response writer,
// which also holds the context node, the copy of the request the handler
// gets, and the roles — plus the line's message and, when the caller sent
// no usable id, the generated one.
//
// # Panics
//
// A panic in the handler becomes an exception line (when exception logging
// is on) with the panic's own stack, and a 500 — or, when part of the
// response is already out, an aborted connection, so that the client does
// not take a cut-off body for a whole one. [WithRepanic] lets the panic go
// on instead, for an outer handler. http.ErrAbortHandler always goes on, as
// net/http expects. In every case the request line is written first.
//
// # Lost lines
//
// A line the audit trail refuses never changes the response: the Reporter
// counts it and hands it, with the request's Call, to its error handler
// (middleware.WithErrorHandler), and so for the exception line of a panic.
// A service that wants no action without a line can refuse new requests
// while the trail is failing, with a gate inside this middleware; the
// middleware package documentation says how, and what that can promise.
//
// # Switches and skips
//
// With request logging switched off (auditlog.Switches), nothing is timed
// and no body is read, but the request context is still attached and
// panics are still handled. Paths in the skip list ([DefaultSkip] unless
// [WithDefaultSkips](false), and those of [WithSkip], exact or, ending in
// "/", prefixes) get nothing at all: no line, no timing, no request id.
//
// # Response writer
//
// The handler gets a wrapper that keeps net/http's optional interfaces:
// Flush and FlushError, Hijack, ReadFrom and WriteString delegate when the
// underlying writer supports them, and Unwrap lets
// http.NewResponseController reach the rest (deadlines, full duplex).
// http.Pusher is not kept: browsers no longer use HTTP/2 push.
package httpaudit
