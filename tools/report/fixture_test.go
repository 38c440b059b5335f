package report

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/internal/golden"
)

// The fixture is a week and a day of a small cloud's audit lines, written
// by the real handler, with one of everything the reports look for: a
// spike of creates by one user, a version change at 2026-11-23T12:00Z
// after which a new exception type appears, 401s and 403s from one
// address, servers created and never deleted, requests that never
// finished, and instances whose last lifecycle record failed. It is
// testdata/fixture.jsonl.gz, rewritten by go test -update.
const fixturePath = "testdata/fixture.jsonl.gz"

type quotaError struct{}

func (quotaError) Error() string { return "quota exceeded for instances" }

type noValidHost struct{}

func (noValidHost) Error() string { return "no valid host was found" }

func writeFixture(w io.Writer) error {
	rng := rand.New(rand.NewPCG(3, 13))
	now := time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
	svc := func(name string) *auditlog.Handler {
		return auditlog.NewHandler(w, &auditlog.Options{Service: name, Level: slog.LevelDebug, Sequence: new(auditlog.Sequence),
			Now: func() time.Time { return now }})
	}
	api, compute := svc("nova-api"), svc("nova-compute")
	users := []auditlog.User{
		{ID: "u-alice", Name: "alice", ProjectID: "p-web"}, {ID: "u-bob", Name: "bob", ProjectID: "p-web"},
		{ID: "u-carol", Name: "carol", ProjectID: "p-data"}, {ID: "u-dave", Name: "dave", ProjectID: "p-data"},
		{ID: "u-erin", Name: "erin", ProjectID: "p-ops"},
	}
	mallory := auditlog.User{ID: "u-mallory", Name: "mallory", ProjectID: "p-batch"}
	n := 0
	id := func(prefix string) string {
		n++
		return fmt.Sprintf("%s-%06d", prefix, n)
	}
	version := func() string {
		if now.Before(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) {
			return "29.0.1"
		}
		return "30.0.0"
	}
	var servers []string
	request := func(u auditlog.User, action, method, route, target string, status int, ms float64) error {
		req := id("req")
		ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: req, User: u, RemoteAddr: "10.0.0." + fmt.Sprint(1+len(u.Name)) + ":5000"})
		dbms := ms / 10
		if n%3 == 0 {
			if err := api.LogEvent(ctx, &auditlog.Event{Time: now, Kind: auditlog.KindDB, Level: slog.LevelDebug, Message: "exec",
				RPC: auditlog.RPC{System: "mysql", Method: "exec", Statement: "SELECT * FROM instances WHERE uuid = %s"}, Duration: time.Duration(dbms * float64(time.Millisecond)), Outcome: auditlog.OutcomeSuccess}); err != nil {
				return err
			}
		}
		outcome := auditlog.OutcomeSuccess
		if status >= 400 {
			outcome = auditlog.OutcomeFailure
		}
		tgt := auditlog.Target{}
		if target != "" {
			tgt = auditlog.Target{Type: "server", ID: target}
		}
		now = now.Add(time.Duration(ms * float64(time.Millisecond)))
		return api.LogEvent(ctx, &auditlog.Event{Time: now, Kind: auditlog.KindRequest, Level: slog.LevelInfo, Message: method + " " + route,
			Action: action, Target: tgt, Status: auditlog.Int(int64(status)), Outcome: outcome,
			RPC: auditlog.RPC{System: "http", Method: method, Route: route}, Duration: time.Duration(ms * float64(time.Millisecond))})
	}
	exception := func(err error) error {
		ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: id("req")})
		return compute.LogEvent(ctx, &auditlog.Event{Time: now, Kind: auditlog.KindException, Level: slog.LevelError,
			Message: "unexpected error", Err: err, NoCallerStack: true, Attrs: []slog.Attr{slog.String("version", version())}})
	}
	for now.Before(time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)) {
		now = now.Add(time.Duration(60+rng.IntN(180)) * time.Second)
		// quieter at night
		if h := now.Hour(); (h < 7 || h > 20) && rng.IntN(4) != 0 {
			continue
		}
		u := users[rng.IntN(len(users))]
		if now.Day() < 19 {
			u = users[rng.IntN(3)] // dave and erin join on the 19th
		}
		var err error
		switch k := rng.IntN(10); {
		case k < 4:
			err = request(u, "read", "GET", "/v2.1/servers/{id}", "", 200, 5+rng.ExpFloat64()*20)
		case k < 6:
			s := id("srv")
			servers = append(servers, s)
			err = request(u, "create", "POST", "/v2.1/servers", s, 202, 200+rng.ExpFloat64()*400)
		case k < 8 && len(servers) > 0:
			i := rng.IntN(len(servers))
			err = request(u, "delete", "DELETE", "/v2.1/servers/{id}", servers[i], 204, 50+rng.ExpFloat64()*100)
			servers = append(servers[:i], servers[i+1:]...)
		case k < 9:
			err = request(u, "pause", "POST", "/v2.1/servers/{id}/action", "", 202, 30+rng.ExpFloat64()*50)
		default:
			err = exception(quotaError{})
			if !now.Before(time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)) && rng.IntN(2) == 0 {
				err = errors.Join(err, exception(noValidHost{}))
			}
		}
		if err != nil {
			return err
		}
		if now.Day() == 23 && now.Hour() == 10 && now.Minute() == 30 {
			// The spike: mallory creates 60 servers in a minute.
			for range 60 {
				now = now.Add(time.Second)
				if err := request(mallory, "create", "POST", "/v2.1/servers", id("srv"), 202, 300); err != nil {
					return err
				}
			}
			now = now.Add(time.Minute)
		}
		if now.Day() == 23 && now.Hour() == 14 && now.Minute() < 3 {
			// Probing: 401s and 403s from one address.
			ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: id("req"), User: auditlog.User{ID: "u-eve", Name: "eve"}, RemoteAddr: "203.0.113.9:41000"})
			status := 401 + 2*rng.IntN(2)
			if err := api.LogEvent(ctx, &auditlog.Event{Time: now, Kind: auditlog.KindRequest, Level: slog.LevelWarn, Message: "GET /v2.1/servers",
				Action: "list", Status: auditlog.Int(int64(status)), Outcome: auditlog.OutcomeFailure, RPC: auditlog.RPC{System: "http", Method: "GET", Route: "/v2.1/servers"}, Duration: time.Millisecond}); err != nil {
				return err
			}
		}
	}
	// The end of the day: two instances crash, one request never finishes.
	for _, s := range servers[:2] {
		now = now.Add(time.Second)
		ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: id("req"), User: users[0]})
		if err := compute.LogEvent(ctx, &auditlog.Event{Time: now, Kind: auditlog.KindLifecycle, Level: slog.LevelError, Message: "Instance failed to spawn",
			Action: "start", Target: auditlog.Target{Type: "server", ID: s}, Outcome: auditlog.OutcomeFailure}); err != nil {
			return err
		}
	}
	ctx := auditlog.NewContext(context.Background(), auditlog.Request{ID: "req-never-finished", User: users[1]})
	return api.LogEvent(ctx, &auditlog.Event{Time: now, Kind: auditlog.KindDB, Level: slog.LevelDebug, Message: "exec",
		RPC: auditlog.RPC{System: "mysql", Method: "exec", Statement: "UPDATE instances SET vm_state = %s"}, Duration: 30 * time.Second, Outcome: auditlog.OutcomeSuccess})
}

// TestFixture keeps testdata/fixture.jsonl what writeFixture writes.
func TestFixture(t *testing.T) {
	var b bytes.Buffer
	if err := writeFixture(&b); err != nil {
		t.Fatal(err)
	}
	if *golden.Update {
		var z bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		zw.Write(b.Bytes())
		zw.Close()
		if err := os.WriteFile(fixturePath, z.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	f, err := os.Open(fixturePath)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, b.Bytes()) {
		t.Fatal("testdata/fixture.jsonl.gz is not what writeFixture writes: go test -run TestFixture -update")
	}
}
