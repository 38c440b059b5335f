// Command service is the quick-start demo: a small HTTP service on loopback
// that writes audit lines for everything it does, drives a few requests at
// itself (one that fails and one that panics among them), and exits.
//
//	go run ./examples/service
//
// The timing wrapper here is deliberately small; the middleware package
// replaces it with the full HTTP, gRPC and database/sql middleware.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"

	"github.com/auditlog-go/auditlog/auditlog"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := pflag.NewFlagSet("service", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	sw := auditlog.AllSwitches()
	sw.RegisterFlags(fs)
	level := fs.String("level", "info", "minimum level: debug, info, warning, error, critical")
	policy := fs.String("delivery", "block", "what to do when stdout is slow: block, drop or fail")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		return 2
	}
	lvl, ok := auditlog.ParseLevel(*level)
	if !ok {
		fmt.Fprintf(stderr, "service: unknown --level %q\n", *level)
		return 2
	}
	pol, err := auditlog.ParsePolicy(*policy)
	if err != nil {
		fmt.Fprintf(stderr, "service: %v\n", err)
		return 2
	}

	out := auditlog.NewAsyncWriter(stdout, &auditlog.AsyncOptions{Policy: pol, Service: "demo-api"})
	handler := auditlog.NewHandler(out, &auditlog.Options{Service: "demo-api", Level: lvl, Switches: &sw})
	logger := slog.New(handler)

	if err := serveAndDrive(handler, logger); err != nil {
		logger.Error("demo failed", auditlog.Err(err))
	}
	if err := out.Close(); err != nil {
		fmt.Fprintf(stderr, "service: %v\n", err)
		return 1
	}
	return 0
}

// serveAndDrive starts the service on a loopback port, sends it a few
// requests, and shuts it down.
func serveAndDrive(h *auditlog.Handler, logger *slog.Logger) error {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2.1/servers", func(w http.ResponseWriter, r *http.Request) {
		// The handler's own lines carry the request context too.
		logger.InfoContext(r.Context(), "scheduling instance", "flavor", "m1.small", "password", "from-the-body")
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprintln(w, `{"server":{"id":"5f1e0b9c"}}`)
	})
	mux.HandleFunc("POST /v2.1/servers/{id}/action", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("GET /v2.1/servers/{id}", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"itemNotFound":{"message":"Instance could not be found"}}`, http.StatusNotFound)
	})
	mux.HandleFunc("DELETE /v2.1/servers/{id}", func(w http.ResponseWriter, r *http.Request) {
		var nilMap map[string]int
		nilMap["boom"]++ // a bug: panics
	})

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: audited(h, mux), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	defer srv.Shutdown(context.Background())

	logger.Info("service started", auditlog.KindLifecycle.Attr(), "listen", ln.Addr().String())
	base := "http://" + ln.Addr().String()
	requests := []struct{ method, path, body string }{
		{"POST", "/v2.1/servers", `{"server":{"name":"web-1"}}`},
		{"POST", "/v2.1/servers/5f1e0b9c/action", `{"pause":null}`},
		{"GET", "/v2.1/servers/00000000", ""},
		{"DELETE", "/v2.1/servers/5f1e0b9c", ""},
	}
	client := &http.Client{Timeout: 5 * time.Second}
	for _, rq := range requests {
		req, _ := http.NewRequest(rq.method, base+rq.path, strings.NewReader(rq.body))
		req.Header.Set("X-User-Id", "9a1f")
		req.Header.Set("X-User-Name", "alice")
		req.Header.Set("X-Project-Id", "p-42")
		req.Header.Set("X-Auth-Token", "gAAAAAB-never-logged")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	logger.Info("service stopping", auditlog.KindLifecycle.Attr())
	return nil
}

// audited times each request and writes one request line for it, and an
// exception line (and a 500) for a panic.
func audited(h *auditlog.Handler, mux *http.ServeMux) http.Handler {
	var seq atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := auditlog.NewContext(r.Context(), auditlog.Request{
			ID:         fmt.Sprintf("req-demo-%04d", seq.Add(1)),
			RemoteAddr: r.RemoteAddr,
			UserAgent:  r.UserAgent(),
			User:       auditlog.User{ID: r.Header.Get("X-User-Id"), Name: r.Header.Get("X-User-Name"), ProjectID: r.Header.Get("X-Project-Id")},
		})
		_, pattern := mux.Handler(r)
		_, route, _ := strings.Cut(pattern, " ") // "POST /v2.1/servers" → "/v2.1/servers"
		action, id := actionOf(r), serverID(r.URL.Path)
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		start := time.Now()
		defer func() {
			ev := auditlog.Event{
				Kind:    auditlog.KindRequest,
				Message: r.Method + " " + r.URL.Path,
				Action:  action,
				Target:  auditlog.Target{Type: "server", ID: id},
				RPC:     auditlog.RPC{System: "http", Method: r.Method, Route: route, ResponseBytes: auditlog.Int(rec.bytes)},
				Outcome: auditlog.OutcomeSuccess,
			}
			if v := recover(); v != nil {
				_ = h.LogEvent(ctx, &auditlog.Event{Kind: auditlog.KindException, Level: auditlog.LevelCritical,
					Message: "uncaught panic in handler", Err: auditlog.Recovered(v)})
				http.Error(rec, "internal error", http.StatusInternalServerError)
			}
			ev.Duration = time.Since(start)
			ev.Status = auditlog.Int(int64(rec.status))
			switch {
			case rec.status >= 500:
				ev.Level, ev.Outcome = slog.LevelError, auditlog.OutcomeFailure
			case rec.status >= 400:
				ev.Level, ev.Outcome = slog.LevelWarn, auditlog.OutcomeFailure
			}
			_ = h.LogEvent(ctx, &ev)
		}()
		mux.ServeHTTP(rec, r.WithContext(ctx))
	})
}

// actionOf names the action as CADF does, from the method; a server action
// is named by the single key of its body ({"pause": null} is pause).
func actionOf(r *http.Request) string {
	if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/action") {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 4096))
		r.Body = io.NopCloser(bytes.NewReader(body))
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil && len(m) == 1 {
			for k := range m {
				return k
			}
		}
	}
	switch r.Method {
	case http.MethodPost:
		return "create"
	case http.MethodPut, http.MethodPatch:
		return "update"
	case http.MethodDelete:
		return "delete"
	}
	return "read"
}

// serverID returns the id in /v2.1/servers/{id}[/…], or "".
func serverID(path string) string {
	_, rest, ok := strings.Cut(path, "/servers/")
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, "/")
	return id
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
	wrote  bool
}

func (s *statusRecorder) WriteHeader(code int) {
	if !s.wrote {
		s.status, s.wrote = code, true
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(p []byte) (int, error) {
	s.wrote = true
	n, err := s.ResponseWriter.Write(p)
	s.bytes += int64(n)
	return n, err
}
