package serve

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// The web viewer (seed 001, LogCAS): pages under /ui/, rendered on the
// server with html/template (every value escaped by its context), working
// without JavaScript except the live tail, whose script is an embedded
// file: the Content-Security-Policy allows no inline script, no inline
// style and nothing from another origin.

//go:embed webassets
var webAssets embed.FS

// csp is every page's Content-Security-Policy.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// Cookie names. The session cookie holds a random session id, never the
// token; the login cookie holds the login form's CSRF value (a
// double-submit check, before there is a session).
const (
	sessionCookie = "log_serve_session"
	loginCookie   = "log_serve_login"
	sessionTTL    = 12 * time.Hour
	maxSessions   = 10000
)

// web is the viewer's state: templates, sessions, and a key for the CSRF
// values of callers known by trusted headers (who have no session).
type web struct {
	pages    *template.Template
	sessions sessionStore
	key      [32]byte
	css      template.CSS // the style sheet, inlined into exports
}

type session struct {
	id      Identity
	csrf    string
	expires time.Time
}

type sessionStore struct {
	mu sync.Mutex
	m  map[string]*session
}

func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("serve: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func (st *sessionStore) create(id Identity, now time.Time) (string, *session) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.m == nil {
		st.m = map[string]*session{}
	}
	if len(st.m) >= maxSessions {
		for k, s := range st.m {
			if now.After(s.expires) {
				delete(st.m, k)
			}
		}
		for k := range st.m { // still full: the map's random order evicts one
			if len(st.m) < maxSessions {
				break
			}
			delete(st.m, k)
		}
	}
	sid := randomString(32)
	s := &session{id: id, csrf: randomString(24), expires: now.Add(sessionTTL)}
	st.m[sid] = s
	return sid, s
}

func (st *sessionStore) get(sid string, now time.Time) (*session, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	s, ok := st.m[sid]
	if !ok {
		return nil, false
	}
	if now.After(s.expires) {
		delete(st.m, sid)
		return nil, false
	}
	return s, true
}

func (st *sessionStore) drop(sid string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.m, sid)
}

type sessionKey struct{}

func newWeb() (*web, error) {
	w := &web{}
	if _, err := rand.Read(w.key[:]); err != nil {
		return nil, err
	}
	t, err := template.New("").Funcs(templateFuncs).ParseFS(webAssets, "webassets/templates/*.html")
	if err != nil {
		return nil, err
	}
	css, err := webAssets.ReadFile("webassets/static/style.css")
	if err != nil {
		return nil, err
	}
	w.pages, w.css = t, template.CSS(css)
	return w, nil
}

// webSession gives a request with a valid session cookie its session's
// identity — on the viewer's pages, and on the API's reads (the live
// tail's EventSource sends cookies, not headers) but never on the API's
// writes, which a cookie must not authorise. A token sent in a header
// wins: authenticate, inside, decides from it.
func (s *Server) webSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		ui := strings.HasPrefix(r.URL.Path, "/ui/")
		read := r.Method == http.MethodGet || r.Method == http.MethodHead
		if err == nil && bearer(r) == "" && (ui || read) {
			if sess, ok := s.web.sessions.get(c.Value, s.o.Now()); ok {
				ctx := context.WithValue(withIdentity(r.Context(), sess.id), sessionKey{}, sess)
				r = r.WithContext(ctx)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// csrfToken is the value every form of the caller's pages carries: its
// session's, or, for a caller known by a token or trusted headers (no
// session), a MAC of who it is under the server's key.
func (s *Server) csrfToken(r *http.Request, id Identity) string {
	if sess, ok := r.Context().Value(sessionKey{}).(*session); ok {
		return sess.csrf
	}
	m := hmac.New(sha256.New, s.web.key[:])
	m.Write([]byte("csrf\x00" + id.User + "\x00" + id.Project + "\x00" + strings.Join(id.Roles, ",")))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF reports whether a POST carries the caller's CSRF value.
func (s *Server) checkCSRF(r *http.Request, id Identity) bool {
	got := r.PostFormValue("csrf")
	want := s.csrfToken(r, id)
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// mountWeb adds the viewer's routes and GET /v1/incidents to mux.
func (s *Server) mountWeb(mux *http.ServeMux) {
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/events", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /ui/{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ui/events", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /ui/login", s.loginPage)
	mux.HandleFunc("POST /ui/login", s.login)
	mux.HandleFunc("POST /ui/logout", s.page(s.logout))
	mux.HandleFunc("GET /ui/static/{file}", s.static)
	mux.HandleFunc("GET /ui/events", s.page(s.eventsPage))
	mux.HandleFunc("GET /ui/events/{id}", s.page(s.eventPage))
	mux.HandleFunc("GET /ui/requests", s.page(s.requestsPage))
	mux.HandleFunc("GET /ui/requests/{request_id}", s.page(s.requestPage))
	mux.HandleFunc("GET /ui/incidents", s.page(s.incidentsPage))
	mux.HandleFunc("POST /ui/incidents", s.page(s.postIncident))
	mux.HandleFunc("GET /ui/incidents/{id}", s.page(s.incidentPage))
	mux.HandleFunc("GET /ui/incidents/{id}/export.html", s.page(s.exportHTML))
	mux.HandleFunc("GET /ui/incidents/{id}/export.ndjson", s.page(s.exportNDJSON))
	mux.HandleFunc("GET /v1/incidents", s.authed(s.listIncidentsJSON))
	mux.HandleFunc("GET /v1/incidents/{id}", s.authed(s.getIncidentJSON))
}

// page wraps a viewer handler: security headers on every answer; a GET
// without an identity goes to the login page (and comes back after), a
// POST without one is a 401, and a POST without the caller's CSRF value
// a 403.
func (s *Server) page(h func(http.ResponseWriter, *http.Request, Identity)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w)
		id, ok := IdentityFrom(r.Context())
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/ui/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, Identity{}, http.StatusUnauthorized, "Log in first.")
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
			if !s.checkCSRF(r, id) {
				s.errorPage(w, r, id, http.StatusForbidden, "This form is stale or came from another site (CSRF check failed); reload the page and try again.")
				return
			}
		}
		h(w, r, id)
	}
}

