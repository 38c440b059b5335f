package extract

import (
	"fmt"
	"runtime"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// synthetic returns the records of request i of an endless busy cloud: one
// request a second, each a create of a new instance or an action on one of
// 500 instances, with the DEBUG line, the access line, compute's line and
// a lifecycle event, and a request id never seen again.
func synthetic(i int) []oslolog.Record {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Second)
	ctx := oslolog.Context{RequestID: fmt.Sprintf("req-%08d-0000-4000-8000-000000000000", i), User: "u", Project: "p"}
	inst := fmt.Sprintf("00000000-0000-4000-8000-%012d", i%500)
	path := "/v2.1/servers/" + inst + "/action"
	var debug oslolog.Record
	if i%10 == 0 {
		inst = fmt.Sprintf("10000000-0000-4000-8000-%012d", i) // a new one
		path = "/v2.1/servers"
	} else {
		debug = oslolog.Record{Source: "api.log", Line: int64(4 * i), Time: t0.Add(-50 * time.Millisecond), Level: "DEBUG",
			Logger: "nova.api.openstack.wsgi", Context: ctx, Message: `Action: 'action', body: {"pause": null}`}
	}
	return []oslolog.Record{
		debug,
		{Source: "api.log", Line: int64(4*i + 1), Time: t0, Level: "INFO", Logger: "nova.osapi_compute.wsgi.server", Context: ctx,
			Message: `10.0.0.1 "POST ` + path + ` HTTP/1.1" status: 202 len: 0 time: 0.1000000`},
		{Source: "compute.log", Line: int64(2 * i), Time: t0.Add(200 * time.Millisecond), Level: "INFO",
			Logger: "nova.compute.manager", Context: ctx, Instance: inst, Message: "Pausing"},
		{Source: "compute.log", Line: int64(2*i + 1), Time: t0.Add(400 * time.Millisecond), Level: "INFO",
			Logger: "nova.compute.manager", Instance: inst, Message: "VM Paused (Lifecycle Event)"},
	}
}

// TestBoundedMemory feeds three days of a busy cloud and checks that the
// extractor's state stays the size the window and the state TTL need,
// whatever the length of the input.
func TestBoundedMemory(t *testing.T) {
	n := 3 * 24 * 3600
	if testing.Short() {
		n = 3 * 3600
	}
	emitted := 0
	e := New(Options{}, func(action.Action) error { emitted++; return nil })
	var maxReqs, maxInsts, maxPending int
	var heap [4]uint64
	for i := range n {
		for _, r := range synthetic(i) {
			if r.Time.IsZero() {
				continue
			}
			if err := e.AddRecord(r); err != nil {
				t.Fatal(err)
			}
		}
		maxReqs = max(maxReqs, len(e.reqs))
		maxInsts = max(maxInsts, len(e.insts))
		maxPending = max(maxPending, len(e.pending))
		if q := 4 * (i + 1) / n; (i+1)%(n/4) == 0 && q >= 1 && q <= 4 {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			heap[q-1] = ms.HeapAlloc
		}
	}
	if err := e.Flush(true); err != nil {
		t.Fatal(err)
	}
	if emitted != n {
		t.Errorf("emitted %d, want %d", emitted, n)
	}
	// A minute of requests wait or are kept (one a second); 500 old
	// instances and the new ones of the last hour (360) have state.
	if maxPending > 62 || maxReqs > 140 || maxInsts > 500+400 {
		t.Errorf("state grew: pending %d, requests %d, instances %d", maxPending, maxReqs, maxInsts)
	}
	// The heap at each quarter of the input stays put.
	if heap[3] > 2*heap[1]+1<<20 {
		t.Errorf("heap grew with the input: %v", heap)
	}
	t.Logf("%d requests: max pending %d, requests %d, instances %d; heap by quarter %v", n, maxPending, maxReqs, maxInsts, heap)
}
