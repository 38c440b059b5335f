package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
)

func TestDemoWritesValidAuditLines(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	var stderr bytes.Buffer
	if code := run(nil, rec, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	kinds := map[string]int{}
	statuses := map[string]bool{}
	for _, m := range rec.Maps() {
		kinds[m["kind"].(string)]++
		if s, ok := m["status"]; ok {
			statuses[s.(interface{ String() string }).String()] = true
		}
	}
	if kinds["request"] != 4 || kinds["exception"] != 1 || kinds["lifecycle"] != 2 || kinds["log"] != 1 {
		t.Errorf("kinds = %v", kinds)
	}
	for _, s := range []string{"202", "404", "500"} {
		if !statuses[s] {
			t.Errorf("no request line with status %s: %v", s, statuses)
		}
	}
	out := rec.String()
	if strings.Contains(out, "never-logged") || strings.Contains(out, "from-the-body") {
		t.Errorf("a secret reached the output:\n%s", out)
	}
	if !strings.Contains(out, `"action":"pause"`) {
		t.Errorf("the pause action was not named:\n%s", out)
	}
}

func TestDemoSwitchesOffRequestLines(t *testing.T) {
	rec := auditlogtest.NewRecorder(t)
	var stderr bytes.Buffer
	if code := run([]string{"--no-request-logging"}, rec, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for _, m := range rec.Maps() {
		if m["kind"] == "request" {
			t.Errorf("request line written with --no-request-logging: %v", m)
		}
	}
}

func TestDemoBadFlags(t *testing.T) {
	var out, stderr bytes.Buffer
	if code := run([]string{"--level", "loud"}, &out, &stderr); code != 2 || !strings.Contains(stderr.String(), "loud") {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
