package extract

import (
	"fmt"
	"testing"
)

func TestParseAccess(t *testing.T) {
	tests := []struct {
		msg  string
		want string // method path status duration, or "-" for not an access line
	}{
		{`10.11.10.1 "POST /v2/54fa/servers HTTP/1.1" status: 202 len: 733 time: 0.6686139`, "POST /v2/54fa/servers 202 668.6139"},
		{`10.12.27.29 - - [29/Oct/2015 10:53:19] "PUT /v2.0/ports/2e6d.json HTTP/1.1" 200 983 1.398919`, "PUT /v2.0/ports/2e6d.json 200 1398.919"},
		{`10.0.0.1 "DELETE /compute/v2.1/servers/abc" status: 204 len: 0 microversion: 2.60 time: 0.5`, "DELETE /compute/v2.1/servers/abc 204 500"},
		{`127.0.0.1 "POST /v2/p/servers/x/action HTTP/1.1" status: 202 len: 204 time: 0.2084539`, "POST /v2/p/servers/x/action 202 208.4539"},
		{`"GET /v2.0/tokens HTTP/1.1" 200 11221 _make_request /usr/lib/…/connectionpool.py:414`, "GET /v2.0/tokens 200 0"},
		{`Matched POST /networks.json __call__`, "-"},
		{`"FETCH /x HTTP/1.1" 200 1 0.1`, "-"},
		{`10.0.0.1 "POST`, "-"},
		{`no quotes at all`, "-"},
	}
	for _, tt := range tests {
		a, ok := ParseAccess(tt.msg)
		got := "-"
		if ok {
			got = fmt.Sprintf("%s %s %d %.7g", a.Method, a.Path, a.Status, a.DurationMS)
		}
		if got != tt.want {
			t.Errorf("ParseAccess(%q) = %s, want %s", tt.msg, got, tt.want)
		}
	}
}

func TestClassifyVM(t *testing.T) {
	tests := []struct {
		method, path string
		want         string // kind action type resource project, or "-"
	}{
		{"POST", "/v2/0c7f/servers", "create create server  0c7f"},
		{"POST", "/v2/0c7f/os-volumes_boot", "create create server  0c7f"},
		{"POST", "/v2.1/servers", "create create server  "},
		{"POST", "/compute/v2.1/servers", "create create server  "},
		{"POST", "/compute/v2.1/p1/servers.json", "create create server  p1"},
		{"DELETE", "/v2/p/servers/a18a5824-4215-4e24-bcfc-cb9f89f6bcbd", "api delete server a18a5824-4215-4e24-bcfc-cb9f89f6bcbd p"},
		{"POST", "/v2.1/servers/abc/remote-consoles", "api console server abc "},
		{"POST", "/v2/p/servers/abc/action", "action  server abc p"},
		{"POST", "/v2/p/servers/abc/action?x=1", "action  server abc p"},
		{"GET", "/v2/p/servers/abc", "-"},
		{"PUT", "/v2/p/servers/abc", "-"},
		{"POST", "/v2/p/servers/abc/os-interface", "-"},
		{"DELETE", "/v2/p/servers/detail", "-"},
		{"POST", "/v2/p/os-server-external-events", "-"},
		{"POST", "/servers", "-"}, // no version: not nova's
		{"POST", "/a/b/c/d/servers", "-"},
		{"POST", "/v2/p/flavors", "-"},
	}
	kinds := map[reqKind]string{kindAPI: "api", kindCreate: "create", kindServerAction: "action"}
	for _, tt := range tests {
		r, ok := ClassifyVM(tt.method, tt.path)
		got := "-"
		if ok {
			got = fmt.Sprintf("%s %s %s %s %s", kinds[r.kind], r.Action, r.ResourceType, r.Resource, r.Project)
		}
		if got != tt.want {
			t.Errorf("ClassifyVM(%s %s) = %q, want %q", tt.method, tt.path, got, tt.want)
		}
	}
}

