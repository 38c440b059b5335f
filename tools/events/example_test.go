package events_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

var eventsBase = time.Date(2026, 11, 23, 15, 51, 31, 123051000, time.UTC)

// Store two lines, one of them twice, and read back the failures of one
// project: the scope is who asks, the filters what they ask.
func Example() {
	dir, _ := os.MkdirTemp("", "events")
	defer os.RemoveAll(dir)
	ctx := context.Background()
	s, err := events.Open(ctx, filepath.Join(dir, "events.db"))
	if err != nil {
		log.Fatal(err)
	}
	defer s.Close()

	pause := events.Event{Time: eventsBase, Level: "INFO", Kind: "request", Service: "demo-api",
		UserName: "alice", Project: "p-42", Action: "pause", TargetType: "server", TargetID: "5f1e0b9c",
		Outcome: "success", Status: 202, HasStatus: true, Message: "POST /v2.1/servers/5f1e0b9c/action",
		Raw: []byte(`{"action":"pause","kind":"request","level":"INFO","message":"POST /v2.1/servers/5f1e0b9c/action"}`)}
	del := pause
	del.Time, del.Level, del.Action, del.Outcome, del.Status = eventsBase.Add(time.Second), "ERROR", "delete", "failure", 500
	del.Raw = []byte(`{"action":"delete","kind":"request","level":"ERROR","message":"DELETE /v2.1/servers/5f1e0b9c"}`)

	res, err := s.Insert(ctx, []events.Event{pause, del, pause})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("%d inserted, %d duplicate\n", res.Inserted, res.Duplicates)

	page, err := s.List(ctx, events.Query{
		Scope:   events.Scope{Projects: []string{"p-42"}},
		Filters: []events.Filter{{Field: "outcome", Values: []string{"success"}, Not: true}},
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range page.Events {
		fmt.Println(e.Time.Format(time.RFC3339Nano), e.Level, e.Action, e.Status, e.ID)
	}
	_, err = s.Get(ctx, page.Events[0].ID, events.Scope{Projects: []string{"p-7"}})
	fmt.Println("from another project:", err)
	// Output:
	// 2 inserted, 1 duplicate
	// 2026-11-23T15:51:32.123051Z ERROR delete 500 zjjhs4ziyec32fcyz5sh33x5ye
	// from another project: events: not found
}
