package auditlog

import "context"

// Request is the request context a line carries under "context" and "user":
// who is asking, and the ids that tie the lines of one request together
// (OpenStack's req-… ids, and the global id that follows a request across
// services). Attach it once per request with [NewContext]; every line logged
// with that ctx carries it.
type Request struct {
	ID         string // this service's request id, req-<uuid> in OpenStack
	GlobalID   string // the id of the whole operation across services
	User       User
	RemoteAddr string
	UserAgent  string
}

// requestKey is the context key for *Request. An unexported struct type
// cannot collide with any other package's key.
type requestKey struct{}

// requestCtx is a context node that holds the Request itself, so attaching
// one is a single allocation (context.WithValue would need a second, for the
// boxed *Request). Everything else is the parent's.
type requestCtx struct {
	context.Context
	r Request
}

func (c *requestCtx) Value(key any) any {
	if _, ok := key.(requestKey); ok {
		return &c.r
	}
	return c.Context.Value(key)
}

func (c *requestCtx) String() string { return "auditlog.NewContext(" + c.r.ID + ")" }

// NewContext returns a ctx that carries r. It costs one allocation, so a
// middleware can attach the whole request context once per request for well
// under 100 ns.
func NewContext(ctx context.Context, r Request) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	return &requestCtx{Context: ctx, r: r}
}

// FromContext returns the request context attached to ctx, if any.
func FromContext(ctx context.Context) (Request, bool) {
	if r := requestFrom(ctx); r != nil {
		return *r, true
	}
	return Request{}, false
}

// requestFrom returns the attached request without copying it. The pointer
// is shared and must not be modified: the With* helpers copy before they
// change a field.
func requestFrom(ctx context.Context) *Request {
	if ctx == nil {
		return nil
	}
	r, _ := ctx.Value(requestKey{}).(*Request)
	return r
}

// update copies the attached request (or starts an empty one), applies f and
// attaches the result.
func update(ctx context.Context, f func(*Request)) context.Context {
	var r Request
	if old := requestFrom(ctx); old != nil {
		r = *old
	}
	f(&r)
	return NewContext(ctx, r)
}

// WithRequestID returns a ctx whose request context has the request id id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return update(ctx, func(r *Request) { r.ID = id })
}

// WithGlobalRequestID returns a ctx whose request context has the global
// request id id.
func WithGlobalRequestID(ctx context.Context, id string) context.Context {
	return update(ctx, func(r *Request) { r.GlobalID = id })
}

// WithUser returns a ctx whose request context has the user u.
func WithUser(ctx context.Context, u User) context.Context {
	return update(ctx, func(r *Request) { r.User = u })
}

// WithProject returns a ctx whose request context's user is scoped to the
// project projectID.
func WithProject(ctx context.Context, projectID string) context.Context {
	return update(ctx, func(r *Request) { r.User.ProjectID = projectID })
}

// WithRemoteAddr returns a ctx whose request context has the remote
// address addr.
func WithRemoteAddr(ctx context.Context, addr string) context.Context {
	return update(ctx, func(r *Request) { r.RemoteAddr = addr })
}

// WithUserAgent returns a ctx whose request context has the user agent ua.
func WithUserAgent(ctx context.Context, ua string) context.Context {
	return update(ctx, func(r *Request) { r.UserAgent = ua })
}
