package httpaudit

import (
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
)

// DefaultSkip returns the paths that get no line by default: health checks,
// which a load balancer calls every few seconds and nobody audits. It is a
// copy: changing it changes no middleware (use [WithSkip] and
// [WithDefaultSkips]).
func DefaultSkip() []string { return slices.Clone(defaultSkip) }

var defaultSkip = []string{"/healthz", "/livez", "/readyz", "/healthcheck"}

// An Option configures [New].
type Option func(*options)

type options struct {
	user      func(*http.Request) auditlog.User
	keystone  bool // WithTrustedIdentity: KeystoneUser, called so that its roles can live in the response writer
	route     func(*http.Request) string
	actions   ActionMap
	bodyLimit int
	repanic   bool
	skip      []string
	headers   []string
	now       func() time.Time // nil: time.Now, and time.Since for durations
}

// defaults returns a fresh options value, so that an Option never changes
// what another New call gets.
func defaults() options {
	return options{
		actions:   ComputeActions,
		bodyLimit: DefaultBodyLimit,
		skip:      slices.Clone(defaultSkip),
	}
}

// WithUser sets how the user is read from a request; by default no user
// is read (see [WithTrustedIdentity]). The user goes into the request
// context, so the handler's own lines carry it too. nil means no user. f
// runs before the handler, on every request that is not skipped, and must
// be safe for concurrent use. A service that authenticates its callers
// itself gives its own f here.
func WithUser(f func(*http.Request) auditlog.User) Option {
	return func(o *options) { o.user, o.keystone = f, false }
}

// WithTrustedIdentity with true takes the user from the identity headers
// keystonemiddleware sets in front of an OpenStack API ([KeystoneUser]:
// X-User-Id, X-User-Name, X-Project-Id, X-Roles…). It is off by default:
// those headers are only as trustworthy as whatever sets them; behind a
// proxy that authenticates the caller and overwrites them, they name the
// caller, but on a service any client reaches directly they would put
// whatever identity the client claims into the audit trail. (grpcaudit's
// WithTrustedIdentity is the same for gRPC metadata.)
func WithTrustedIdentity(on bool) Option {
	return func(o *options) {
		o.keystone = on
		if on {
			o.user = nil
		}
	}
}

// WithRoute sets how the route is found for routers other than
// http.ServeMux (which fills r.Pattern, read by default). f is called after
// the handler ran, with the request the handler got, so a router that
// records its match in the request context can be asked; an empty result
// falls back to r.Pattern, then to the path.
func WithRoute(f func(*http.Request) string) Option {
	return func(o *options) { o.route = f }
}

// WithActionMap sets how actions and targets are named; the default is
// [ComputeActions]. [CRUDActions] leaves out the Nova server rules. nil
// means lines carry no action and no target.
func WithActionMap(m ActionMap) Option {
	return func(o *options) { o.actions = m }
}

// WithBodyLimit sets how many bytes of a request body the middleware reads,
// at most, when the action map needs the body (default [DefaultBodyLimit]).
// A body declared longer is not read; zero or less means bodies are never
// read, and actions named by the body are "unknown".
func WithBodyLimit(n int) Option {
	return func(o *options) { o.bodyLimit = n }
}

// WithRepanic makes a panic in the handler propagate after its exception
// line and the request line are written, for an outer recovery middleware
// or net/http itself to handle. By default the middleware answers 500 and
// the panic stops here.
func WithRepanic(on bool) Option {
	return func(o *options) { o.repanic = on }
}

// WithSkip adds paths that get no line and no timing to the defaults
// ([DefaultSkip]); each is compared with r.URL.Path exactly, or as a prefix
// when it ends in "/" ("/static/"), as [middleware.Skipped] says.
func WithSkip(paths ...string) Option {
	return func(o *options) { o.skip = append(o.skip[:len(o.skip):len(o.skip)], paths...) }
}

// WithDefaultSkips with false logs the paths of [DefaultSkip] too (health
// checks, skipped by default); the paths given with WithSkip stay skipped.
func WithDefaultSkips(on bool) Option {
	return func(o *options) {
		kept := o.skip[:0:0]
		for _, p := range o.skip {
			if on || !slices.Contains(defaultSkip, p) {
				kept = append(kept, p)
			}
		}
		if on {
			for _, p := range defaultSkip {
				if !slices.Contains(kept, p) {
					kept = append(kept, p)
				}
			}
		}
		o.skip = kept
	}
}

// WithHeaders puts the named request headers in the line, under
// attrs.headers (several values joined by ", ", each cut to 256 bytes).
// Values under sensitive names (X-Auth-Token, Authorization, Cookie…) are
// redacted by the auditlog handler's rules like any other attribute, but
// the safest header is the one not captured. Default: none.
func WithHeaders(names ...string) Option {
	return func(o *options) {
		o.headers = o.headers[:0:0]
		for _, n := range names {
			o.headers = append(o.headers, http.CanonicalHeaderKey(n))
		}
	}
}

