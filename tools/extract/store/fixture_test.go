package store_test

import (
	"fmt"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// base is the time of the fixture's first action: microseconds set, and
// nanoseconds below them that the stores must drop.
var base = time.Date(2017, 5, 16, 0, 0, 5, 123456789, time.UTC)

// fixture returns n distinct actions, numbered from first, that each come
// from line 100+i of nova-api.log.
func fixture(first, n int) []action.Action {
	out := make([]action.Action, n)
	for k := range out {
		i := first + k
		out[k] = action.Action{
			Time:         base.Add(time.Duration(i) * time.Second),
			Mode:         action.ModeVM,
			Action:       []string{"pause", "unpause", "reboot", "console"}[i%4],
			ResourceType: "server",
			Resource:     fmt.Sprintf("%08x-3f2a-4b1c-9d0e-%012x", i, i),
			UserID:       "f6e3bbd9a1cd4e8c9b1e6c9d0e4c5a7b",
			ProjectID:    "0d9e1e2f3a4b4c5d8e9f0a1b2c3d4e5f",
			RequestID:    fmt.Sprintf("req-%08x-1111-4222-8333-444455556666", i),
			Service:      "nova-api",
			Method:       "POST",
			Path:         fmt.Sprintf("/v2.1/0d9e1e2f3a4b4c5d8e9f0a1b2c3d4e5f/servers/%08x-3f2a-4b1c-9d0e-%012x/action", i, i),
			Status:       202,
			Outcome:      "success",
			DurationMS:   187.25,
			Match:        action.MatchRequestID,
			Evidence: []action.Evidence{
				{Source: "nova-api.log", Line: int64(100 + i), Role: "access"},
				{Source: "nova-compute.log", Line: int64(5000 + i), Role: "compute"},
			},
		}
	}
	return out
}
