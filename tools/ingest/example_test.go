package ingest_test

import (
	"fmt"
	"strings"

	"github.com/auditlog-go/auditlog/tools/ingest"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// Line reads one of our lines, or an oslo.log JSON line, into an event:
// the columns the store filters on, and the line itself, named by its
// content.
func ExampleLine() {
	ev, err := ingest.Line([]byte(`{"action":"pause","kind":"request","level":"INFO","message":"POST /v2.1/servers/5f1e0b9c/action","outcome":"success","schema_version":1,"service":"demo-api","status":202,"target":{"id":"5f1e0b9c","type":"server"},"timestamp":"2026-11-23T15:51:31.123051Z","user":{"id":"9a1f","name":"alice","project_id":"p-42"}}` + "\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.Format, ev.Time, ev.Level, ev.Kind, ev.Service, ev.UserName, ev.Project, ev.Action, ev.TargetType, ev.TargetID, ev.Outcome, ev.Status)
	fmt.Println(ev.ID)

	_, err = ingest.Line([]byte(`{"kind":"log","level":"LOUD","message":"x","schema_version":1,"service":"s"}`))
	fmt.Println(err)
	// Output:
	// audit 2026-11-23 15:51:31.123051 +0000 UTC INFO request demo-api alice p-42 pause server 5f1e0b9c success 202
	// 5fgadihxza6hohrhiaecv5v4qi
	// schema: invalid audit line: does not match the schema: at /level: value must be one of 'DEBUG', 'INFO', 'WARNING', 'ERROR', 'CRITICAL' (line: {"kind":"log","level":"LOUD","message":"x","schema_version":1,"service":"s"})
}

// Lines reads a request body: each line with its number, empty lines
// counted but skipped, CRLF tolerated, a line over the limit reported with
// a nil raw.
func ExampleLines() {
	body := strings.NewReader("{\"a\":1}\r\n\n{\"b\":2}\n")
	err := ingest.Lines(body, func(n int, raw []byte) error {
		if raw == nil {
			fmt.Println(n, ingest.ErrLineTooLong)
			return nil
		}
		fmt.Printf("%d %s\n", n, raw)
		return nil
	})
	fmt.Println(err)
	// Output:
	// 1 {"a":1}
	// 3 {"b":2}
	// <nil>
}

// Text makes the event of an oslo.log text record, its traceback in Raw.
func ExampleText() {
	g := oslolog.NewGrouper(nil)
	for i, l := range []string{
		"2015-11-13 03:22:26.973 16482 ERROR nova.api.openstack [req-31ac e75f d819 - - -] Caught error: boom",
		"2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack Traceback (most recent call last):",
		"2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack ValueError: boom",
	} {
		g.Add("nova-api.log", int64(i+1), []byte(l))
	}
	rec, _ := g.Flush()
	ev := ingest.Text(rec)
	fmt.Println(ev.Format, ev.Level, ev.Kind, ev.Service, ev.RequestID, ev.UserID, ev.Project)
	fmt.Printf("%s\n", ev.Raw)
	// Output:
	// oslo-text ERROR exception nova.api.openstack req-31ac e75f d819
	// 2015-11-13 03:22:26.973 16482 ERROR nova.api.openstack [req-31ac e75f d819 - - -] Caught error: boom
	// 2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack Traceback (most recent call last):
	// 2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack ValueError: boom
}
