// Command service is the quick-start demo: a small compute-style API that
// writes audit lines for everything it does. It stores servers in SQLite
// (embedded, nothing to configure), asks a scheduler over gRPC where each
// goes, and is wired with all three audit middlewares: HTTP, gRPC (client
// and server) and database/sql. By default it drives a few requests at
// itself — one that succeeds, one refused by the scheduler, one for a server
// that does not exist, one that panics — prints the audit lines and exits.
//
//	go run ./examples/service                      # the demo
//	go run ./examples/service --listen 127.0.0.1:8774  # serve until interrupted
//	go run ./examples/service --no-db-performance-logging
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	_ "modernc.org/sqlite"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/grpcaudit"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
	"github.com/auditlog-go/auditlog/middleware/sqlaudit"
)

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

type config struct {
	switches auditlog.Switches
	level    string
	delivery string
	listen   string
}

func run(args []string, stdout, stderr io.Writer) int {
	cfg := config{switches: auditlog.AllSwitches()}
	fs := pflag.NewFlagSet("service", pflag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg.switches.RegisterFlags(fs)
	fs.StringVar(&cfg.level, "level", "info", "minimum level: debug, info, warning, error, critical")
	fs.StringVar(&cfg.delivery, "delivery", "block", "what to do when stdout is slow: block, drop or fail")
	fs.StringVar(&cfg.listen, "listen", "", "serve the API on this address until interrupted, instead of the demo run")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "service: %v\n", err)
		return 2
	}
	lvl, ok := auditlog.ParseLevel(cfg.level)
	if !ok {
		fmt.Fprintf(stderr, "service: unknown --level %q\n", cfg.level)
		return 2
	}
	pol, err := auditlog.ParsePolicy(cfg.delivery)
	if err != nil {
		fmt.Fprintf(stderr, "service: %v\n", err)
		return 2
	}

	out := auditlog.NewAsyncWriter(stdout, &auditlog.AsyncOptions{Policy: pol, Service: "demo-api"})
	handler := auditlog.NewHandler(out, &auditlog.Options{Service: "demo-api", Level: lvl, Switches: &cfg.switches})
	// Under --delivery fail a line stdout cannot take is refused; the
	// Reporter counts it, and the demo says so and fails at the end.
	rep := middleware.NewReporter(handler)
	err = serve(cfg, rep)
	if err != nil {
		slog.New(handler).Error("demo failed", auditlog.Err(err))
	}
	code := 0
	if cerr := out.Close(); cerr != nil {
		fmt.Fprintf(stderr, "service: %v\n", cerr)
		code = 1
	}
	if n := rep.Errors(); n > 0 {
		fmt.Fprintf(stderr, "service: %d audit lines refused by stdout\n", n)
		code = 1
	}
	if err != nil {
		fmt.Fprintf(stderr, "service: %v\n", err)
		code = 1
	}
	return code
}

// serve starts the database, the scheduler and the API, then either drives
// the demo requests or serves until interrupted, and shuts everything down.
func serve(cfg config, rep *middleware.Reporter) error {
	logger := slog.New(rep.Handler())

	// The embedded default: an in-memory SQLite database, one connection
	// (each new in-memory connection would be a new, empty database).
	db, err := sqlaudit.Open("sqlite", ":memory:", rep)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(schemaSQL); err != nil {
		return fmt.Errorf("creating the schema: %w", err)
	}

	gl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	// The scheduler is internal and trusts its callers (the API, which sits
	// behind keystone) to say who a call is for.
	gs := grpc.NewServer(grpcaudit.ServerOptions(rep, grpcaudit.WithTrustedIdentity(true))...)
	gs.RegisterService(&schedulerDesc, scheduler{})
	go gs.Serve(gl)
	defer gs.GracefulStop()

	conn, err := grpc.NewClient(gl.Addr().String(),
		append(grpcaudit.DialOptions(rep), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		return err
	}
	defer conn.Close()

	a := &api{db: db, sched: schedulerClient{conn: conn}, logger: logger}
	addr := cfg.listen
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	hl, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	// The demo plays an OpenStack API behind keystonemiddleware, which
	// checks each token and sets X-User-Id and friends itself: so it
	// trusts those headers. A service any client reaches directly must
	// not (it is off by default): it would log whoever a client claims to be.
	audited := httpaudit.New(rep, httpaudit.WithTrustedIdentity(true))
	srv := &http.Server{Handler: audited(a.routes()), ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(hl)
	defer srv.Shutdown(context.Background())
	logger.Info("service started", auditlog.KindLifecycle.Attr(), "api", hl.Addr().String(), "scheduler", gl.Addr().String())
	defer logger.Info("service stopped", auditlog.KindLifecycle.Attr())

	if cfg.listen != "" {
		stop, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
		defer cancel()
		<-stop.Done()
		return nil
	}
	return drive("http://" + hl.Addr().String())
}

// demoRequest is one request the demo sends itself.
type demoRequest struct {
	method, path, body string
	requestID          string // sent as X-Openstack-Request-Id when set
}

// drive sends the demo requests, as an OpenStack client behind keystone's
// auth middleware would: identity headers set, and a token that must never
// reach a line.
func drive(base string) error {
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(rq demoRequest) (*http.Response, string, error) {
		req, err := http.NewRequest(rq.method, base+rq.path, strings.NewReader(rq.body))
		if err != nil {
			return nil, "", err
		}
		req.Header.Set("X-User-Id", "9a1f")
		req.Header.Set("X-User-Name", "alice")
		req.Header.Set("X-Project-Id", "p-42")
		req.Header.Set("X-Roles", "member,reader")
		req.Header.Set("X-Auth-Token", "gAAAAAB-never-logged")
		if rq.requestID != "" {
			req.Header.Set("X-Openstack-Request-Id", rq.requestID)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, "", err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b), nil
	}
	// Create a server; its id is needed by the next requests.
	resp, body, err := do(demoRequest{method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"web-1","flavorRef":"m1.small"}}`,
		requestID: "req-0b9c6f1e-4d2a-4c8e-9f3b-7a5d1e2c4b6a"})
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("create: %s: %s", resp.Status, body)
	}
	_, id, _ := strings.Cut(body, `"id":"`)
	id, _, _ = strings.Cut(id, `"`)
	for _, rq := range []demoRequest{
		{method: "POST", path: "/v2.1/servers/" + id + "/action", body: `{"pause":null}`},
		{method: "GET", path: "/v2.1/servers/" + id},
		{method: "POST", path: "/v2.1/servers", body: `{"server":{"name":"big-1","flavorRef":"m1.huge"}}`},
		{method: "GET", path: "/v2.1/servers/00000000-0000-0000-0000-000000000000"},
		{method: "DELETE", path: "/v2.1/servers/" + id},
		{method: "GET", path: "/healthz"},
	} {
		if _, _, err := do(rq); err != nil {
			return err
		}
	}
	return nil
}
