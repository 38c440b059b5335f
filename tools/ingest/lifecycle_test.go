package ingest

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/store"
)

// TestLineLifecycle: the lifecycle records the real log-extract makes of a
// real sample (two live migrations, as tools/extract's samples test counts
// them) are events of kind lifecycle with their action, target, project,
// request and outcome.
func TestLineLifecycle(t *testing.T) {
	var names []string
	for _, f := range []string{
		"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-api.log",
		"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-compute.log",
		"os-log-merger/debug-live-migration/hp-ms-01-c30/var/log/nova/nova-compute.log",
	} {
		names = append(names, osdata.Path(t, f))
	}
	var acts []action.Action
	if _, err := extract.Run(context.Background(), names, extract.Options{}, func(a action.Action) error {
		acts = append(acts, a)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	st := store.NewJSONLines(&buf, nil)
	if _, err := st.Write(context.Background(), acts); err != nil {
		t.Fatal(err)
	}
	lines := bytes.SplitAfter(bytes.TrimSuffix(buf.Bytes(), []byte("\n")), []byte("\n"))
	if len(lines) != 2 {
		t.Fatalf("log-extract wrote %d records, want 2:\n%s", len(lines), buf.Bytes())
	}
	wantReq := []string{"req-5f2adc28-1772-480e-a35c-c12ec08b94d7", "req-4b3cdd21-f6ba-4b00-be58-07a1414717ea"}
	wantTime := []string{"2015-10-29T10:52:54.582Z", "2015-10-29T10:54:15.928Z"}
	for i, l := range lines {
		ev, err := Line(l)
		if err != nil {
			t.Fatalf("record %d: %v\n%s", i, err, l)
		}
		at, _ := time.Parse(time.RFC3339, wantTime[i])
		want := events.Event{Time: at, Level: "INFO", Kind: "lifecycle", Service: "nova-api", Project: "807a77751fc84631875e6bc15f58e0c7",
			Action: "live-migrate", TargetType: "server", TargetID: "a18a5824-4215-4e24-bcfc-cb9f89f6bcbd",
			RequestID: wantReq[i], Outcome: "success", Status: 202, HasStatus: true, Message: ev.Message,
			DurationMS: ev.DurationMS, HasDuration: ev.HasDuration}
		checkEvent(t, ev, want, events.FormatAudit, trimEOL(l))
		if ev.Message == "" {
			t.Errorf("record %d: no message", i)
		}
	}
}
