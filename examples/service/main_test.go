package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
)

func runDemo(t *testing.T, args ...string) *auditlogtest.Recorder {
	t.Helper()
	rec := auditlogtest.NewRecorder(t)
	var stderr bytes.Buffer
	if code := run(args, rec, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	return rec
}

func TestDemoWritesEveryKindOfLine(t *testing.T) {
	rec := runDemo(t)
	kinds := map[string]int{}
	statuses := map[string]int{}
	byRequest := map[string]map[string]int{}
	for _, m := range rec.Maps() {
		kind := m["kind"].(string)
		kinds[kind]++
		if kind == "request" {
			if rpc := m["rpc"].(map[string]any); rpc["system"] == "http" {
				statuses[m["status"].(json.Number).String()]++
			}
		}
		if c, ok := m["context"].(map[string]any); ok {
			id, _ := c["request_id"].(string)
			if byRequest[id] == nil {
				byRequest[id] = map[string]int{}
			}
			byRequest[id][kind]++
		}
	}
	// 6 HTTP requests (the health check is skipped) and 2 scheduler calls
	// served; 2 scheduler calls made; 7 database calls; the handler's own
	// line; one panic; started and stopped.
	want := map[string]int{"request": 8, "rpc": 2, "db": 7, "log": 1, "exception": 1, "lifecycle": 2}
	for k, n := range want {
		if kinds[k] != n {
			t.Errorf("%d %s lines, want %d (all: %v)", kinds[k], k, n, kinds)
		}
	}
	for s, n := range map[string]int{"202": 2, "200": 1, "404": 1, "409": 1, "500": 1} {
		if statuses[s] != n {
			t.Errorf("%d HTTP lines with status %s, want %d (all: %v)", statuses[s], s, n, statuses)
		}
	}
	// The create request's id, sent by the client, ties together its HTTP
	// line, the scheduler call (both ends), the database calls and the
	// handler's own line.
	create := byRequest["req-0b9c6f1e-4d2a-4c8e-9f3b-7a5d1e2c4b6a"]
	if create["request"] != 2 || create["rpc"] != 1 || create["db"] != 3 || create["log"] != 1 {
		t.Errorf("lines of the create request by kind: %v", create)
	}
	out := rec.String()
	if strings.Contains(out, "never-logged") {
		t.Errorf("the auth token reached the output")
	}
	for _, s := range []string{`"action":"pause"`, `"action":"create"`, `"action":"delete"`, `"stacktrace"`, `"transaction_id"`} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %s", s)
		}
	}
}

func TestDemoSwitches(t *testing.T) {
	rec := runDemo(t, "--no-request-logging", "--no-db-performance-logging", "--no-rpc-performance-logging", "--no-exception-logging")
	for _, m := range rec.Maps() {
		if k := m["kind"]; k != "log" && k != "lifecycle" {
			t.Errorf("%s line written with its switch off: %v", k, m)
		}
	}
}

func TestDemoBadFlags(t *testing.T) {
	for _, args := range [][]string{{"--level", "loud"}, {"--delivery", "sometimes"}, {"--bogus"}} {
		var out, stderr bytes.Buffer
		if code := run(args, &out, &stderr); code != 2 || stderr.Len() == 0 {
			t.Errorf("%v: exit %d, stderr %q", args, code, stderr.String())
		}
	}
}
