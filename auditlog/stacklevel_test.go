package auditlog_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
)

// TestStackLevel: an error attribute brings the logging call's stack only
// at StackLevel and above (ERROR by default), while a recovered panic keeps
// its own stack at any level.
func TestStackLevel(t *testing.T) {
	stack := func(m map[string]any) string {
		exc, _ := m["exception"].(map[string]any)
		if exc == nil {
			t.Fatalf("no exception in %v", m)
		}
		if exc["message"] != "boom" && !strings.Contains(exc["message"].(string), "boom") {
			t.Errorf("exception lost its message: %v", exc)
		}
		s, _ := exc["stacktrace"].(string)
		return s
	}
	err := errors.New("boom")

	logger, rec := newLogger(t, nil)
	logger.Warn("retrying", "err", err)
	if s := stack(rec.Last()); s != "" {
		t.Errorf("a WARNING line took a stack by default:\n%s", s)
	}
	logger.Error("failed", "err", err)
	if s := stack(rec.Last()); !strings.Contains(s, "TestStackLevel") {
		t.Errorf("an ERROR line's stack does not start at the caller:\n%s", s)
	}
	func() {
		defer func() {
			logger.Info("recovered", "err", auditlog.Recovered(recover()))
		}()
		panic("boom")
	}()
	if s := stack(rec.Last()); !strings.Contains(s, "panic") && !strings.Contains(s, "TestStackLevel") {
		t.Errorf("a panic's own stack was dropped at INFO:\n%s", s)
	}

	logger, rec = newLogger(t, &auditlog.Options{StackLevel: slog.LevelWarn})
	logger.Warn("retrying", "err", err)
	if s := stack(rec.Last()); !strings.Contains(s, "TestStackLevel") {
		t.Errorf("StackLevel WARN: no stack on a WARNING line:\n%s", s)
	}
	logger.Info("noted", "err", err)
	if s := stack(rec.Last()); s != "" {
		t.Errorf("StackLevel WARN: an INFO line took a stack:\n%s", s)
	}
}
