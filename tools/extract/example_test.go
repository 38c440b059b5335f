package extract_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/auditlog-go/auditlog/tools/extract"
	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
)

// Run reads nova-api's lines (here from standard input) and resolves the
// server action of an access line from the DEBUG line of its request.
func ExampleRun() {
	logs := `2015-10-29 10:52:52.710 28343 DEBUG nova.api.openstack.wsgi [req-5f2adc28-1772-480e-a35c-c12ec08b94d7 None] Action: 'action', calling method: <bound method AdminActionsController._migrate_live of <…>>, body: {"os-migrateLive": {"host": "c29"}} _process_stack /usr/lib/python2.7/site-packages/nova/api/openstack/wsgi.py:934
2015-10-29 10:52:54.582 28343 INFO nova.osapi_compute.wsgi.server [req-5f2adc28-1772-480e-a35c-c12ec08b94d7 None] 10.12.27.29 "POST /v2/807a77751fc84631875e6bc15f58e0c7/servers/a18a5824-4215-4e24-bcfc-cb9f89f6bcbd/action HTTP/1.1" status: 202 len: 209 time: 2.1819429
`
	opts := extract.Options{Input: input.Options{Stdin: strings.NewReader(logs)}}
	st, err := extract.Run(context.Background(), nil, opts, func(a action.Action) error {
		fmt.Println(a.Time.Format("2006-01-02 15:04:05.000"), a.Action, a.ResourceType, a.Resource, a.ProjectID, a.Status, a.Outcome, a.Match)
		for _, e := range a.Evidence {
			fmt.Printf("  %s:%d %s\n", e.Source, e.Line, e.Role)
		}
		return nil
	})
	if err != nil {
		fmt.Println(err)
	}
	fmt.Println(st.Lines, "lines,", st.Emitted, "action,", st.Unresolved, "unresolved; checkpoint", st.Checkpoints["-"])
	// Output:
	// 2015-10-29 10:52:54.582 live-migrate server a18a5824-4215-4e24-bcfc-cb9f89f6bcbd 807a77751fc84631875e6bc15f58e0c7 202 success request_id
	//   -:2 access
	//   -:1 debug
	// 2 lines, 1 action, 0 unresolved; checkpoint {593 2}
}

// An Extractor can be fed records one by one. A server action that no line
// of its request names, but whose instance paused within the window, is
// matched by time; the lifecycle event is its evidence.
func ExampleExtractor() {
	e := extract.New(extract.Options{}, func(a action.Action) error {
		fmt.Println(a.Action, a.Resource, a.Match, len(a.Evidence), "lines")
		return nil
	})
	for i, l := range []string{
		`{"kind":"request","action":"unknown","message":"POST /v2.1/servers/5f1e0b9c/action","rpc":{"method":"POST"},"status":202,"schema_version":1,"timestamp":"2026-11-23T09:30:00Z","context":{"request_id":"req-1"}}`,
	} {
		if err := e.AddJSON("api.json", int64(i+1), []byte(l)); err != nil {
			fmt.Println(err)
		}
	}
	// nova-compute's lifecycle event, two seconds later.
	rec := record("2026-11-23 09:30:02.000 7 INFO nova.compute.manager [-] [instance: 5f1e0b9c] VM Paused (Lifecycle Event)")
	if err := e.AddRecord(rec); err != nil {
		fmt.Println(err)
	}
	if err := e.Flush(true); err != nil {
		fmt.Println(err)
	}
	// Output:
	// pause 5f1e0b9c time_window 2 lines
}
