package serve

import (
	"bytes"
	"context"
	"errors"
	"os/exec"
	"regexp"
	"sync/atomic"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// TestArchiveRetention: the server's archive applies --incident-retention
// on its own (RunArchive purges at start, then hourly), removing only the
// incidents made longer ago than the retention, and with the automatic
// archive off (--no-auto-incidents) as well.
func TestArchiveRetention(t *testing.T) {
	t0 := webBase.Add(time.Hour)
	var now atomic.Pointer[time.Time]
	now.Store(&t0)
	ts := newTestServer(t, nil, func(o *Options) {
		o.Now = func() time.Time { return *now.Load() }
		o.Incidents = IncidentOptions{Retention: time.Hour, Manual: true}
	})
	seedWeb(t, ts, 60)
	ctx := context.Background()
	old, err := ts.srv.MakeIncident(ctx, webBase.Add(20*time.Second), 0, events.Scope{All: true}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	t1 := t0.Add(90 * time.Minute)
	now.Store(&t1)
	young, err := ts.srv.MakeIncident(ctx, webBase.Add(80*time.Second), 0, events.Scope{All: true}, "admin")
	if err != nil {
		t.Fatal(err)
	}
	ids := func() []string {
		var out []string
		for _, inc := range ts.get(t, "/v1/incidents", tokAdmin).json(t)["incidents"].([]any) {
			out = append(out, inc.(map[string]any)["id"].(string))
		}
		return out
	}
	if got := ids(); len(got) != 2 {
		t.Fatalf("before the retention runs: %v", got)
	}
	// Two hours after the first: it is past the hour kept, the second not.
	t2 := t0.Add(2 * time.Hour)
	now.Store(&t2)
	rctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- ts.srv.RunArchive(rctx) }()
	deadline := time.Now().Add(10 * time.Second)
	var got []string
	for {
		if got = ids(); len(got) == 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("RunArchive: %v", err)
	}
	if len(got) != 1 || got[0] != young.ID {
		t.Errorf("after the retention (1h) at +2h: %v, want only %s (not %s)", got, young.ID, old.ID)
	}
	if r := ts.get(t, "/v1/incidents/"+old.ID, tokAdmin); r.status != 404 {
		t.Errorf("the purged incident: %d", r.status)
	}
	// The events themselves are untouched by the incidents' retention.
	if got, _ := ts.listAll(t, "/v1/events", tokAdmin); len(got) != 180 {
		t.Errorf("events after the incidents' retention: %d, want 180", len(got))
	}
}

// osloScript writes one WARNING line of the real oslo.log JSONFormatter
// (Debian's python3-oslo.log, run by /usr/bin/python3), with a request
// context and a message holding markup.
const osloScript = `
import logging, sys
from oslo_log import formatters
from oslo_context import context
h = logging.StreamHandler(sys.stdout)
h.setFormatter(formatters.JSONFormatter())
log = logging.getLogger("nova.compute.manager")
log.addHandler(h)
ctx = context.RequestContext(request_id="req-0a1b2c3d-0000-4000-8000-000000000001", user_id="u-oslo", project_id="p-1")
log.warning("Instance <b>srv-1</b> failed to spawn", extra={"context": ctx})
`

// TestWebOsloJSON: an oslo.log JSON line, as log-serve ingests it, shows
// on the viewer's pages as ours do: in the list (filtered by format and
// level), on its event page (its fields, the line as stored, escaped),
// and on its request's page.
func TestWebOsloJSON(t *testing.T) {
	out, err := exec.Command("/usr/bin/python3", "-c", osloScript).Output()
	if err != nil {
		t.Fatalf("oslo.log (python3-oslo.log): %v", err)
	}
	line := bytes.TrimSpace(out)
	ts := newTestServer(t, nil, nil)
	seedWeb(t, ts, 20)
	if r := ts.post(t, tokAdmin, [][]byte{line}); r.status != 200 {
		t.Fatalf("post the oslo.log line: %d %s", r.status, r.body)
	}
	r := ts.get(t, "/ui/events?format=oslo-json&level=WARNING", tokAdmin)
	m := regexp.MustCompile(`<td class="t"><a href="/ui/events/([^"]+)"`).FindAllSubmatch(r.body, -1)
	if r.status != 200 || len(m) != 1 {
		t.Fatalf("the oslo.log line in the list: %d, %d rows\n%s", r.status, len(m), r.body)
	}
	if !bytes.Contains(r.body, []byte("Instance &lt;b&gt;srv-1&lt;/b&gt; failed to spawn")) {
		t.Errorf("the list does not show the message as text")
	}
	ev := ts.get(t, "/ui/events/"+string(m[0][1]), tokAdmin)
	for _, want := range []string{
		`<th>format</th><td>oslo-json</td>`,
		`<th>level</th><td>WARNING</td>`,
		`<th>request_id</th><td>req-0a1b2c3d-0000-4000-8000-000000000001</td>`,
		`<th>user_id</th><td>u-oslo</td>`,
		`href="/ui/requests/req-0a1b2c3d-0000-4000-8000-000000000001"`,
		`&#34;levelname&#34;: &#34;WARNING&#34;`, // the raw line, escaped
	} {
		if !bytes.Contains(ev.body, []byte(want)) {
			t.Errorf("the oslo.log event's page lacks %s", want)
		}
	}
	if bytes.Contains(ev.body, []byte("<b>srv-1")) {
		t.Errorf("the oslo.log message came back as markup")
	}
	rq := ts.get(t, "/ui/requests/req-0a1b2c3d-0000-4000-8000-000000000001", tokAdmin)
	if rq.status != 200 || !bytes.Contains(rq.body, []byte("/ui/events/"+string(m[0][1]))) {
		t.Errorf("the request's page: %d, without the oslo.log line", rq.status)
	}
}
