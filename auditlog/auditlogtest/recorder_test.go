package auditlogtest_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
)

// fakeTB stands in for a test, so that these tests can see what the Recorder
// reports without failing themselves. Only Helper and Errorf are expected to
// be called; anything else hits the nil embedded interface and panics, which
// would show that the Recorder does more than it should.
type fakeTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (f *fakeTB) Helper() {}

func (f *fakeTB) Errorf(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *fakeTB) Errors() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.errors...)
}

func line(seq int, msg string) string {
	return fmt.Sprintf(`{"kind":"log","level":"INFO","message":%q,"schema_version":1,"seq":%d,"service":"test","timestamp":"2026-03-14T09:26:53.589793Z"}`+"\n", msg, seq)
}

func TestRecorderAcceptsGoodLines(t *testing.T) {
	r := auditlogtest.NewRecorder(t)
	for i := 1; i <= 3; i++ {
		n, err := fmt.Fprint(r, line(i, "hello"))
		if err != nil || n != len(line(i, "hello")) {
			t.Fatalf("Write = %d, %v; want %d, nil", n, err, len(line(i, "hello")))
		}
	}
	if got := r.Len(); got != 3 {
		t.Errorf("Len() = %d, want 3", got)
	}
	if got, want := r.String(), line(1, "hello")+line(2, "hello")+line(3, "hello"); got != want {
		t.Errorf("String() = %q\nwant %q", got, want)
	}
	maps := r.Maps()
	if len(maps) != 3 || maps[0]["message"] != "hello" {
		t.Fatalf("Maps() = %v", maps)
	}
	if seq := r.Last()["seq"]; seq != json.Number("3") {
		t.Errorf(`Last()["seq"] = %#v, want json.Number("3")`, seq)
	}
	r.Reset()
	if r.Len() != 0 || r.String() != "" {
		t.Errorf("after Reset, Len() = %d and String() = %q; want 0 and \"\"", r.Len(), r.String())
	}
}

func TestRecorderCatchesBadLines(t *testing.T) {
	good := line(1, "ok")
	for _, tc := range []struct {
		name, write, want string
	}{
		{"unsorted keys", `{"level":"INFO","kind":"log","message":"m","schema_version":1,"service":"test"}` + "\n", "sorted"},
		{"schema violation", `{"kind":"log","level":"LOUD","message":"m","schema_version":1,"service":"test"}` + "\n", "/level"},
		{"no newline", strings.TrimSuffix(good, "\n"), `does not end in "\n"`},
		{"two lines in one write", good + good, "more than one line"},
		{"empty write", "", "empty"},
		{"not JSON", "hello\n", "invalid JSON"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ft := &fakeTB{}
			r := auditlogtest.NewRecorder(ft)
			if _, err := r.Write([]byte(tc.write)); err != nil {
				t.Errorf("Write returned %v; want nil, so the code under test carries on", err)
			}
			errs := ft.Errors()
			if len(errs) != 1 {
				t.Fatalf("Recorder reported %d errors, want 1: %q", len(errs), errs)
			}
			if !strings.Contains(errs[0], tc.want) {
				t.Errorf("error %q does not contain %q", errs[0], tc.want)
			}
			if tc.write != "" && !strings.Contains(errs[0], strings.TrimSuffix(tc.write, "\n")[:4]) {
				t.Errorf("error %q does not show the line", errs[0])
			}
			if r.Len() != 1 {
				t.Errorf("Len() = %d; want the bad write kept too, so the test can look at it", r.Len())
			}
		})
	}
}

func TestRecorderCopiesTheBuffer(t *testing.T) {
	r := auditlogtest.NewRecorder(t)
	buf := []byte(line(1, "first"))
	r.Write(buf)
	copy(buf, line(2, "secnd")) // the same length, as a reused buffer would be
	if got := r.Lines()[0]; string(got) != line(1, "first") {
		t.Errorf("the Recorder kept the caller's buffer: line 1 is now %q", got)
	}
	// Lines returns copies too, so a test cannot corrupt the record.
	r.Lines()[0][0] = 'X'
	if got := r.Lines()[0]; string(got) != line(1, "first") {
		t.Errorf("changing the result of Lines changed the record: %q", got)
	}
}

func TestRecorderLastWithNoLines(t *testing.T) {
	ft := &fakeTB{}
	r := auditlogtest.NewRecorder(ft)
	if m := r.Last(); m != nil {
		t.Errorf("Last() = %v, want nil", m)
	}
	if len(ft.Errors()) != 1 {
		t.Errorf("Last on an empty Recorder reported %q, want one error", ft.Errors())
	}
}

func TestRecorderConcurrentWrites(t *testing.T) {
	const goroutines, perGoroutine = 32, 50
	r := auditlogtest.NewRecorder(t)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			buf := make([]byte, 0, 256)
			for i := range perGoroutine {
				buf = append(buf[:0], line(g*perGoroutine+i+1, fmt.Sprintf("g%d", g))...)
				r.Write(buf)
			}
		})
	}
	wg.Wait()
	if got := r.Len(); got != goroutines*perGoroutine {
		t.Fatalf("Len() = %d, want %d", got, goroutines*perGoroutine)
	}
	seen := make(map[string]bool)
	for _, m := range r.Maps() {
		seen[m["seq"].(json.Number).String()] = true
	}
	for seq := 1; seq <= goroutines*perGoroutine; seq++ {
		if !seen[fmt.Sprint(seq)] {
			t.Errorf("line with seq %d was lost", seq)
		}
	}
}

func TestValidateLine(t *testing.T) {
	good := &fakeTB{}
	auditlogtest.ValidateLine(good, []byte(line(1, "ok")))
	if errs := good.Errors(); len(errs) != 0 {
		t.Errorf("ValidateLine reported a good line: %q", errs)
	}
	bad := &fakeTB{}
	auditlogtest.ValidateLine(bad, []byte(`{"kind":"log"}`))
	if errs := bad.Errors(); len(errs) != 1 || !strings.Contains(errs[0], `{"kind":"log"}`) {
		t.Errorf("ValidateLine on a bad line reported %q, want one error showing the line", errs)
	}
}
