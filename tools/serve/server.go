package serve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/ingest"
	"github.com/auditlog-go/auditlog/tools/stream"
)

// Defaults of [Options].
const (
	DefaultMaxBodyBytes = 64 << 20
	DefaultBatchSize    = 1000
	DefaultMaxErrors    = 100
	DefaultRetryAfter   = 5 * time.Second
)

// Options configure a [Server]. Zero values mean the defaults.
type Options struct {
	Store events.Store // required
	Auth  Auth

	// Log receives the server's own audit lines: one per request
	// (httpaudit), one per read saying what was asked and how much came
	// back, and one per purge. nil means they are discarded.
	Log *auditlog.Handler

	// MaxBodyBytes caps an ingest request, on the wire and unpacked
	// (DefaultMaxBodyBytes).
	MaxBodyBytes int64
	// BatchSize is how many lines go into one Insert (DefaultBatchSize).
	BatchSize int
	// MaxErrors caps the rejected lines listed in an answer; all are
	// counted (DefaultMaxErrors).
	MaxErrors int
	// RetryAfter is what a 503 tells the client to wait
	// (DefaultRetryAfter).
	RetryAfter time.Duration
	// Now is the clock for "1h ago" parameters (time.Now).
	Now func() time.Time
	// StreamBuffer is each stream subscriber's buffer in events (the
	// stream's default when 0); past it a slow one is sent a dropped
	// notice.
	StreamBuffer int
	// Incidents configure the archive of the web viewer (see incident.go).
	Incidents IncidentOptions

	// ParseLine and ReadLines turn a request body into events; they are
	// ingest.Line and ingest.Lines unless set.
	ParseLine func(raw []byte) (events.Event, error)
	ReadLines func(r io.Reader, fn func(n int, raw []byte) error) error
}

// Server is log-serve's HTTP API over a store. See the package
// documentation for the endpoints.
type Server struct {
	o       Options
	log     *slog.Logger
	handler http.Handler
	hub     *stream.Hub
	web     *web
}

// New returns a server; it does not listen (see [Server.Serve] and
// [Server.Handler]).
func New(o Options) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("serve: no store")
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.MaxErrors <= 0 {
		o.MaxErrors = DefaultMaxErrors
	}
	if o.RetryAfter <= 0 {
		o.RetryAfter = DefaultRetryAfter
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.ParseLine == nil {
		o.ParseLine = ingest.Line
	}
	if o.ReadLines == nil {
		o.ReadLines = ingest.Lines
	}
	if o.Log == nil {
		o.Log = auditlog.NewHandler(io.Discard, &auditlog.Options{Service: "log-serve"})
	}
	s := &Server{o: o, log: slog.New(o.Log)}
	var err error
	if s.web, err = newWeb(); err != nil {
		return nil, err
	}
	s.hub = stream.NewHub(o.Store, &stream.Options{Logger: s.log, Buffer: o.StreamBuffer})

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/events", s.authed(s.postEvents))
	mux.HandleFunc("GET /v1/events", s.authed(s.listEvents))
	mux.Handle("GET /v1/events/stream", &stream.Handler{Hub: s.hub, Location: location(), Parse: s.parseStream})
	mux.HandleFunc("GET /v1/events/{id}", s.authed(s.getEvent))
	mux.HandleFunc("GET /v1/requests/{request_id}", s.authed(s.getRequest))
	mux.HandleFunc("GET /v1/attributes/{name}", s.authed(s.getAttribute))
	s.mountWeb(mux)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow := allowed(r.URL.Path); allow != "" {
			w.Header().Set("Allow", allow)
			writeError(w, http.StatusMethodNotAllowed, r.Method+" is not taken here: "+allow)
			return
		}
		writeError(w, http.StatusNotFound, "no such endpoint: "+clip(r.URL.Path, 200)+
			" (POST /v1/events; GET /v1/events, /v1/events/stream, /v1/events/{id}, /v1/requests/{request_id}, /v1/attributes/{name})")
	})

	rep := middleware.NewReporter(o.Log)
	audited := httpaudit.New(rep,
		httpaudit.WithActionMap(httpaudit.CRUDActions),
		httpaudit.WithUser(func(r *http.Request) auditlog.User {
			id, _ := IdentityFrom(r.Context())
			return id.auditUser()
		}),
	)(mux)
	s.handler = s.webSession(s.authenticate(audited))
	return s, nil
}