func TestClassifyGlanceNeutron(t *testing.T) {
	tests := []struct {
		mode, method, path string
		want               string // action type resource, or "-"
	}{
		{"glance", "POST", "/v2/images", "create image "},
		{"glance", "POST", "/v1/images", "create image "},
		{"glance", "PUT", "/v2/images/i1/file", "upload image i1"},
		{"glance", "PATCH", "/v2/images/i1", "update image i1"},
		{"glance", "PUT", "/v1/images/i1", "update image i1"},
		{"glance", "DELETE", "/v2/images/i1", "delete image i1"},
		{"glance", "POST", "/v2/images/i1/actions/deactivate", "deactivate image i1"},
		{"glance", "POST", "/v2/images/i1/actions/reactivate", "reactivate image i1"},
		{"glance", "PUT", "/v2/images/i1/tags/gold", "add-tag image i1"},
		{"glance", "DELETE", "/v2/images/i1/tags/gold", "remove-tag image i1"},
		{"glance", "POST", "/v2/images/i1/members", "add-member image i1"},
		{"glance", "PUT", "/image/v2/images/i1/stage", "stage image i1"},
		{"glance", "POST", "/v2/images/i1/import", "import image i1"},
		{"glance", "GET", "/v2/images/i1", "-"},
		{"glance", "POST", "/v2/schemas/image", "-"},
		{"neutron", "POST", "/v2.0/ports.json", "create port "},
		{"neutron", "PUT", "/v2.0/ports/p1.json", "update port p1"},
		{"neutron", "DELETE", "/v2.0/networks/n1.json", "delete network n1"},
		{"neutron", "POST", "/v2.0/subnets", "create subnet "},
		{"neutron", "POST", "/v2.0/floatingips", "create floatingip "},
		{"neutron", "POST", "/v2.0/security-groups", "create security_group "},
		{"neutron", "DELETE", "/v2.0/security-group-rules/r1", "delete security_group_rule r1"},
		{"neutron", "PUT", "/v2.0/routers/r1/add_router_interface.json", "add-router-interface router r1"},
		{"neutron", "PUT", "/v2.0/routers/r1/remove_router_interface", "remove-router-interface router r1"},
		{"neutron", "PUT", "/v2.0/quotas/p.json", "-"},
		{"neutron", "POST", "/v2.0/tokens", "-"},
		{"neutron", "GET", "/v2.0/ports.json", "-"},
	}
	for _, tt := range tests {
		var r Request
		var ok bool
		if tt.mode == "glance" {
			r, ok = ClassifyGlance(tt.method, tt.path)
		} else {
			r, ok = ClassifyNeutron(tt.method, tt.path)
		}
		got := "-"
		if ok {
			got = fmt.Sprintf("%s %s %s", r.Action, r.ResourceType, r.Resource)
		}
		if got != tt.want {
			t.Errorf("%s %s %s = %q, want %q", tt.mode, tt.method, tt.path, got, tt.want)
		}
	}
}

