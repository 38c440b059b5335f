package ingest

import (
	"bytes"
	"testing"

	"github.com/auditlog-go/auditlog/schema"
	"github.com/auditlog-go/auditlog/tools/events"
)

// FuzzLine: Line never panics; an accepted line's Raw is its input without
// the line ending and its ID is ContentID(Raw); a line the quick check is
// sure of is one schema.Validate accepts, so the quick path never lets
// through what the full validator refuses.
func FuzzLine(f *testing.F) {
	for _, l := range handlerLines(f) {
		f.Add(l)
	}
	for _, l := range osloLines(f) {
		f.Add(l)
	}
	for _, s := range []string{
		`{"kind":"log","level":"INFO","message":"x","schema_version":1,"service":"s","seq":1}`,
		`{"kind":"log","level":"INFO","message":"x","schema_version":1,"service":"s","timestamp":"2024-02-29T23:59:59.999999Z"}`,
		`{"attrs":{"a":[1,{"b":null}],"z":"\u00e9"},"kind":"log","level":"INFO","message":"","schema_version":1,"service":"s"}`,
		`{"context":{"span_id":"00f067aa0ba902b7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"},"kind":"log","level":"INFO","message":"x","schema_version":1,"service":"s","status":999}`,
		"{}", "", "\r\n", "not json",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		ev, err := Line(line)
		body := trimEOL(line)
		if quickValid(body) {
			if verr := schema.Validate(body); verr != nil {
				t.Fatalf("quick check sure of a line Validate refuses: %v\n%q", verr, body)
			}
		}
		if err != nil {
			return
		}
		// Raw is the line byte for byte, but for its credentials.
		if want, _ := maskJSON(body); !bytes.Equal(ev.Raw, want) {
			t.Fatalf("Raw = %q, want %q", ev.Raw, want)
		}
		if ev.ID != events.ContentID(ev.Raw) {
			t.Fatalf("ID is not ContentID(Raw)")
		}
		if _, ok := events.LevelRank(ev.Level); !ok || ev.Level == "" {
			t.Fatalf("level %q is not one of events.Levels()", ev.Level)
		}
		if ev.Format == events.FormatAudit {
			if verr := schema.Validate(body); verr != nil {
				t.Fatalf("accepted as ours a line Validate refuses: %v", verr)
			}
		}
	})
}
