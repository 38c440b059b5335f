package bench

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/schema"
)

// layout says where a peer puts each value of the event in its line, as
// dotted paths, and in what unit it writes the duration. The benchmark is
// only a comparison if every peer writes the same values.
type layout struct {
	paths   map[string]string // value name → path in the line
	durPath string
	durUnit time.Duration
}

// The values every line must carry, by name.
var want = map[string]any{
	"request_id":        req.ID,
	"global_request_id": req.GlobalID,
	"user_id":           req.User.ID,
	"user_name":         req.User.Name,
	"project_id":        req.User.ProjectID,
	"service":           service,
	"kind":              "request",
	"message":           message,
	"action":            action,
	"target_type":       target.Type,
	"target_id":         target.ID,
	"method":            rpc.Method,
	"route":             rpc.Route,
	"status":            float64(status),
	"outcome":           "success",
}

var auditlogLayout = layout{
	paths: map[string]string{
		"request_id":        "context.request_id",
		"global_request_id": "context.global_request_id",
		"user_id":           "user.id",
		"user_name":         "user.name",
		"project_id":        "user.project_id",
		"service":           "service",
		"kind":              "kind",
		"message":           "message",
		"action":            "action",
		"target_type":       "target.type",
		"target_id":         "target.id",
		"method":            "rpc.method",
		"route":             "rpc.route",
		"status":            "status",
		"outcome":           "outcome",
	},
	durPath: "duration_ms",
	durUnit: time.Millisecond,
}

// peerLayout is the flat layout the peers share, with the request context
// nested under "context"; only the message key and the duration differ.
func peerLayout(msgKey, durPath string, durUnit time.Duration) layout {
	p := map[string]string{"message": msgKey}
	for name := range want {
		switch name {
		case "message":
		case "request_id", "global_request_id", "user_id", "user_name", "project_id":
			p[name] = "context." + name
		default:
			p[name] = name
		}
	}
	return layout{paths: p, durPath: durPath, durUnit: durUnit}
}

// grouped moves the target and rpc values of l under the groups the plain
// peers write them in (target.type, rpc.method…), below prefix.
func grouped(l layout, prefix string) layout {
	p := maps.Clone(l.paths)
	p["target_type"] = prefix + "target.type"
	p["target_id"] = prefix + "target.id"
	p["method"] = prefix + "rpc.method"
	p["route"] = prefix + "rpc.route"
	return layout{paths: p, durPath: l.durPath, durUnit: l.durUnit}
}

var (
	// The plain slog peers: target and rpc are ordinary groups, so ours
	// keeps them in attrs; slog writes duration_ms as nanoseconds.
	auditlogPlainLayout = grouped(auditlogLayout, "attrs.")
	slogPlainLayout     = grouped(peerLayout("msg", "duration_ms", time.Nanosecond), "")
)

var layouts = map[string]layout{
	"auditlog-typed":  auditlogLayout,
	"auditlog-slog":   auditlogLayout,
	"zerolog":         peerLayout("message", "duration_ms", time.Millisecond),
	"zap":             peerLayout("msg", "duration_ms", time.Millisecond),
	"slog-json":       peerLayout("msg", "duration_ns", time.Nanosecond),
	"auditlog-plain":  auditlogPlainLayout,
	"auditlog-kv":     auditlogPlainLayout,
	"auditlog-with":   auditlogPlainLayout,
	"slog-json-plain": slogPlainLayout,
	"slog-json-kv":    slogPlainLayout,
	"slog-json-with":  slogPlainLayout,
}

// capture returns the output of one emit of p.
func capture(t *testing.T, p peer) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := p.new(&buf)(requestContext()); err != nil {
		t.Fatalf("emit: %v", err)
	}
	return buf.Bytes()
}

