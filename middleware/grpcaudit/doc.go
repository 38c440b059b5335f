// Package grpcaudit writes one audit line per gRPC call, served or made,
// through the shared [middleware.Reporter], so that gRPC lines agree field
// for field with the HTTP and SQL ones.
//
// Install it with [ServerOptions] and [DialOptions], or take the four
// interceptors one by one. Put them first in the chain: their line then
// times everything after them, and their request context reaches every
// later interceptor and the handler.
//
//	r := middleware.NewReporter(handler)
//	srv := grpc.NewServer(grpcaudit.ServerOptions(r)...)
//	conn, err := grpc.NewClient(target, append(grpcaudit.DialOptions(r), creds)...)
//
// # Built on go-grpc-middleware
//
// The lines come from go-grpc-middleware v2's logging interceptor, set to
// report the finished call only, through an adapter from its
// logging.Logger to the Reporter; panics are caught by its recovery
// interceptor. The adapter turns the finish-call event into a
// [middleware.Call]: kind request (server) or rpc (client), rpc.system
// "grpc", rpc.service and rpc.method, status the code number, the level by
// [DefaultLevel] (or [WithLevels]), the call's error as the exception, and
// under attrs.grpc the deadline and, for streams, the method type. Fields a
// handler adds with logging.InjectFields go to attrs as they are.
//
// Two things are measured here rather than taken from go-grpc-middleware's
// fields, which carry them as text. The duration is time.Since a start this
// package's interceptor takes before go-grpc-middleware's runs — exact to
// the nanosecond, where grpc.time_ms is rounded to the microsecond, and
// without the two allocations a DurationToFields carrying the exact value
// would cost. The deadline is ctx's, as a time. The error reaches the
// adapter as a value, through WithErrorFields, so the exception keeps its
// type and chain; its code follows grpc-go's own rule, so a handler that
// returns a bare ctx.Err() is logged as Canceled, as the client sees it,
// not as Unknown.
//
// # Served calls
//
// Before the handler runs, the server interceptor attaches the request
// context with [auditlog.Attachment] (so the handler's own lines carry it):
//
//   - the request id from [RequestIDKey] or [AltRequestIDKey], if
//     [middleware.ValidRequestID] accepts it, else a fresh one; it is
//     echoed in the response header under RequestIDKey;
//   - the global request id from [GlobalRequestIDKey], if valid;
//   - the peer's address as remote_addr, and the user agent;
//   - the caller's W3C traceparent, as a remote span context, so lines
//     carry trace_id and span_id without an OpenTelemetry SDK (a span an
//     instrumented server already started is kept);
//   - with [WithTrustedIdentity] only, the user from [UserIDKey],
//     [UserNameKey], [ProjectIDKey] and [RolesKey].
//
// A panic in the handler writes an exception line with the panic's stack
// (when exception logging is on) and ends the call with codes.Internal and
// a message that gives nothing away; the request line is still written,
// its exception wrapping the panic.
//
// # Calls made
//
// The client interceptor sends the request id of ctx (a fresh one when
// there is none, attached so the rpc line carries it too), the global
// request id and the traceparent of the span in ctx, whether or not the
// call is logged. Its line names the backend that answered as rpc.peer.
// The user is not sent: the server should learn who acts from its own
// authentication.
//
// # Lost lines
//
// A line the audit trail refuses, a call's or a panic's, never changes the
// call's result: the Reporter counts it and hands it, with the call's Call
// (kind request for a served call, rpc for a call made), to its error
// handler (middleware.WithErrorHandler). To refuse new calls while the
// trail is failing, chain an interceptor after this package's that returns
// codes.Unavailable while middleware.Reporter.Failing is true; the
// middleware package documentation says what that can promise.
//
// # Switches and skipped methods
//
// Request logging governs server lines and rpc-performance logging client
// lines; both are read per call, and when one is off the logging
// interceptor is not run at all. Exception logging governs panic lines;
// recovery itself is always on. Calls to the gRPC health service
// ([HealthPrefix]) are not logged unless [WithDefaultSkips](false) is given;
// [WithSkip] adds more.
//
// # Limits
//
// A client stream gets its line when the caller reads it to the end (or to
// an error): a stream abandoned half-read is never logged, as with
// go-grpc-middleware's own interceptor. A call's error that is not a panic
// carries the stack of the logging call, which says little.
package grpcaudit
