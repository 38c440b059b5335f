package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/auditlog-go/auditlog/middleware"
)

// api is a small compute-style API: servers are created (after asking the
// scheduler over gRPC where they go), read, paused and deleted, and stored
// in SQLite.
type api struct {
	db     *sql.DB
	sched  schedulerClient
	logger *slog.Logger
}

const schemaSQL = `CREATE TABLE IF NOT EXISTS servers (
	id      TEXT PRIMARY KEY,
	name    TEXT NOT NULL,
	host    TEXT NOT NULL,
	status  TEXT NOT NULL,
	project TEXT NOT NULL
)`

func (a *api) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2.1/servers", a.create)
	mux.HandleFunc("GET /v2.1/servers/{id}", a.show)
	mux.HandleFunc("POST /v2.1/servers/{id}/action", a.action)
	mux.HandleFunc("DELETE /v2.1/servers/{id}", a.delete)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	return mux
}

func (a *api) create(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Server struct {
			Name   string `json:"name"`
			Flavor string `json:"flavorRef"`
		} `json:"server"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Server.Name == "" {
		httpError(w, http.StatusBadRequest, "a server needs a name")
		return
	}
	ctx := r.Context()
	reply, err := a.sched.Schedule(ctx, &scheduleRequest{Name: body.Server.Name, Flavor: body.Server.Flavor})
	if err != nil {
		code := http.StatusServiceUnavailable
		if status.Code(err) == codes.ResourceExhausted {
			code = http.StatusConflict
		}
		httpError(w, code, "No valid host was found: "+status.Convert(err).Message())
		return
	}
	id := strings.TrimPrefix(middleware.NewRequestID(), "req-")
	tx, err := a.db.BeginTx(ctx, nil)
	if err != nil {
		httpError(w, http.StatusInternalServerError, "database unavailable")
		return
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO servers (id, name, host, status, project) VALUES (?, ?, ?, 'ACTIVE', ?)`,
		id, body.Server.Name, reply.Host, r.Header.Get("X-Project-Id")); err != nil {
		httpError(w, http.StatusInternalServerError, "could not store the server")
		return
	}
	if err := tx.Commit(); err != nil {
		httpError(w, http.StatusInternalServerError, "could not store the server")
		return
	}
	// The handler's own line: it carries the request context the
	// middleware attached (request id, user), with no work here.
	a.logger.InfoContext(ctx, "server scheduled", "host", reply.Host, "server_id", id)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	fmt.Fprintf(w, `{"server":{"id":%q}}`+"\n", id)
}

func (a *api) show(w http.ResponseWriter, r *http.Request) {
	var name, st string
	err := a.db.QueryRowContext(r.Context(), `SELECT name, status FROM servers WHERE id = ?`, r.PathValue("id")).Scan(&name, &st)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		httpError(w, http.StatusNotFound, "Instance "+r.PathValue("id")+" could not be found.")
	case err != nil:
		httpError(w, http.StatusInternalServerError, "database unavailable")
	default:
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"server":{"id":%q,"name":%q,"status":%q}}`+"\n", r.PathValue("id"), name, st)
	}
}

func (a *api) action(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body) != 1 {
		httpError(w, http.StatusBadRequest, "an action body has exactly one key")
		return
	}
	next := ""
	for k := range body {
		switch k {
		case "pause":
			next = "PAUSED"
		case "unpause":
			next = "ACTIVE"
		default:
			httpError(w, http.StatusBadRequest, "unsupported action "+k)
			return
		}
	}
	res, err := a.db.ExecContext(r.Context(), `UPDATE servers SET status = ? WHERE id = ?`, next, r.PathValue("id"))
	if err != nil {
		httpError(w, http.StatusInternalServerError, "database unavailable")
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		httpError(w, http.StatusNotFound, "Instance "+r.PathValue("id")+" could not be found.")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// delete has a bug: it panics. The middleware turns the panic into an
// exception line and a 500, and still writes the request's line.
func (a *api) delete(w http.ResponseWriter, r *http.Request) {
	var pending map[string]int
	//lint:ignore SA5000 the demo's bug, on purpose
	pending[r.PathValue("id")]++
}

func httpError(w http.ResponseWriter, code int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	b, _ := json.Marshal(map[string]any{"error": map[string]any{"code": code, "message": msg}})
	w.Write(append(b, '\n'))
}