// Handler is the API, for an http.Server or httptest.
func (s *Server) Handler() http.Handler { return s.handler }

// Logger is the server's own audit log.
func (s *Server) Logger() *slog.Logger { return s.log }

type authErrKey struct{}

// authenticate runs first, so that the request line httpaudit writes
// names the caller; it refuses nothing itself (authed does), so every
// refused request has its line too.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, err := s.o.Auth.identify(r)
		ctx := r.Context()
		if err != nil {
			ctx = context.WithValue(ctx, authErrKey{}, err)
		} else {
			ctx = withIdentity(ctx, id)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// authed answers 401 to a request without a known identity.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, Identity)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, ok := IdentityFrom(r.Context())
		if !ok {
			err, _ := r.Context().Value(authErrKey{}).(error)
			if err == nil {
				err = errNoCredentials
			}
			w.Header().Set("WWW-Authenticate", `Bearer realm="log-serve"`)
			writeError(w, http.StatusUnauthorized, err.Error())
			return
		}
		h(w, r, id)
	}
}

// Serve answers on ln until ctx is done, then stops taking connections,
// lets the requests in flight finish (for at most drain), and returns.
// It does not close the store.
func (s *Server) Serve(ctx context.Context, ln net.Listener, drain time.Duration) error {
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	// The stream stops with ctx: its open connections are told so and end,
	// so that Shutdown does not wait for them.
	hctx, stopHub := context.WithCancel(ctx)
	defer stopHub()
	go s.RunStream(hctx)
	go s.RunArchive(hctx)
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), drain)
	defer cancel()
	err := srv.Shutdown(sctx)
	if errors.Is(err, context.DeadlineExceeded) {
		srv.Close()
		err = errors.New("shutdown: requests still running after " + drain.String() + " were cut off")
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	return err
}

// writeJSON writes a JSON body.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(body)
}

// writeError writes {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody(msg))
}

// writeParamError writes a 400 naming the parameter and its forms.
func writeParamError(w http.ResponseWriter, pe *ParamError) {
	b := appendString([]byte(`{"error":`), pe.Error())
	b = append(b, `,"parameter":`...)
	b = appendString(b, pe.Param)
	if pe.Accepted != "" {
		b = append(b, `,"accepted":`...)
		b = appendString(b, pe.Accepted)
	}
	writeJSON(w, http.StatusBadRequest, append(b, '}'))
}

// storeError answers a store error that is not the caller's: 503 with
// Retry-After when the database is away, 400 for what the store found
// wrong with the query, 500 otherwise (logged, its text not shown: it may
// name hosts and users of the database).
func (s *Server) storeError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, events.ErrUnavailable):
		s.unavailable(w, r, err)
	case errors.Is(err, events.ErrInvalid):
		writeJSON(w, http.StatusBadRequest, errorBody(err.Error()))
	case errors.Is(err, context.Canceled) && r.Context().Err() != nil:
		// The client went away; nobody reads an answer.
		writeError(w, 499, "client closed the request")
	default:
		s.log.ErrorContext(r.Context(), "store error", auditlog.Err(err))
		writeError(w, http.StatusInternalServerError, "the event store failed; the server's log says why")
	}
}

func (s *Server) unavailable(w http.ResponseWriter, r *http.Request, err error) {
	s.log.WarnContext(r.Context(), "store unavailable", auditlog.Err(err))
	s.retryAfter(w)
	writeError(w, http.StatusServiceUnavailable, "the event store is unavailable; retry later")
}

// retryAfter sets Retry-After to RetryAfter, in whole seconds, rounded up.
func (s *Server) retryAfter(w http.ResponseWriter) {
	w.Header().Set("Retry-After", strconv.Itoa(int((s.o.RetryAfter+time.Second-1)/time.Second)))
}

func errorBody(msg string) []byte {
	b := appendString([]byte(`{"error":`), msg)
	return append(b, '}')
}

// allowed is the Allow header of a path the API serves with other
// methods ("" when it serves none).
func allowed(path string) string {
	switch {
	case path == "/v1/events":
		return "GET, POST"
	case strings.HasPrefix(path, "/v1/events/"), strings.HasPrefix(path, "/v1/requests/"),
		strings.HasPrefix(path, "/v1/attributes/"):
		if strings.Count(path, "/") == 3 {
			return "GET"
		}
	}
	return ""
}
