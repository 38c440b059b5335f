package sqlaudit

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
	"github.com/auditlog-go/auditlog/middleware"
)

// badJSON cannot be marshalled, as some driver-specific argument types
// cannot; fmt prints it as {}.
type badJSON struct{}

func (badJSON) MarshalJSON() ([]byte, error) { panic("no") }

// The handler marshals the whole args array at once and, if that fails,
// prints it with fmt, named values and all. No argument, revealed by the
// redactor or not, may make that happen and leak a password named in the
// same call.
func TestArgsNeverFailMarshal(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	r := middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "sqlaudit-test"}))
	o := buildOptions([]Option{WithArgs(true), WithArgRedactor(func(_ int, _ string, v any) any { return v })})
	a := newAuditor(r, o, nil, "test")
	args := []driver.NamedValue{
		{Ordinal: 1, Name: "password", Value: "hunter2"},
		{Ordinal: 2, Value: math.NaN()},
		{Ordinal: 3, Value: math.Inf(-1)},
		{Ordinal: 4, Value: time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)},
		{Ordinal: 5, Value: make(chan int)},
		{Ordinal: 6, Value: badJSON{}},
		{Ordinal: 7, Value: []byte{0xff, 0xfe}},
		{Ordinal: 8, Value: []byte("text")},
		{Ordinal: 9, Value: map[string]string{"api_key": "k-123", "user": "alice"}},
	}
	var c call
	a.begin(&c, opExec, "UPDATE t SET x = 1", "", args)
	a.finish(context.Background(), &c, nil)

	line := rec.String()
	for _, secret := range []string{"hunter2", "k-123"} {
		if strings.Contains(line, secret) {
			t.Errorf("%q reached the line: %s", secret, line)
		}
	}
	attrs, _ := rec.Last()["attrs"].(map[string]any)
	got, err := json.Marshal(attrs["args"])
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"password":"[REDACTED]"},"NaN","-Inf","12000-01-01T00:00:00Z",` +
		`"0x` // the channel prints as its address
	if !strings.HasPrefix(string(got), want) ||
		!strings.HasSuffix(string(got), `"{}","//4=","text",{"api_key":"[REDACTED]","user":"alice"}]`) {
		t.Errorf("args = %s", got)
	}
}

// A redactor that panics masks the argument instead of failing the call.
func TestArgRedactorPanics(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	r := middleware.NewReporter(auditlog.NewHandler(rec, &auditlog.Options{Service: "sqlaudit-test"}))
	o := buildOptions([]Option{WithArgs(true), WithArgRedactor(func(int, string, any) any { panic("bug") })})
	a := newAuditor(r, o, nil, "test")
	var c call
	a.begin(&c, opQuery, "SELECT 1", "", []driver.NamedValue{{Ordinal: 1, Value: "hunter2"}})
	a.finish(context.Background(), &c, nil)
	if s := rec.String(); strings.Contains(s, "hunter2") || !strings.Contains(s, `"args":["[REDACTED]"]`) {
		t.Errorf("line: %s", s)
	}
}

func TestGuessSystem(t *testing.T) {
	for name, want := range map[string]string{
		"sqlite": "sqlite", "sqlite3": "sqlite", "pgx": "postgresql", "pgx/v5": "postgresql",
		"postgres": "postgresql", "mysql": "mysql", "sqlserver": "mssql", "": "other_sql", "duck": "other_sql",
	} {
		if got := guessSystem(name, nil); got != want {
			t.Errorf("guessSystem(%q) = %q, want %q", name, got, want)
		}
	}
}