func pageHeaders(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Security-Policy", csp)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
}

// view is what every page template gets: who is looking, the form value,
// and the page's own data.
type view struct {
	Title string
	User  string
	Admin bool
	CSRF  string
	Nav   string // the section, for the menu
	Error string
	Data  any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, id Identity, status int, name string, v view) {
	if id.User != "" || id.Project != "" {
		v.User, v.Admin, v.CSRF = id.User, id.Admin(), s.csrfToken(r, id)
		if id.Project != "" {
			v.User += " (" + id.Project + ")"
		}
	}
	var buf bytes.Buffer
	if err := s.web.pages.ExecuteTemplate(&buf, name, v); err != nil {
		s.log.ErrorContext(r.Context(), "render "+name, "err", err)
		http.Error(w, "the page could not be rendered; the server's log says why", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, id Identity, status int, msg string) {
	s.render(w, r, id, status, "error.html", view{Title: http.StatusText(status), Error: msg})
}

// loginPage is the form that posts a token. Its CSRF value is also set as
// a cookie; the POST must bring both.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	tok := randomString(24)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/ui/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 3600})
	s.render(w, r, Identity{}, http.StatusOK, "login.html", view{Title: "Log in", CSRF: tok,
		Data: map[string]string{"Next": safeNext(r.URL.Query().Get("next"))}})
}

// safeNext keeps a redirect after login on the viewer: only a path of
// ours, never another host.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/ui/") && !strings.HasPrefix(next, "//") && !strings.ContainsAny(next, "\\\r\n") {
		return next
	}
	return "/ui/events"
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	pageHeaders(w)
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	c, err := r.Cookie(loginCookie)
	form := r.PostFormValue("csrf")
	if err != nil || form == "" || subtle.ConstantTimeCompare([]byte(c.Value), []byte(form)) != 1 {
		s.errorPage(w, r, Identity{}, http.StatusForbidden, "The login form is stale or came from another site; open the login page again.")
		return
	}
	id, ok := s.o.Auth.Tokens.Lookup(strings.TrimSpace(r.PostFormValue("token")))
	if !ok {
		s.log.WarnContext(r.Context(), "login refused: unknown token")
		tok := randomString(24)
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: tok, Path: "/ui/login", HttpOnly: true,
			SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: 3600})
		s.render(w, r, Identity{}, http.StatusUnauthorized, "login.html", view{Title: "Log in", CSRF: tok,
			Error: "That token is not known.", Data: map[string]string{"Next": safeNext(r.PostFormValue("next"))}})
		return
	}
	sid, _ := s.web.sessions.create(id, s.o.Now())
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/ui/login", MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sid, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil, MaxAge: int(sessionTTL / time.Second)})
	s.log.InfoContext(withIdentity(r.Context(), id), "login", "user", id.User)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, id Identity) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.web.sessions.drop(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil})
	http.Redirect(w, r, "/ui/login", http.StatusSeeOther)
}

// static serves the embedded style sheet and script.
func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("file")
	b, err := fs.ReadFile(webAssets, "webassets/static/"+name)
	if err != nil || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	ct := "application/octet-stream"
	switch {
	case strings.HasSuffix(name, ".css"):
		ct = "text/css; charset=utf-8"
	case strings.HasSuffix(name, ".js"):
		ct = "text/javascript; charset=utf-8"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "max-age=300")
	w.Write(b)
}
