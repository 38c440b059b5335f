package eventstest

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// Base is the start of the day Generate spreads its events over.
var Base = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)

var (
	services    = []string{"nova-api", "nova-compute", "glance-api", "neutron-server", "cinder-api", "demo-api"}
	kinds       = []string{"request", "request", "request", "rpc", "db", "log", "lifecycle", "exception"}
	actions     = []string{"create", "read", "read", "read", "update", "delete", "pause", "resume", "console", "list"}
	targetTypes = []string{"server", "image", "network", "port", "volume", "flavor"}
	outcomes    = []string{"success", "success", "success", "success", "failure", "unknown"}
	statuses    = []int{200, 200, 200, 201, 202, 204, 400, 403, 404, 409, 500, 503}
	words       = []string{"POST", "GET", "DELETE", "servers", "images", "ports", "Instance", "spawned", "successfully",
		"took", "seconds", "to", "build", "instance", "Quota", "exceeded", "for", "cores", "Déjà", "vu", "100%", "done_now"}
)

// Generate returns n events as a deployment of 50 users in 10 projects
// and six services writes them over one day from Base, in time order,
// with some times repeated (several lines in one microsecond happen), a
// few events without a project, user, status or duration, and each Raw a
// distinct audit line, so each has its own ContentID. The same seed gives
// the same events.
func Generate(n int, seed uint64) []events.Event {
	evs := make([]events.Event, 0, n)
	Stream(n, seed, n, func(b []events.Event) { evs = append(evs, b...) })
	return evs
}

// Stream hands the n events Generate(n, seed) returns to f, batch at a
// time (the slice is reused: f must copy what it keeps), so that millions
// can be stored without holding them all.
func Stream(n int, seed uint64, batch int, f func([]events.Event)) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	evs := make([]events.Event, 0, min(max(batch, 1), max(n, 1)))
	step := 24 * time.Hour / time.Duration(max(n, 1))
	t := Base
	buf := make([]byte, 0, 512)
	for i := range n {
		if len(evs) == cap(evs) {
			f(evs)
			evs = evs[:0]
		}
		if i > 0 && r.IntN(5) != 0 { // one in five shares its predecessor's time
			t = t.Add(time.Duration(r.Int64N(int64(2*step) + 1))).Truncate(time.Microsecond)
		}
		u := r.IntN(50)
		e := events.Event{
			Time:       t,
			Level:      events.Levels()[weighted(r)],
			Kind:       kinds[r.IntN(len(kinds))],
			Service:    services[r.IntN(len(services))],
			UserID:     fmt.Sprintf("%032x", uint64(u)*0x9e3779b97f4a7c15),
			UserName:   "user" + strconv.Itoa(u),
			Project:    "project-" + strconv.Itoa(u%10),
			Action:     actions[r.IntN(len(actions))],
			TargetType: targetTypes[r.IntN(len(targetTypes))],
			TargetID:   fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48)),
			RequestID:  fmt.Sprintf("req-%08x-%04x-%04x-%04x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<16), r.IntN(1<<16), r.Int64N(1<<48)),
			Outcome:    outcomes[r.IntN(len(outcomes))],
			Format:     events.FormatAudit,
		}
		switch r.IntN(20) {
		case 0, 1:
			e.Format = events.FormatOsloJSON
		case 2:
			e.Format = events.FormatOsloText
		}
		if r.IntN(3) == 0 {
			e.GlobalRequestID = fmt.Sprintf("req-%032x", r.Uint64())
		}
		if r.IntN(4) != 0 {
			e.Status, e.HasStatus = statuses[r.IntN(len(statuses))], true
		}
		if e.Kind != "log" && e.Kind != "lifecycle" {
			e.DurationMS, e.HasDuration = float64(r.IntN(2_000_000))/1000, true
		}
		if r.IntN(40) == 0 {
			e.Project = ""
		}
		if r.IntN(60) == 0 {
			e.UserID, e.UserName = "", ""
		}
		if r.IntN(50) == 0 {
			e.Level = ""
		}
		e.Message = words[r.IntN(len(words))] + " " + words[r.IntN(len(words))] + " " + words[r.IntN(len(words))]
		buf = appendLine(buf[:0], &e, i+1)
		e.Raw = append([]byte(nil), buf...)
		e.ID = events.ContentID(e.Raw)
		evs = append(evs, e)
	}
	if len(evs) > 0 {
		f(evs)
	}
}

func weighted(r *rand.Rand) int {
	switch x := r.IntN(100); {
	case x < 20:
		return 0
	case x < 80:
		return 1
	case x < 92:
		return 2
	case x < 99:
		return 3
	}
	return 4
}

// appendLine writes e as one of our audit lines, keys sorted.
func appendLine(b []byte, e *events.Event, seq int) []byte {
	str := func(b []byte, k, v string) []byte {
		b = append(b, '"')
		b = append(b, k...)
		b = append(b, `":`...)
		return strconv.AppendQuote(b, v)
	}
	b = append(b, '{')
	if e.Action != "" {
		b = append(str(b, "action", e.Action), ',')
	}
	b = append(b, `"context":{`...)
	if e.GlobalRequestID != "" {
		b = append(str(b, "global_request_id", e.GlobalRequestID), ',')
	}
	b = append(str(b, "request_id", e.RequestID), "},"...)
	if e.HasDuration {
		b = append(b, `"duration_ms":`...)
		b = strconv.AppendFloat(b, e.DurationMS, 'f', -1, 64)
		b = append(b, ',')
	}
	b = append(str(b, "kind", e.Kind), ',')
	b = append(str(b, "level", e.Level), ',')
	b = append(str(b, "message", e.Message), ',')
	b = append(str(b, "outcome", e.Outcome), `,"schema_version":1,"seq":`...)
	b = strconv.AppendInt(b, int64(seq), 10)
	b = append(b, ',')
	b = str(b, "service", e.Service)
	if e.HasStatus {
		b = append(b, `,"status":`...)
		b = strconv.AppendInt(b, int64(e.Status), 10)
	}
	b = append(b, `,"target":{`...)
	b = append(str(b, "id", e.TargetID), ',')
	b = append(str(b, "type", e.TargetType), "},"...)
	b = str(b, "timestamp", e.Time.UTC().Format("2006-01-02T15:04:05.000000Z"))
	if e.UserID != "" {
		b = append(b, `,"user":{`...)
		b = append(str(b, "id", e.UserID), ',')
		b = append(str(b, "name", e.UserName), ',')
		b = append(str(b, "project_id", e.Project), '}')
	}
	return append(b, '}')
}
