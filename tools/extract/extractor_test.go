package extract

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// records parses text log lines (one file, "api.log" unless a line starts
// with "file|") into records, joined as the Grouper joins them.
func records(t *testing.T, lines ...string) []oslolog.Record {
	t.Helper()
	g := oslolog.NewGrouper(nil)
	var out []oslolog.Record
	nums := map[string]int64{}
	for _, l := range lines {
		file := "api.log"
		if f, rest, ok := strings.Cut(l, "|"); ok && !strings.Contains(f, " ") {
			file, l = f, rest
		}
		nums[file]++
		if r, ok := g.Add(file, nums[file], []byte(l)); ok {
			out = append(out, r)
		}
	}
	if r, ok := g.Flush(); ok {
		out = append(out, r)
	}
	return out
}

// extractAll feeds records to an extractor and returns what it emits after
// a final flush.
func extractAll(t *testing.T, opts Options, recs []oslolog.Record) []action.Action {
	t.Helper()
	var got []action.Action
	e := New(opts, func(a action.Action) error { got = append(got, a); return nil })
	for _, r := range recs {
		if err := e.AddRecord(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(true); err != nil {
		t.Fatal(err)
	}
	return got
}

// brief is the part of an action the scenario tests compare.
func brief(a action.Action) string {
	var ev []string
	for _, e := range a.Evidence {
		ev = append(ev, fmt.Sprintf("%s:%d:%s", e.Source, e.Line, e.Role))
	}
	return fmt.Sprintf("%s %s %s/%s %s %s", a.Time.Format("15:04:05.000"), a.Action, a.ResourceType, a.Resource, a.Match, strings.Join(ev, ","))
}

func briefs(as []action.Action) string {
	var s []string
	for _, a := range as {
		s = append(s, brief(a))
	}
	return strings.Join(s, "\n")
}

const (
	ctx1 = "[req-11111111-1111-1111-1111-111111111111 u1 p1 - - -]"
	ctx2 = "[req-22222222-2222-2222-2222-222222222222 u1 p1 - - -]"
	ctx3 = "[req-33333333-3333-3333-3333-333333333333 u1 p1 - - -]"
	vm1  = "a18a5824-4215-4e24-bcfc-cb9f89f6bcbd"
)

func TestExtractScenarios(t *testing.T) {
	access := func(ts, ctx, method, path string, status int) string {
		return fmt.Sprintf(`2015-10-29 %s 100 INFO nova.osapi_compute.wsgi.server %s 10.0.0.1 "%s %s HTTP/1.1" status: %d len: 0 time: 0.2000000`, ts, ctx, method, path, status)
	}
	lifecycle := func(ts, ev string) string {
		return fmt.Sprintf("compute.log|2015-10-29 %s 200 INFO nova.compute.manager [-] [instance: %s] VM %s (Lifecycle Event)", ts, vm1, ev)
	}
	compute := func(ts, ctx, msg string) string {
		return fmt.Sprintf("compute.log|2015-10-29 %s 200 INFO nova.compute.manager %s [instance: %s] %s", ts, ctx, vm1, msg)
	}
	actionPath := "/v2/p1/servers/" + vm1 + "/action"
	tests := []struct {
		name  string
		opts  Options
		lines []string
		want  string
	}{{
		name: "debug body before the access line",
		lines: []string{
			`2015-10-29 10:00:00.100 100 DEBUG nova.api.openstack.wsgi ` + ctx1 + ` Action: 'action', calling method: <bound method AdminActionsController._pause of <x>>, body: {"pause": null} _process_stack /x.py:1`,
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
			lifecycle("10:00:01.000", "Paused"),
		},
		want: "10:00:00.300 pause server/" + vm1 + " request_id api.log:2:access,api.log:1:debug",
	}, {
		name: "compute line of the same request",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
			compute("10:00:00.500", ctx1, "Rebooting instance"),
		},
		want: "10:00:00.300 reboot server/" + vm1 + " request_id api.log:1:access,compute.log:1:compute",
	}, {
		name: "lifecycle event in the window",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
			lifecycle("10:00:02.000", "Paused"),
			access("10:05:00.300", ctx2, "POST", actionPath, 202),
			lifecycle("10:05:01.000", "Resumed"),
		},
		want: "10:00:00.300 pause server/" + vm1 + " time_window api.log:1:access,compute.log:1:lifecycle\n" +
			"10:05:00.300 unpause server/" + vm1 + " time_window api.log:2:access,compute.log:2:lifecycle",
	}, {
		name: "lifecycle event out of the window",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
			lifecycle("10:01:02.000", "Paused"),
		},
		want: "10:00:00.300 unknown server/" + vm1 + " unresolved api.log:1:access",
	}, {
		name: "a failed request takes no lifecycle event",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", actionPath, 409),
			lifecycle("10:00:02.000", "Paused"),
		},
		want: "10:00:00.300 unknown server/" + vm1 + " unresolved api.log:1:access",
	}, {
		name: "VM Paused during a migration is automatic",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
			"compute.log|2015-10-29 10:00:07.952 21476 INFO nova.virt.libvirt.driver [-] [instance: " + vm1 + "] Migration running for 0 secs, memory 0% remaining",
			lifecycle("10:00:12.582", "Paused"),
			lifecycle("10:00:13.484", "Stopped"),
			"compute.log|2015-10-29 10:00:14.538 21476 INFO nova.compute.manager [-] [instance: " + vm1 + "] During sync_power_state the instance has a pending task (migrating). Skip.",
		},
		want: "10:00:00.300 unknown server/" + vm1 + " unresolved api.log:1:access",
	}, {
		name: "VM Paused during a boot is automatic",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", "/v2/p1/servers", 202),
			compute("10:00:00.400", ctx1, "Starting instance..."),
			access("10:00:02.000", ctx2, "POST", actionPath, 202),
			lifecycle("10:00:20.000", "Started"),
			lifecycle("10:00:20.100", "Paused"),
		},
		want: "10:00:00.300 create server/" + vm1 + " api api.log:1:access,compute.log:1:instance\n" +
			"10:00:02.000 unknown server/" + vm1 + " unresolved api.log:2:access",
	}, {
		name: "stop then start, each with its own events",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
			lifecycle("10:00:02.000", "Stopped"),
			access("10:00:20.300", ctx2, "POST", actionPath, 202),
			lifecycle("10:00:22.000", "Started"),
		},
		want: "10:00:00.300 stop server/" + vm1 + " time_window api.log:1:access,compute.log:1:lifecycle\n" +
			"10:00:20.300 start server/" + vm1 + " time_window api.log:2:access,compute.log:2:lifecycle",
	}, {
		name: "Stopped and Started in one window is no single action",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
			lifecycle("10:00:02.000", "Stopped"),
			lifecycle("10:00:04.000", "Started"),
		},
		want: "10:00:00.300 unknown server/" + vm1 + " unresolved api.log:1:access",
	}, {
		name: "Resumed with no known state before",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
			lifecycle("10:00:02.000", "Resumed"),
		},
		want: "10:00:00.300 unknown server/" + vm1 + " unresolved api.log:1:access",
	}, {
		name: "deletes are left out by default",
		lines: []string{
			access("10:00:00.300", ctx1, "DELETE", "/v2/p1/servers/"+vm1, 204),
		},
		want: "",
	}, {
		name: "deletes with IncludeDelete, consoles",
		opts: Options{IncludeDelete: true},
		lines: []string{
			access("10:00:00.300", ctx1, "POST", "/v2/p1/servers/"+vm1+"/remote-consoles", 200),
			access("10:00:01.300", ctx2, "DELETE", "/v2/p1/servers/"+vm1, 204),
		},
		want: "10:00:00.300 console server/" + vm1 + " api api.log:1:access\n" +
			"10:00:01.300 delete server/" + vm1 + " api api.log:2:access",
	}, {
		name: "a create whose instance no line names",
		lines: []string{
			access("10:00:00.300", ctx1, "POST", "/v2/p1/servers", 400),
		},
		want: "10:00:00.300 create server/ api api.log:1:access",
	}, {
		name: "a create of two instances",
		lines: []string{
			`2015-10-29 10:00:00.100 100 DEBUG nova.compute.api ` + ctx1 + ` [instance: 11111111-0000-0000-0000-000000000001] block_device_mapping []`,
			`2015-10-29 10:00:00.110 100 DEBUG nova.compute.api ` + ctx1 + ` [instance: 11111111-0000-0000-0000-000000000002] block_device_mapping []`,
			access("10:00:00.300", ctx1, "POST", "/v2/p1/servers", 202),
		},
		want: "10:00:00.300 create server/11111111-0000-0000-0000-000000000001 api api.log:3:access,api.log:1:instance\n" +
			"10:00:00.300 create server/11111111-0000-0000-0000-000000000002 api api.log:3:access,api.log:2:instance",
	}, {
		name: "consoleauth names a console",
		lines: []string{
			access("10:00:00.300", ctx3, "POST", actionPath, 200),
			"consoleauth.log|2015-10-29 10:00:00.250 300 INFO nova.consoleauth.manager " + ctx3 + " Received Token: abc, {'instance_uuid': u'" + vm1 + "'}",
		},
		want: "10:00:00.300 console server/" + vm1 + " request_id api.log:1:access,consoleauth.log:1:consoleauth",
	}, {
		name: "DEBUG outranks compute",
		lines: []string{
			compute("10:00:00.250", ctx1, "Rebooting instance"),
			`2015-10-29 10:00:00.100 100 DEBUG nova.api.openstack.wsgi ` + ctx1 + ` Action: 'action', body: {"rebuild": {}} _process_stack /x.py:1`,
			access("10:00:00.300", ctx1, "POST", actionPath, 202),
		},
		want: "10:00:00.300 rebuild server/" + vm1 + " request_id api.log:2:access,api.log:1:debug",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := briefs(extractAll(t, tt.opts, records(t, tt.lines...)))
			if got != tt.want {
				t.Errorf("-want +got\n-%s\n+%s", strings.ReplaceAll(tt.want, "\n", "\n-"), strings.ReplaceAll(got, "\n", "\n+"))
			}
		})
	}
}

