package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/extract/store"
)

func pause() action.Action {
	return action.Action{
		Time:         time.Date(2017, 5, 16, 0, 0, 5, 123456000, time.UTC),
		Mode:         action.ModeVM,
		Action:       "pause",
		ResourceType: "server",
		Resource:     "3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
		UserID:       "u1",
		ProjectID:    "p1",
		RequestID:    "req-9d1e",
		Service:      "nova-api",
		Method:       "POST",
		Path:         "/v2.1/p1/servers/3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b/action",
		Status:       202,
		Outcome:      "success",
		Match:        action.MatchRequestID,
		Evidence: []action.Evidence{
			{Source: "nova-api.log", Line: 2, Role: "access"},
			{Source: "nova-api.log", Line: 1, Role: "debug"},
		},
	}
}

// Audit lines on stdout: the --dry-run output, ready for log-format.
func ExampleNewJSONLines() {
	s := store.NewJSONLines(os.Stdout, nil)
	defer s.Close()
	if _, err := s.Write(context.Background(), []action.Action{pause()}); err != nil {
		fmt.Println(err)
	}
	// Output:
	// {"action":"pause","attrs":{"evidence":[{"line":2,"role":"access","source":"nova-api.log"},{"line":1,"role":"debug","source":"nova-api.log"}],"matched_by":"request_id","mode":"vm"},"context":{"request_id":"req-9d1e"},"kind":"lifecycle","level":"INFO","message":"pause server 3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b (matched by request id)","outcome":"success","rpc":{"method":"POST","route":"/v2.1/p1/servers/3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b/action","system":"http"},"schema_version":1,"seq":1,"service":"nova-api","status":202,"target":{"id":"3f2a9c1e-5b7d-4e8f-9a0b-1c2d3e4f5a6b","type":"server"},"timestamp":"2017-05-16T00:00:05.123456Z","user":{"id":"u1","project_id":"p1"}}
}

// A re-run stores nothing twice.
func ExampleOpen() {
	dir, err := os.MkdirTemp("", "store-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	dsn := "sqlite:///" + filepath.Join(dir, "actions.db") // or postgres://…, mysql+asyncmy://…

	for run := 1; run <= 2; run++ {
		s, err := store.Open(ctx, dsn, "", action.ModeVM, store.Options{}) // table nova_compute_action_log
		if err != nil {
			panic(err)
		}
		n, err := s.Write(ctx, []action.Action{pause()})
		fmt.Printf("run %d: %d inserted, err %v\n", run, n, err)
		s.Close()
	}
	// Output:
	// run 1: 1 inserted, err <nil>
	// run 2: 0 inserted, err <nil>
}

// A failed batch says where to resume.
func ExampleBatchError() {
	s := store.NewJSONLines(brokenPipe{}, nil)
	_, err := s.Write(context.Background(), []action.Action{pause(), pause()})
	var be *store.BatchError
	if errors.As(err, &be) {
		fmt.Println("resume from", be.First)
	}
	fmt.Println(err)
	// Output:
	// resume from nova-api.log:2
	// store: batch 1 (2 actions, from nova-api.log:2 to nova-api.log:2) was not stored, none of it: resume from nova-api.log:2: broken pipe
}

type brokenPipe struct{}

func (brokenPipe) Write([]byte) (int, error) { return 0, errors.New("broken pipe") }