// WithClock sets the clock that times requests (default time.Now). It is
// for tests and examples that need exact output, with auditlog.Options.Now.
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// New returns HTTP middleware that writes one audit line per request
// through r, attaches the request's context (request ids, user, client) to
// the request so the handler's own lines carry it, and turns a panic into
// an exception line and a 500. See the package documentation for the line.
// It panics if r is nil: a missing reporter is a wiring bug, better found at
// start-up than on the first request.
func New(r *middleware.Reporter, opts ...Option) func(http.Handler) http.Handler {
	if r == nil {
		panic("httpaudit: New with a nil *middleware.Reporter")
	}
	o := defaults()
	for _, opt := range opts {
		if opt != nil {
			opt(&o)
		}
	}
	return func(next http.Handler) http.Handler {
		return &handler{next: next, rep: r, o: &o}
	}
}

type handler struct {
	next http.Handler
	rep  *middleware.Reporter
	o    *options
}

// state is what ServeHTTP hands its deferred finish: kept out of the
// response writer because it is the middleware's, not the writer's.
type state struct {
	logging bool // request logging was on when the request came in
	done    bool // the handler returned normally
	start   time.Time
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.skipped(r.URL.Path) {
		h.next.ServeHTTP(w, r)
		return
	}
	rw := &responseWriter{ResponseWriter: w}
	in := readHeaders(r.Header, h.o.keystone)
	id, global := requestIDs(&in, &rw.idText)
	rw.id[0] = id
	hdr := w.Header()
	hdr[HeaderOpenStackRequestID] = rw.id[:]
	hdr[HeaderRequestID] = rw.id[:]

	req := auditlog.Request{
		ID:         id,
		GlobalID:   global,
		RemoteAddr: r.RemoteAddr,
		UserAgent:  clip(in.userAgent),
	}
	switch {
	case h.o.keystone:
		// The roles go into room in rw when they fit, saving their own
		// allocation.
		req.User = keystoneUser(&in.identity, rw.roles[:0])
	case h.o.user != nil:
		req.User = h.o.user(r)
	}
	// The handler gets a copy of r with the request context attached. The
	// copy lives in rw: WithContext is inlined and its own copy stays on
	// the stack, so attaching costs no allocation. Peeking at the body
	// below changes only this copy, never the caller's request.
	rw.req = *r.WithContext(rw.att.Attach(r.Context(), req))
	r = &rw.req

	var st state
	if st.logging = h.rep.Enabled(auditlog.KindRequest); st.logging {
		st.start = h.now()
		if h.o.actions != nil && h.o.actions.BodyNeeded(r.Method, r.URL.Path) {
			rw.peek = peekBody(r, h.o.bodyLimit)
		}
	}
	defer h.finish(rw, r, &st)
	h.next.ServeHTTP(rw, r)
	st.done = true
}

func (h *handler) now() time.Time {
	if h.o.now == nil {
		return time.Now()
	}
	return h.o.now()
}

func (h *handler) skipped(path string) bool { return middleware.Skipped(h.o.skip, path) }

// How a request ended, for its line: zero when the handler returned, else
// a set of these bits.
type ending uint8

const (
	returned ending = 0
	aborted  ending = 1 << iota // the response was cut off: ErrAbortHandler, Goexit, or a panic after it started
	panicked                    // the handler panicked
)

