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
	return newRequestCtx(ctx, &r)
}

// newRequestCtx allocates the node of NewContext and fills it field by
// field. The obvious &requestCtx{Context: ctx, r: *r} copies the Request as
// a block, and while the collector marks — which, with a node per request,
// is much of the time — that copy's write barrier walks the Request's
// pointer map and queues every slot, old values and nil ones included;
// stores into memory the compiler knows is newly zeroed queue only the new
// pointers, a batch at a time. The fields are read in two groups, each
// before its stores, so that the compiler can batch a group's barriers (a
// load after a store might alias it) without holding all nineteen words in
// registers at once. NewContext stays small enough to inline, so r is
// passed by address rather than copied again.
func newRequestCtx(ctx context.Context, r *Request) *requestCtx {
	c := new(requestCtx)
	id, gid, uid, name, project := r.ID, r.GlobalID, r.User.ID, r.User.Name, r.User.ProjectID
	c.Context = ctx
	c.r.ID = id
	c.r.GlobalID = gid
	c.r.User.ID = uid
	c.r.User.Name = name
	c.r.User.ProjectID = project
	domain, roles, addr, ua := r.User.DomainID, r.User.Roles, r.RemoteAddr, r.UserAgent
	c.r.User.DomainID = domain
	c.r.User.Roles = roles
	c.r.RemoteAddr = addr
	c.r.UserAgent = ua
	return c
}

// Attachment is room for a request context inside an object a middleware
// already allocates once per request (its response-writer wrapper, say).
// Attaching through it costs no allocation of its own: the returned ctx is
// the Attachment itself.
//
//	type wrapped struct {
//		http.ResponseWriter
//		status int
//		auditlog.Attachment
//	}
//	w := &wrapped{ResponseWriter: rw}
//	ctx := w.Attach(r.Context(), auditlog.Request{ID: id})
//
// An Attachment must not be copied after Attach, and Attach must be called
// at most once.
type Attachment struct{ node requestCtx }

// Attach returns a ctx that carries r, whose parent is ctx.
func (a *Attachment) Attach(ctx context.Context, r Request) context.Context {
	if ctx == nil {
		ctx = context.Background()
	}
	a.node = requestCtx{Context: ctx, r: r}
	return &a.node
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

// current returns a copy of the attached request, or an empty one. The
// With* helpers change a field of the copy and attach it: contexts are
// immutable, so the parent keeps its own.
func current(ctx context.Context) Request {
	if old := requestFrom(ctx); old != nil {
		return *old
	}
	return Request{}
}

// WithRequestID returns a ctx whose request context has the request id id.
func WithRequestID(ctx context.Context, id string) context.Context {
	r := current(ctx)
	r.ID = id
	return NewContext(ctx, r)
}

// WithGlobalRequestID returns a ctx whose request context has the global
// request id id.
func WithGlobalRequestID(ctx context.Context, id string) context.Context {
	r := current(ctx)
	r.GlobalID = id
	return NewContext(ctx, r)
}

// WithUser returns a ctx whose request context has the user u.
func WithUser(ctx context.Context, u User) context.Context {
	r := current(ctx)
	r.User = u
	return NewContext(ctx, r)
}

// WithProject returns a ctx whose request context's user is scoped to the
// project projectID.
func WithProject(ctx context.Context, projectID string) context.Context {
	r := current(ctx)
	r.User.ProjectID = projectID
	return NewContext(ctx, r)
}

// WithRemoteAddr returns a ctx whose request context has the remote
// address addr.
func WithRemoteAddr(ctx context.Context, addr string) context.Context {
	r := current(ctx)
	r.RemoteAddr = addr
	return NewContext(ctx, r)
}

// WithUserAgent returns a ctx whose request context has the user agent ua.
func WithUserAgent(ctx context.Context, ua string) context.Context {
	r := current(ctx)
	r.UserAgent = ua
	return NewContext(ctx, r)
}