// TestSameLine holds every peer to the same event, so that the benchmark
// compares like with like.
func TestSameLine(t *testing.T) {
	for _, p := range peers {
		t.Run(p.name, func(t *testing.T) {
			line := capture(t, p)
			t.Logf("%d bytes: %s", len(line), line)
			if n := bytes.Count(line, []byte("\n")); n != 1 || line[len(line)-1] != '\n' {
				t.Fatalf("want one newline-terminated line, got %d newlines", n)
			}
			if !json.Valid(line) {
				t.Fatalf("not valid JSON: %s", line)
			}
			if n := len(line); n < 300 || n > 480 {
				t.Errorf("line is %d bytes, want 300..480", n)
			}
			var got map[string]any
			if err := json.Unmarshal(line, &got); err != nil {
				t.Fatal(err)
			}
			l, ok := layouts[p.name]
			if !ok {
				t.Fatalf("no layout for %s", p.name)
			}
			for _, name := range slices.Sorted(maps.Keys(want)) {
				path := l.paths[name]
				v, ok := lookup(got, path)
				if !ok {
					t.Errorf("%s: %s missing", name, path)
				} else if v != want[name] {
					t.Errorf("%s: %s = %#v, want %#v", name, path, v, want[name])
				}
			}
			v, ok := lookup(got, l.durPath)
			d, isNum := v.(float64)
			switch {
			case !ok:
				t.Errorf("duration: %s missing", l.durPath)
			case !isNum:
				t.Errorf("duration: %s = %#v, want a number", l.durPath, v)
			case math.Abs(d*float64(l.durUnit)-float64(duration)) > 1:
				t.Errorf("duration: %s = %v, want %v in units of %v", l.durPath, d, duration, l.durUnit)
			}
		})
	}
}

// lookup follows a dotted path through decoded JSON objects.
func lookup(m map[string]any, path string) (any, bool) {
	var v any = m
	for key := range strings.SplitSeq(path, ".") {
		obj, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = obj[key]; !ok {
			return nil, false
		}
	}
	return v, true
}

// TestAuditlogSchema checks our two paths against the line schema, and that
// they write the same line but for seq and timestamp.
func TestAuditlogSchema(t *testing.T) {
	var lines []map[string]any
	for _, p := range peers[:2] {
		line := capture(t, p)
		if err := schema.Validate(line); err != nil {
			t.Errorf("%s: %v\n%s", p.name, err, line)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		delete(m, "seq")
		delete(m, "timestamp")
		lines = append(lines, m)
	}
	a, _ := json.Marshal(lines[0])
	b, _ := json.Marshal(lines[1])
	if !bytes.Equal(a, b) {
		t.Errorf("typed and slog paths differ (seq and timestamp aside):\ntyped: %s\nslog:  %s", a, b)
	}
}

// TestTypedPathAllocs holds LogEvent to its promise of no allocation. Under
// -race, sync.Pool drops one Put in four, so the encoder pool misses now and
// then (about half an allocation per line on average); AllocsPerRun rounds
// its average down, so that noise reads as 0 while a real allocation on
// every line still fails.
func TestTypedPathAllocs(t *testing.T) {
	emit := newAuditlogTyped(io.Discard)
	ctx := requestContext()
	allocs := testing.AllocsPerRun(1000, func() {
		if err := emit(ctx); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("typed path: %v allocs per line, want 0", allocs)
	}
}

// TestPlainPeersAgree checks that the three plain slog calls make one line
// (seq and timestamp aside), and that it is a valid line.
func TestPlainPeersAgree(t *testing.T) {
	var first []byte
	for _, name := range []string{"auditlog-plain", "auditlog-kv", "auditlog-with"} {
		i := slices.IndexFunc(peers, func(p peer) bool { return p.name == name })
		line := capture(t, peers[i])
		if err := schema.Validate(line); err != nil {
			t.Errorf("%s: %v\n%s", name, err, line)
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		delete(m, "seq")
		delete(m, "timestamp")
		got, _ := json.Marshal(m)
		if first == nil {
			first = got
		} else if !bytes.Equal(got, first) {
			t.Errorf("%s differs from auditlog-plain:\n%s\n%s", name, got, first)
		}
	}
}

// TestPlainAllocs holds the handler to at most one allocation per line of
// its own over what slog.Logger costs the caller for the same call (the
// SlogFloor benchmarks measure that floor with a do-nothing handler). Under
// -race sync.Pool drops Puts at random, so the test is skipped there.
func TestPlainAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool is not reliable under -race")
	}
	ctx := requestContext()
	for _, f := range plainFloors {
		t.Run(f.name, func(t *testing.T) {
			floorLogger := f.logger(slog.New(nopHandler{}))
			floor := testing.AllocsPerRun(1000, func() { f.log(ctx, floorLogger) })
			logger := f.logger(slog.New(auditlog.NewHandler(io.Discard, auditlogOptions())))
			got := testing.AllocsPerRun(1000, func() { f.log(ctx, logger) })
			t.Logf("floor %v, ours %v", floor, got)
			if got > floor+1 {
				t.Errorf("%v allocs per line, floor %v: the handler adds %v, want ≤ 1", got, floor, got-floor)
			}
		})
	}
}