// finish runs deferred, so that the request line is written however the
// handler ended. It recovers a panic itself (recover works only in the
// deferred function), logs it, and answers 500, re-panics or aborts.
func (h *handler) finish(rw *responseWriter, r *http.Request, st *state) {
	if st.done {
		if st.logging {
			var c middleware.Call
			h.describe(&c, rw, r)
			h.report(rw, r, st, &c, returned)
		}
		return
	}
	v := recover()
	if v == nil || v == any(http.ErrAbortHandler) {
		// runtime.Goexit (nil), or a handler aborting the response on
		// purpose, which net/http expects to see again and does not log.
		if st.logging {
			var c middleware.Call
			h.describe(&c, rw, r)
			h.report(rw, r, st, &c, aborted)
		}
		if v != nil {
			panic(v)
		}
		return
	}
	var c middleware.Call
	h.describe(&c, rw, r)
	_ = h.rep.Panicked(r.Context(), auditlog.Recovered(v), &c)
	switch {
	case h.o.repanic:
		if st.logging {
			h.report(rw, r, st, &c, panicked|aborted)
		}
		panic(v)
	case !rw.wroteHeader && !rw.hijacked:
		http.Error(rw, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		if st.logging {
			h.report(rw, r, st, &c, panicked)
		}
	default:
		// Part of the response is out, so a 500 can no longer be sent,
		// and returning normally would let the client take the cut-off
		// body for a whole one. Abort the connection instead.
		if st.logging {
			h.report(rw, r, st, &c, panicked|aborted)
		}
		panic(http.ErrAbortHandler)
	}
}

// maxPath and maxMethod cap the path and method written in the message,
// route and rpc.method, so that a junk request line cannot fill the line.
// net/http bounds neither below its 1 MB header limit.
const (
	maxPath   = 1024
	maxMethod = 64
)

// describe fills in c, which is zero, what the line says about the request
// itself: message, route, action and target. It fills c in place rather
// than returning a Call, which would be copied, whole, on the way out.
func (h *handler) describe(c *middleware.Call, rw *responseWriter, r *http.Request) {
	pattern := ""
	if h.o.route != nil {
		pattern = h.o.route(r)
	}
	if pattern == "" && r.Pattern != "" {
		pattern = patternRoute(r.Pattern)
	}
	path := clipTo(r.URL.Path, maxPath)
	method := clipTo(r.Method, maxMethod)
	route := pattern
	if route == "" {
		route = path
	}
	c.Kind = auditlog.KindRequest
	c.Message = rw.message(method, path)
	c.RPC.System, c.RPC.Method, c.RPC.Route = "http", method, route
	if h.o.actions != nil {
		ar := ActionRequest{Method: r.Method, Path: r.URL.Path, Pattern: pattern}
		if rw.peek != nil {
			ar.Body, ar.BodyComplete = rw.peek.prefix, rw.peek.complete
		}
		c.Action, c.Target = nameAction(h.o.actions, &ar)
		c.Attrs = ar.attrs() // attrs.api_action
	}
}

// nameAction calls the package's own maps directly, so that ar, which an
// interface call would move to the heap, stays on the stack for them.
func nameAction(m ActionMap, ar *ActionRequest) (string, auditlog.Target) {
	switch m := m.(type) {
	case computeActions:
		return m.Name(ar)
	case crudActions:
		return m.Name(ar)
	}
	heap := *ar
	return m.Name(&heap)
}

// patternRoute returns the path part of a ServeMux pattern
// ("POST example.com/v2.1/servers/{id}" gives "/v2.1/servers/{id}").
func patternRoute(p string) string {
	if i := strings.IndexAny(p, " \t"); i >= 0 {
		p = strings.TrimLeft(p[i:], " \t")
	}
	if i := strings.IndexByte(p, '/'); i > 0 {
		p = p[i:]
	}
	return p
}

// Keys of the attributes a request line may carry in attrs.
const (
	attrAborted    = "aborted"     // the response was cut off (see ending)
	attrPanicked   = "panicked"    // the handler panicked; the exception line has the details
	attrHijacked   = "hijacked"    // the handler took over the connection
	attrClientGone = "client_gone" // the request's context was done when the handler returned
	attrHeaders    = "headers"     // the headers asked for by WithHeaders
)

// report completes c with how the request ended and writes its line.
func (h *handler) report(rw *responseWriter, r *http.Request, st *state, c *middleware.Call, end ending) {
	c.Start = st.start
	if h.o.now == nil {
		// Monotonic clock only: half the cost of a second time.Now.
		c.Duration = time.Since(st.start)
	} else {
		c.Duration = h.o.now().Sub(st.start)
	}
	c.RPC.ResponseBytes = auditlog.Int(rw.bytes)
	switch {
	case rw.wroteHeader:
		c.Status = auditlog.Int(int64(rw.status))
	case end == returned && !rw.hijacked:
		// net/http sends 200 for a handler that returns without writing.
		c.Status = auditlog.Int(http.StatusOK)
	}
	c.Level = levelOf(c.Status)

	// attrs stays nil, and costs nothing, on the common path.
	attrs := c.Attrs
	if end != returned {
		// However few bytes were out, the request failed.
		c.Level = max(c.Level, slog.LevelError)
	}
	if end&aborted != 0 {
		attrs = append(attrs, slog.Bool(attrAborted, true))
	}
	if end&panicked != 0 {
		attrs = append(attrs, slog.Bool(attrPanicked, true))
	}
	if rw.hijacked {
		attrs = append(attrs, slog.Bool(attrHijacked, true))
	} else if r.Context().Err() != nil {
		attrs = append(attrs, slog.Bool(attrClientGone, true))
	}
	if len(h.o.headers) > 0 {
		if a, ok := capturedHeaders(r.Header, h.o.headers); ok {
			attrs = append(attrs, a)
		}
	}
	c.Attrs = attrs
	// A lost line is the Reporter's to count and report: the request has
	// been served, and its response is no place for the audit trail's
	// trouble.
	_ = h.rep.Finished(r.Context(), c)
}

// levelOf is the line's level for an HTTP status: 5xx ERROR, 4xx WARNING,
// anything else INFO.
func levelOf(status auditlog.OptInt) slog.Level {
	switch {
	case !status.Valid:
		return slog.LevelInfo
	case status.Value >= 500:
		return slog.LevelError
	case status.Value >= 400:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// capturedHeaders returns the attrs.headers group for the names present in
// hdr.
func capturedHeaders(hdr http.Header, names []string) (slog.Attr, bool) {
	var as []slog.Attr
	for _, name := range names {
		vs := hdr[name]
		if len(vs) == 0 {
			continue
		}
		v := vs[0]
		if len(vs) > 1 {
			v = strings.Join(vs, ", ")
		}
		as = append(as, slog.String(name, clip(v)))
	}
	if len(as) == 0 {
		return slog.Attr{}, false
	}
	return slog.Attr{Key: attrHeaders, Value: slog.GroupValue(as...)}, true
}