// TestExtractFullRecord checks every field of one action.
func TestExtractFullRecord(t *testing.T) {
	got := extractAll(t, Options{}, records(t,
		`2015-10-29 10:00:00.100 100 DEBUG nova.api.openstack.wsgi `+ctx1+` Action: 'action', body: {"os-stop": null} _process_stack /x.py:1`,
		`2015-10-29 10:00:00.300 100 INFO nova.osapi_compute.wsgi.server `+ctx1+` 10.0.0.1 "POST /v2/p1/servers/`+vm1+`/action HTTP/1.1" status: 202 len: 0 time: 0.2000000`,
	))
	if len(got) != 1 {
		t.Fatalf("got %d actions", len(got))
	}
	want := action.Action{
		Time: time.Date(2015, 10, 29, 10, 0, 0, 300e6, time.UTC), Mode: "vm", Action: "stop", APIAction: "os-stop",
		ResourceType: "server", Resource: vm1, UserID: "u1", ProjectID: "p1",
		RequestID: "req-11111111-1111-1111-1111-111111111111", Service: "nova-api",
		Method: "POST", Path: "/v2/p1/servers/" + vm1 + "/action", Status: 202, Outcome: "success",
		DurationMS: 200, Match: action.MatchRequestID,
		Evidence: []action.Evidence{{Source: "api.log", Line: 2, Role: "access"}, {Source: "api.log", Line: 1, Role: "debug"}},
	}
	if fmt.Sprintf("%+v", got[0]) != fmt.Sprintf("%+v", want) {
		t.Errorf("-want +got\n-%+v\n+%+v", want, got[0])
	}
}

// TestUnknownMode: an extractor in a mode that does not exist says so
// instead of finding nothing.
func TestUnknownMode(t *testing.T) {
	e := New(Options{Mode: "cinder"}, func(action.Action) error { return nil })
	recs := records(t, `2015-10-29 10:00:00.300 100 INFO nova.osapi_compute.wsgi.server `+ctx1+` 10.0.0.1 "POST /v2/p1/servers HTTP/1.1" status: 202 len: 0 time: 0.2`)
	if err := e.AddRecord(recs[0]); err == nil || !strings.Contains(err.Error(), `unknown mode "cinder" (want vm, glance, neutron)`) {
		t.Errorf("AddRecord: %v", err)
	}
	if err := e.Flush(true); err == nil {
		t.Error("Flush: no error")
	}
	for _, m := range action.Modes() {
		if got, err := modeOf(m.Name); err != nil || got.Mode.Name != m.Name || got.access == nil || got.classify == nil {
			t.Errorf("mode %s: %+v %v", m.Name, got, err)
		}
	}
}
