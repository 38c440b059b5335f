package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// osloJSONScript writes oslo.log JSON lines with oslo.log's own
// JSONFormatter through oslo_log.log.getLogger's adapter, as nova does:
// INFO lines under real RequestContexts of two users, and exceptions logged
// with LOG.exception, whose traceback the formatter writes as a list of
// lines. The version, a keyword argument the adapter puts in each record's
// extra, changes from 29.0.0 to 30.0.0 at 10:10; a KeyError appears only
// after it. The clock is fixed
// (a filter sets each record's created) so the report is the same on
// every run.
const osloJSONScript = `
import logging, sys
from oslo_context import context
from oslo_log import formatters, log

t = [1795428000.0]  # 2026-11-23T10:00:00Z
class Clock(logging.Filter):
    def filter(self, record):
        record.created = t[0]
        record.msecs = 0.0
        return True

h = logging.StreamHandler(sys.stdout)
h.setFormatter(formatters.JSONFormatter())
h.addFilter(Clock())
root = logging.getLogger()
root.handlers = [h]
root.setLevel(logging.DEBUG)
api = log.getLogger('nova.api.openstack.wsgi')  # as nova gets its loggers: keyword arguments go to extra
comp = log.getLogger('nova.compute.manager')
users = [context.RequestContext(user_id='u-alice', project_id='p1', user_name='alice', request_id='req-a'),
         context.RequestContext(user_id='u-bob', project_id='p2', user_name='bob', request_id='req-b')]

def log_failure(exc, ctx, i, version):
    try:
        raise exc
    except Exception:
        comp.exception('Build of instance failed', context=ctx, instance_uuid='i-%d' % i, version=version)

for i in range(40):
    t[0] = 1795428000.0 + 30 * i
    version = '29.0.0' if i < 20 else '30.0.0'
    ctx = users[i % 2]
    api.info('POST /v2.1/servers', context=ctx, version=version)
    if i % 4 == 0:
        log_failure(ValueError('Flavor m1.huge is invalid'), ctx, i, version)
    elif i >= 20 and i % 4 == 1:
        log_failure(KeyError('host'), ctx, i, version)
`

// TestOsloLogJSON reads what oslo.log's JSONFormatter itself writes (not
// lines written by hand to look like it): the users behind the contexts,
// the exception types from the tracebacks, and the split at the version
// change found in extra.
func TestOsloLogJSON(t *testing.T) {
	python := "/usr/bin/python3" // Debian's, where python3-oslo.log installs
	if _, err := os.Stat(python); err != nil {
		python = "python3"
	}
	cmd := exec.Command(python, "-c", osloJSONScript)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	lines, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s with oslo.log (apt-get install python3-oslo.log): %v\n%s", python, err, stderr.String())
	}
	file := filepath.Join(t.TempDir(), "nova.json.log")
	if err := os.WriteFile(file, lines, 0o644); err != nil {
		t.Fatal(err)
	}

	report := func(args ...string) map[string][]map[string]any {
		t.Helper()
		var out, errOut bytes.Buffer
		code := run(append(args, "-o", "json", file), cli.IO{In: strings.NewReader(""), Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errOut.String())
		}
		var rep struct {
			Input struct {
				Lines, Records, Malformed int
			}
			Sections []struct {
				ID   string
				Rows []map[string]any
			}
		}
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
		// 40 requests and 10 ValueErrors and 5 KeyErrors, one line each.
		if rep.Input.Lines != 55 || rep.Input.Records != 55 || rep.Input.Malformed != 0 {
			t.Fatalf("%v: input %+v, want 55 lines, 55 records, none malformed", args, rep.Input)
		}
		secs := map[string][]map[string]any{}
		for _, s := range rep.Sections {
			secs[s.ID] = s.Rows
		}
		return secs
	}

	users := report("users", "--section", "daily", "--section", "summary")
	if d := users["daily"]; len(d) != 1 || d[0]["day"] != "2026-11-23" || d[0]["active"] != 2.0 || d[0]["new"] != 2.0 {
		t.Errorf("users daily: %v, want one day with the 2 users of the contexts, both new", d)
	}

	exc := report("exceptions")
	byType := map[string]float64{}
	for _, r := range exc["by-type"] {
		if r["service"] != "nova.compute.manager" {
			t.Errorf("exception row %v: want service nova.compute.manager (the logger)", r)
		}
		byType[r["type"].(string)] = r["count"].(float64)
	}
	if len(byType) != 2 || byType["ValueError"] != 10 || byType["KeyError"] != 5 {
		t.Errorf("exceptions by type %v, want ValueError 10 and KeyError 5 (from the tracebacks)", byType)
	}
	ba := map[string]map[string]any{}
	for _, r := range exc["before-after"] {
		ba[r["type"].(string)] = r
	}
	all, val, key := ba["(all)"], ba["ValueError"], ba["KeyError"]
	if all == nil || val == nil || key == nil {
		t.Fatalf("before-after %v: want the split at the version change, with (all), ValueError and KeyError", exc["before-after"])
	}
	if all["before"] != 5.0 || all["after"] != 10.0 || val["before"] != 5.0 || val["after"] != 5.0 || val["new"] != "" {
		t.Errorf("before-after: all %v, ValueError %v; want 5 then 10, and ValueError 5 on each side", all, val)
	}
	if key["before"] != 0.0 || key["after"] != 5.0 || key["new"] != "new" {
		t.Errorf("before-after KeyError %v: want 0 then 5, marked new", key)
	}
}
