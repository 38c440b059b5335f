package extract

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
)

// TestHeadReadsTopLevel: a line's own kind and timestamp decide how it is
// merged, never a key of the same name inside attrs — which sorts first
// ("attrs" < "kind" < "timestamp"), so a plain substring search found it.
func TestHeadReadsTopLevel(t *testing.T) {
	lines := []string{
		`{"action":"pause","attrs":{"kind":"log","timestamp":"1999-01-01T00:00:00Z"},"kind":"request","level":"INFO","message":"POST /v2.1/servers/x/action","schema_version":1,"service":"api","status":202,"target":{"id":"x","type":"server"},"timestamp":"2026-11-23T10:00:02.5Z"}`,
		`{"attrs":{"kind":"request","timestamp":"2026-11-23T10:00:03Z"},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"api","timestamp":"2026-11-23T10:00:04Z"}`,
		`{"attrs":{"schema_version":1},"kind":"request","message":"not one of ours: no schema_version of its own"}`,
	}
	p := filepath.Join(t.TempDir(), "api.json")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := New(Options{}, func(action.Action) error { return nil })
	c := &cursor{e: e, name: p, rd: input.Open(context.Background(), []string{p}, input.Options{})}
	defer c.rd.Close()
	var got []item
	for {
		c.fill()
		if len(c.ready) == 0 {
			break
		}
		got = append(got, c.ready...)
		c.ready = c.buf[:0]
	}
	if len(got) != 3 {
		t.Fatalf("got %d items, want 3: %+v", len(got), got)
	}
	want := time.Date(2026, 11, 23, 10, 0, 2, 5e8, time.UTC)
	if got[0].kind != itemJSON || !got[0].t.Equal(want) {
		t.Errorf("request line: kind %d at %v, want itemJSON at %v (not attrs' 1999)", got[0].kind, got[0].t, want)
	}
	if got[1].kind != itemSkip {
		t.Errorf("log line with attrs.kind=request: kind %d, want itemSkip", got[1].kind)
	}
	if got[2].kind == itemJSON {
		t.Errorf("a line whose schema_version is only inside attrs was taken for a request of ours")
	}
}
