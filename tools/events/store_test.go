package events_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/events/eventstest"
)

func openSQLite(t *testing.T) events.Store {
	t.Helper()
	s, err := events.Open(context.Background(), filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestSQLite(t *testing.T) {
	t.Parallel()
	eventstest.Run(t, openSQLite)
}
