package extract

import (
	"fmt"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// TestHavanaInference: Havana's API logged no body at INFO and its compute
// manager nothing of a stop, a start or a suspend; the inference rules
// read those from what compute did to the instance, and nothing else.
func TestHavanaInference(t *testing.T) {
	access := func(ts string) string {
		return fmt.Sprintf(`2013-09-27 %s INFO nova.osapi_compute.wsgi.server %s 10.0.0.1 "POST /v2/p1/servers/%s/action HTTP/1.1" status: 202 len: 0 time: 0.1000000`, ts, ctx1, vm1)
	}
	event := func(ts string, n int) string {
		return fmt.Sprintf("compute.log|2013-09-27 %s 300 INFO nova.compute.manager [-] Lifecycle event %d on VM %s", ts, n, vm1)
	}
	compute := func(ts, msg string) string {
		return fmt.Sprintf("compute.log|2013-09-27 %s 300 INFO nova.virt.libvirt.driver %s [instance: %s] %s", ts, ctx1, vm1, msg)
	}
	computeNoCtx := func(ts, msg string) string {
		return fmt.Sprintf("compute.log|2013-09-27 %s 300 INFO nova.compute.manager [-] [instance: %s] %s", ts, vm1, msg)
	}
	const (
		paused, stopped, started = 2, 1, 0
	)
	tests := []struct {
		name  string
		lines []string
		want  string // action match rule evidence
	}{{
		name:  "managed save: paused then stopped",
		lines: []string{access("10:00:00.300"), event("10:00:01.500", paused), event("10:00:02.900", stopped)},
		want:  "suspend inferred suspend-managed-save api.log:1:access,compute.log:1:lifecycle:suspend-managed-save,compute.log:2:lifecycle:suspend-managed-save",
	}, {
		name:  "stop: stopped and destroyed",
		lines: []string{access("10:00:00.300"), compute("10:00:01.000", "Instance destroyed successfully."), event("10:00:01.200", stopped)},
		want:  "stop inferred stop-destroyed api.log:1:access,compute.log:2:lifecycle:stop-destroyed,compute.log:1:compute:stop-destroyed",
	}, {
		name: "start by the hard-reboot path",
		lines: []string{access("10:00:00.300"), compute("10:00:00.800", "Instance destroyed successfully."),
			event("10:00:01.500", started), compute("10:00:02.000", "Instance rebooted successfully.")},
		want: "start inferred start-hard-reboot api.log:1:access,compute.log:2:lifecycle:start-hard-reboot,compute.log:1:compute:start-hard-reboot,compute.log:3:compute:start-hard-reboot",
	}, {
		name: "a reboot is no start",
		lines: []string{access("10:00:00.300"), computeNoCtx("10:00:00.500", "Rebooting instance"), compute("10:00:00.800", "Instance destroyed successfully."),
			event("10:00:01.000", stopped), event("10:00:01.500", started), compute("10:00:02.000", "Instance rebooted successfully.")},
		want: "unknown unresolved  api.log:1:access",
	}, {
		name: "a deletion's stop is no user's",
		lines: []string{access("10:00:00.300"), computeNoCtx("10:00:00.500", "Terminating instance"),
			compute("10:00:01.000", "Instance destroyed successfully."), event("10:00:01.200", stopped)},
		want: "unknown unresolved  api.log:1:access",
	}, {
		name: "sync_power_state's own stop",
		lines: []string{access("10:00:00.300"), event("10:00:01.200", stopped),
			computeNoCtx("10:00:01.500", "Instance shutdown by itself. Calling the stop API."), compute("10:00:02.000", "Instance destroyed successfully.")},
		want: "unknown unresolved  api.log:1:access",
	}, {
		name: "a boot's pause",
		lines: []string{access("10:00:00.300"), computeNoCtx("10:00:00.400", "Starting instance..."),
			event("10:00:01.500", paused), event("10:00:02.000", stopped)},
		want: "unknown unresolved  api.log:1:access",
	}, {
		name: "a migration's source",
		lines: []string{access("10:00:00.300"), event("10:00:01.500", paused), event("10:00:02.000", stopped),
			computeNoCtx("10:00:02.500", "_post_live_migration() is started..")},
		want: "unknown unresolved  api.log:1:access",
	}, {
		name:  "paused and stopped too far apart",
		lines: []string{access("10:00:00.300"), event("10:00:01.500", paused), event("10:00:06.000", stopped)},
		want:  "unknown unresolved  api.log:1:access",
	}, {
		name:  "stopped then paused",
		lines: []string{access("10:00:00.300"), event("10:00:01.500", stopped), event("10:00:02.000", paused)},
		want:  "unknown unresolved  api.log:1:access",
	}, {
		name:  "stopped alone is a stop, as in later releases",
		lines: []string{access("10:00:00.300"), event("10:00:01.500", stopped)},
		want:  "stop time_window  api.log:1:access,compute.log:1:lifecycle",
	}, {
		name: "a started with no rebooted line near a destroy is not read",
		lines: []string{access("10:00:00.300"), compute("10:00:00.800", "Instance destroyed successfully."),
			event("10:00:01.500", started)},
		want: "unknown unresolved  api.log:1:access",
	}, {
		name: "later releases' form is not read by these rules",
		lines: []string{access("10:00:00.300"),
			fmt.Sprintf("compute.log|2013-09-27 10:00:01.500 300 INFO nova.compute.manager [-] [instance: %s] VM Paused (Lifecycle Event)", vm1),
			fmt.Sprintf("compute.log|2013-09-27 10:00:02.000 300 INFO nova.compute.manager [-] [instance: %s] VM Stopped (Lifecycle Event)", vm1)},
		want: "unknown unresolved  api.log:1:access",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := extractAll(t, Options{Mode: action.ModeVM}, records(t, tc.lines...))
			if len(got) != 1 {
				t.Fatalf("got %d actions: %s", len(got), briefs(got))
			}
			a := got[0]
			var ev []string
			for _, e := range a.Evidence {
				s := fmt.Sprintf("%s:%d:%s", e.Source, e.Line, e.Role)
				if e.Rule != "" {
					s += ":" + e.Rule
				}
				ev = append(ev, s)
			}
			if g := fmt.Sprintf("%s %s %s %s", a.Action, a.Match, a.Rule, strings.Join(ev, ",")); g != tc.want {
				t.Errorf("got  %s\nwant %s", g, tc.want)
			}
		})
	}
}