func TestServerAction(t *testing.T) {
	for key, want := range map[string]string{
		"pause": "pause", "os-start": "start", "os-stop": "stop", "os-migrateLive": "live-migrate",
		"os-getVNCConsole": "console", "os-getSerialConsole": "console", "createImage": "create-image",
		"trigger_crash_dump": "trigger-crash-dump", "live-migrate": "live-migrate", "bad key": "", "": "",
	} {
		if got := ServerAction(key); got != want {
			t.Errorf("ServerAction(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestDebugAction(t *testing.T) {
	tests := []struct {
		msg   string
		extra []string
		want  string
	}{
		// Kilo (os-log-merger debug-live-migration nova-api.log:2202).
		{`Action: 'action', calling method: <bound method AdminActionsController._migrate_live of <nova.api.openstack.compute.contrib.admin_actions.AdminActionsController object at 0x50e61d0>>, body: {"os-migrateLive": {"disk_over_commit": false}} _process_stack /usr/lib/python2.7/site-packages/nova/api/openstack/wsgi.py:934`, nil, "live-migrate"},
		// Havana JSON and XML (os-loganalyze screen-n-api).
		{`Action: 'action', body: {"reboot": {"type": "HARD"}} _process_stack /opt/stack/new/nova/nova/api/openstack/wsgi.py:935`, nil, "reboot"},
		{`Action: 'action', body: {"confirmResize": {}} _process_stack /x.py:935`, nil, "confirm-resize"},
		{`Action: 'action', body: <?xml version="1.0" encoding="UTF-8"?>`, []string{`<createImage name="image235760061"><metadata ><meta key="image_type">test</meta></metadata></createImage> _process_stack /x.py:935`}, "create-image"},
		{`Action: 'action', body: <?xml version="1.0" encoding="UTF-8"?>`, []string{`<reboot xmlns="http://docs.openstack.org/compute/api/v1.1" type="HARD"/> _process_stack /x.py:935`}, "reboot"},
		{`Action: 'action', body: {"os-start": null}`, nil, "start"},
		{`Action: 'action', body: {"os-getVNCConsole": {"type": "novnc"}}`, nil, "console"},
		// The body cut off: the method names it.
		{`Action: 'action', calling method: <bound method ServersController._action_reboot of <…>>, body: {`, nil, "reboot"},
		{`Calling method <bound method Controller._action_rebuild of <nova.api.openstack.compute.servers.Controller object at 0x1>> _process_stack /x.py:936`, nil, "rebuild"},
		{`Calling method <bound method RescueController._rescue of <x>> _process_stack`, nil, "rescue"},
		// Not an action.
		{`Action: 'create', body: {"server": {}} _process_stack`, nil, ""},
		{`Calling method '<bound method Controller.show of <nova.api.openstack.compute.servers.Controller object at 0x477f0d0>>' _process_stack`, nil, ""},
		{`Action: 'action', body: <?xml version="1.0"?>`, nil, ""},
	}
	for _, tt := range tests {
		if got := DebugAction(tt.msg, tt.extra); got != tt.want {
			t.Errorf("DebugAction(%.60q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

func TestRequestMessage(t *testing.T) {
	tests := []struct{ msg, want string }{
		{"Rebooting instance", "reboot compute"},
		{"Pausing", "pause compute"},
		{"Unpausing", "unpause compute"},
		{"Resuming", "resume compute"},
		{"Pausings", "-"},
		{"Going to try to live migrate instance to hp-ms-01-c29.moonshot1.lab.eng.rdu.redhat.com live_migrate /usr/lib/python2.7/site-packages/nova/compute/api.py:3170", "live-migrate debug"},
		{"Post operation of migration started", "live-migrate compute"},
		{"Received Token: abc, {'instance_uuid': u'x'}", "console consoleauth"},
		{"Evacuating instance", "evacuate compute"},
		{"Starting instance...", "-"},
		{"Terminating instance", "-"},
		{"instance snapshotting", "-"},
	}
	for _, tt := range tests {
		act, _, role := RequestMessage(tt.msg)
		got := "-"
		if act != "" {
			got = act + " " + role
		}
		if got != tt.want {
			t.Errorf("RequestMessage(%q) = %q, want %q", tt.msg, got, tt.want)
		}
	}
}

func TestLifecycleEvent(t *testing.T) {
	for msg, want := range map[string]string{
		"VM Paused (Lifecycle Event)":    "Paused",
		"VM Resumed (Lifecycle Event)":   "Resumed",
		"VM Started (Lifecycle Event)":   "Started",
		"VM Stopped (Lifecycle Event)":   "Stopped",
		"VM Suspended (Lifecycle Event)": "Suspended",
		"VM 已开始 (Lifecycle Event)":       "",
		"VM Paused":                      "",
		"Pausing":                        "",
	} {
		if got := LifecycleEvent(msg); got != want {
			t.Errorf("LifecycleEvent(%q) = %q, want %q", msg, got, want)
		}
	}
}

func TestAutomaticMark(t *testing.T) {
	for msg, want := range map[string]bool{
		"During sync_power_state the instance has a pending task (spawning). Skip.":  true,
		"During sync_power_state the instance has a pending task (migrating). Skip.": true,
		"During sync_power_state the instance has a pending task (pausing). Skip.":   false,
		"Took 19.05 seconds to spawn the instance on the hypervisor.":                true,
		"Took a while": false,
		"Migrating instance to hp-ms-01-c30 finished successfully.": true,
		"Terminating instance": true,
		"Instance shutdown by itself. Calling the stop API. Current vm_state: active": true,
		"Pausing":                     false,
		"VM Paused (Lifecycle Event)": false,
	} {
		if got := AutomaticMark(msg); got != want {
			t.Errorf("AutomaticMark(%q) = %v, want %v", msg, got, want)
		}
	}
}
