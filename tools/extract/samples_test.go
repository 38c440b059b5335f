package extract

import (
	"bufio"
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/osdata"
	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// sample is one run over real logs and what it must give.
type sample struct {
	name  string
	mode  string
	files []string // under shared/data/openstack (see internal/osdata)
	// want counts the actions by name; unresolved is how many are unknown.
	want map[string]int64
	// full holds exact records (see full), by their index in the output.
	full map[int]string
}

// The counts below were verified by hand in the shell, apart from this
// code; the commands are given with each sample (run them in shared/data/openstack).
var samples = []sample{{
	// Two live migrations of one VM between two hosts, DEBUG enabled.
	//   grep -cE 'wsgi.server .*"POST [^ ]*/servers/[^/ ]+/action ' …/hp-ms-01-c29/var/log/nova/nova-api.log   → 2
	//   grep -c "Action: 'action'.*os-migrateLive" …/nova-api.log                                              → 2 (lines 2202, 2264)
	// No other mutating request touches a server (the rest are os-server-external-events).
	// The context is "[req-… None]": no user; the project comes from the /v2/{project}/ path.
	name: "os-log-merger/debug-live-migration",
	files: []string{
		"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-api.log",
		"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/nova/nova-compute.log",
		"os-log-merger/debug-live-migration/hp-ms-01-c30/var/log/nova/nova-compute.log",
	},
	want: map[string]int64{"live-migrate": 2},
	full: map[int]string{
		0: "2015-10-29T10:52:54.582Z vm live-migrate(os-migrateLive) server/a18a5824-4215-4e24-bcfc-cb9f89f6bcbd user= project=807a77751fc84631875e6bc15f58e0c7 req=req-5f2adc28-1772-480e-a35c-c12ec08b94d7 nova-api POST /v2/807a77751fc84631875e6bc15f58e0c7/servers/a18a5824-4215-4e24-bcfc-cb9f89f6bcbd/action 202 success 2181.943ms request_id [hp-ms-01-c29/var/log/nova/nova-api.log:2206:access hp-ms-01-c29/var/log/nova/nova-api.log:2202:debug]",
		1: "2015-10-29T10:54:15.928Z vm live-migrate(os-migrateLive) server/a18a5824-4215-4e24-bcfc-cb9f89f6bcbd user= project=807a77751fc84631875e6bc15f58e0c7 req=req-4b3cdd21-f6ba-4b00-be58-07a1414717ea nova-api POST /v2/807a77751fc84631875e6bc15f58e0c7/servers/a18a5824-4215-4e24-bcfc-cb9f89f6bcbd/action 202 success 9898.042ms request_id [hp-ms-01-c29/var/log/nova/nova-api.log:2271:access hp-ms-01-c29/var/log/nova/nova-api.log:2264:debug]",
	},
}, {
	// Nine VMs created through nova-api, built on three compute hosts.
	//   zcat …/nova-api.log-20151113.gz | grep -cE 'wsgi.server .*"POST /v2/[0-9a-f]+/servers HTTP'   → 9
	//   and for each of their request ids, the first "[instance: …]" of that id in the compute logs:
	//   for f in */var/log/nova/nova-compute.log-20151124.gz; do zcat $f | grep -n req-3659683e | grep -m1 -o 'instance: [0-9a-f-]*'; done
	// The other 26 mutating requests are os-server-external-events (neutron's port notifications).
	name: "os-log-merger/debug-router-net-vm-creation",
	files: []string{
		"os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-api.log-20151113.gz",
		"os-log-merger/debug-router-net-vm-creation/controller1/var/log/nova/nova-compute.log-20151124.gz",
		"os-log-merger/debug-router-net-vm-creation/networker2/var/log/nova/nova-compute.log-20151124.gz",
		"os-log-merger/debug-router-net-vm-creation/networker3/var/log/nova/nova-compute.log-20151124.gz",
	},
	want: map[string]int64{"create": 9},
	full: map[int]string{
		0: "2015-11-12T13:14:35.03Z vm create server/f730a1bc-5972-48ab-9ca2-e9f178ca97f0 user=dd3c83640b8542ffa5c781f6b9ca131c project=0c7fe42d8b9f4f7ebcf4cd563078dcb4 req=req-3659683e-40bd-43a5-a7d3-7d909fda70f5 nova-api POST /v2/0c7fe42d8b9f4f7ebcf4cd563078dcb4/servers 202 success 361.108ms api [controller1/var/log/nova/nova-api.log-20151113.gz:92:access controller1/var/log/nova/nova-compute.log-20151124.gz:305:instance]",
		1: "2015-11-12T13:14:40.477Z vm create server/a92d3ba9-27a1-46a6-bee3-3ab77aa0c44a user=dd3c83640b8542ffa5c781f6b9ca131c project=0c7fe42d8b9f4f7ebcf4cd563078dcb4 req=req-9448ed35-eb3d-4236-b313-d0aebe20b77a nova-api POST /v2/0c7fe42d8b9f4f7ebcf4cd563078dcb4/servers 202 success 352.215ms api [controller1/var/log/nova/nova-api.log-20151113.gz:105:access networker2/var/log/nova/nova-compute.log-20151124.gz:299:instance]",
		8: "2015-11-12T13:15:35.152Z vm create server/90df4f2c-a632-4478-8901-394dce10e1fd user=dd3c83640b8542ffa5c781f6b9ca131c project=0c7fe42d8b9f4f7ebcf4cd563078dcb4 req=req-22a1feae-f615-4021-8440-5efbcd223941 nova-api POST /v2/0c7fe42d8b9f4f7ebcf4cd563078dcb4/servers 202 success 478.531ms api [controller1/var/log/nova/nova-api.log-20151113.gz:183:access networker2/var/log/nova/nova-compute.log-20151124.gz:325:instance]",
	},
}, {
	// A tempest run (Havana): nova-api only, DEBUG on, JSON and XML bodies.
	//   grep -cE 'wsgi.server .*"POST /v2/[0-9a-f]+/servers HTTP'                → 16 creates (all 202)
	//   grep -cE 'wsgi.server .*"DELETE /v2/[0-9a-f]+/servers/[^/ ]+ HTTP'       → 17 deletes (16 204, one 404)
	//   grep -cE 'wsgi.server .*"POST /v2/[0-9a-f]+/servers/[^/ ]+/action HTTP'  → 16 server actions
	//   grep -A1 "Action: 'action'" | grep -oE '^<[a-zA-Z]+|body: \{"[a-zA-Z]+' | sort | uniq -c
	//     → createImage 2, reboot 2, rebuild 2, resize 2, confirmResize 2, rescue 4, unrescue 2
	//       (named create-image, confirm-resize)
	// Each create's instance is in nova-api's own DEBUG lines of the request
	// ("nova.compute.api [req-…] [instance: …] block_device_mapping …").
	// The 404 delete is kept: the user asked, the outcome says it failed.
	// Users and projects are names here: devstack logged "[req-… user tenant]".
	name:  "os-loganalyze/screen-n-api",
	files: []string{"os-loganalyze/screen-n-api.txt.gz"},
	want: map[string]int64{"create": 16, "delete": 17, "create-image": 2, "reboot": 2, "rebuild": 2,
		"resize": 2, "confirm-resize": 2, "rescue": 4, "unrescue": 2},
	full: map[int]string{
		0: "2013-09-27T18:23:54.469Z vm create server/73bac72c-5615-42c5-9ac1-bb919f23176a user=ImagesOneServerTestJSON460316505-user project=ImagesOneServerTestJSON121812862-tenant req=req-05857e26-a3a6-4069-b748-0fa5e13ae3a3 nova-api POST /v2/b5fcd490783f48499185886036bc1c99/servers 202 success 714.332ms api [screen-n-api.txt.gz:3391:access screen-n-api.txt.gz:3384:instance]",
	},
}, {
	// Loghub's 2,000 lines of nova-api, nova-compute and nova-scheduler, CRLF.
	//   tr -d '\r' < loghub/OpenStack_2k.log | grep -cE '"POST /v2/[0-9a-f]+/servers HTTP'          → 21
	//   tr -d '\r' < loghub/OpenStack_2k.log | grep -cE '"DELETE /v2/[0-9a-f]+/servers/[^/ ]+ HTTP' → 22
	// No /action: the 109 lifecycle events are the boots' and deletions' own.
	// Each create's instance is the first "[instance: …]" of its request id
	// (nova-compute's claims lines), checked for all 21 with grep.
	name:  "loghub/OpenStack_2k",
	files: []string{"loghub/OpenStack_2k.log"},
	want:  map[string]int64{"create": 21, "delete": 22},
	full: map[int]string{
		0: "2017-05-16T00:00:17.504Z vm delete server/b9000564-fe1a-409b-b8cc-1e88b294cd1d user=113d3a99c3da401fbd62cc2caa5b96d2 project=54fadb412c4e40cdbaed9335e4c35a9e req=req-c53a921a-16c7-422e-8c9d-c922a720d047 nova-api DELETE /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/b9000564-fe1a-409b-b8cc-1e88b294cd1d 204 success 253.438ms api [OpenStack_2k.log:45:access]",
		1: "2017-05-16T00:00:30.788Z vm create server/96abccce-8d1f-4e07-b6d1-4b2ab87e23b4 user=113d3a99c3da401fbd62cc2caa5b96d2 project=54fadb412c4e40cdbaed9335e4c35a9e req=req-6a763803-4838-49c7-814e-eaefbaddee9d nova-api POST /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers 202 success 668.614ms api [OpenStack_2k.log:62:access OpenStack_2k.log:64:instance]",
	},
}, {
	// The same 2,000 lines with LF endings.
	name:  "loghub-2.0/OpenStack_2k",
	files: []string{"loghub-2.0/OpenStack_2k.log"},
	want:  map[string]int64{"create": 21, "delete": 22},
}, {
	// An Ubuntu compute node with DEBUG on, and no VM operation at all:
	//   zcat hotsos/nova-compute.log.1.gz | grep -cE '"(POST|PUT|PATCH|DELETE) '   → 0
	name:  "hotsos",
	files: []string{"hotsos/nova-compute.log.1.gz"},
	want:  map[string]int64{},
}, {
	// neutron-server during the live migrations: nova updating the VM's port twice.
	//   grep -cE 'neutron.wsgi .*"(POST|PUT|DELETE) ' …/hp-ms-01-c29/var/log/neutron/server.log  → 2 (both PUT /v2.0/ports/{id}.json)
	name:  "os-log-merger/debug-live-migration neutron",
	mode:  action.ModeNeutron,
	files: []string{"os-log-merger/debug-live-migration/hp-ms-01-c29/var/log/neutron/server.log"},
	want:  map[string]int64{"update": 2},
	full: map[int]string{
		0: "2015-10-29T10:53:19.188Z neutron update port/2e6d0f35-cb87-4175-9d6f-c76ba1c75cc8 user= project= req=req-d8a158d2-433d-43c5-87fc-42d3266677bb neutron-server PUT /v2.0/ports/2e6d0f35-cb87-4175-9d6f-c76ba1c75cc8.json 200 success 1398.919ms api [server.log:2223:access]",
	},
}, {
	// neutron-server while the networks, routers and VMs were made.
	//   zcat …/server.log-20151124.gz | grep -E 'neutron.wsgi .*"(POST|PUT|DELETE) ' | grep -oE '"(POST|PUT|DELETE) [^ ]+' | sed -E 's/[0-9a-f-]{36}/ID/' | sort | uniq -c
	//     → POST networks 20, subnets 12, routers 10, ports 9 (51 creates); PUT routers/ID 10 (update);
	//       PUT routers/ID/add_router_interface 10; DELETE networks/ID 9; PUT quotas/… 2 (not extracted)
	name:  "os-log-merger/debug-router-net-vm-creation neutron",
	mode:  action.ModeNeutron,
	files: []string{"os-log-merger/debug-router-net-vm-creation/controller1/var/log/neutron/server.log-20151124.gz"},
	want:  map[string]int64{"create": 51, "update": 10, "add-router-interface": 10, "delete": 9},
	full: map[int]string{
		0: "2015-11-12T12:51:39.97Z neutron create network/ user= project= req=req-bfb82287-b4c6-4431-bc71-7e571e7f6c89 neutron-server POST /v2.0/networks.json 201 success 350.016ms api [server.log-20151124.gz:99:access]",
	},
}, {
	// Havana's q-svc logs no access line (eventlet.wsgi.server=WARN, see its
	// default_log_levels): only "routes.middleware [-] Matched POST
	// /networks.json" DEBUG lines, with no request id, user or status. They
	// are not read, so nothing comes out.
	name:  "os-loganalyze/screen-q-svc",
	mode:  action.ModeNeutron,
	files: []string{"os-loganalyze/screen-q-svc.txt.gz"},
	want:  map[string]int64{},
}}

// full formats every field of an action, evidence sources relative to the
// sample's folder.
func full(a action.Action, trim string) string {
	var ev []string
	for _, e := range a.Evidence {
		ev = append(ev, fmt.Sprintf("%s:%d:%s", strings.TrimPrefix(e.Source, trim), e.Line, e.Role))
	}
	act := a.Action
	if a.APIAction != "" {
		act += "(" + a.APIAction + ")"
	}
	return fmt.Sprintf("%s %s %s %s/%s user=%s project=%s req=%s %s %s %s %d %s %.3fms %s %v",
		a.Time.UTC().Format(time.RFC3339Nano), a.Mode, act, a.ResourceType, a.Resource, a.UserID, a.ProjectID,
		a.RequestID, a.Service, a.Method, a.Path, a.Status, a.Outcome, a.DurationMS, a.Match, ev)
}

func sampleFiles(t *testing.T, files []string) []string {
	t.Helper()
	var out []string
	for _, f := range files {
		out = append(out, osdata.Path(t, f))
	}
	return out
}

// commonDir is the longest directory prefix of the files, with its slash.
func commonDir(files []string) string {
	d := filepath.Dir(files[0])
	for _, f := range files[1:] {
		for !strings.HasPrefix(f, d+"/") {
			d = filepath.Dir(d)
		}
	}
	// Keep the host folder in the name when the files differ there.
	if len(files) > 1 && strings.Count(d, "/") > 0 {
		for _, f := range files {
			rest := strings.TrimPrefix(f, d+"/")
			if !strings.Contains(rest, "/") {
				return d + "/"
			}
		}
	}
	return d + "/"
}

func TestSamples(t *testing.T) {
	for _, s := range samples {
		t.Run(s.name, func(t *testing.T) {
			files := sampleFiles(t, s.files)
			var got []action.Action
			st, err := Run(context.Background(), files, Options{Mode: s.mode, IncludeDelete: true},
				func(a action.Action) error { got = append(got, a); return nil })
			if err != nil {
				t.Fatal(err)
			}
			if !maps.Equal(st.Actions, s.want) {
				t.Errorf("actions %v, want %v", st.Actions, s.want)
			}
			if st.Unresolved != 0 {
				t.Errorf("%d unresolved", st.Unresolved)
			}
			trim := commonDir(files)
			for _, i := range slices.Sorted(maps.Keys(s.full)) {
				if i >= len(got) {
					t.Errorf("record %d: only %d", i, len(got))
					continue
				}
				if g := full(got[i], trim); g != s.full[i] {
					t.Errorf("record %d: -want +got\n-%s\n+%s", i, s.full[i], g)
				}
			}
			// Every action is in time order and each file was read to its end.
			for i := 1; i < len(got); i++ {
				if got[i].Time.Before(got[i-1].Time) {
					t.Errorf("record %d at %v before %v", i, got[i].Time, got[i-1].Time)
				}
			}
			for _, f := range files {
				if st.Checkpoints[f].Line == 0 {
					t.Errorf("no checkpoint for %s", f)
				}
			}
		})
	}
}

// TestSampleWithoutDebug reads the live migrations as an operator with
// DEBUG off would have them, and as the seed script did: the API's INFO
// lines and, first, the compute logs' INFO lines, then only the lifecycle
// lines that the upstream author grepped into vmlife.log.
//
// With compute's INFO lines, "Post operation of migration started" under
// the same request id names both migrations. With lifecycle events only,
// the window of each migration holds the migration's own, automatic
// events: Started and Resumed on the destination, Paused and Stopped on the
// source. A script that
// reads "VM Paused" as a pause would report a user pause here; the
// extractor finds no single action in them and says unknown.
func TestSampleWithoutDebug(t *testing.T) {
	base := "os-log-merger/debug-live-migration/"
	files := sampleFiles(t, []string{
		base + "hp-ms-01-c29/var/log/nova/nova-api.log",
		base + "hp-ms-01-c29/var/log/nova/nova-compute.log",
		base + "hp-ms-01-c30/var/log/nova/nova-compute.log",
		base + "hp-ms-01-c29/var/log/nova/vmlife.log",
		base + "hp-ms-01-c30/var/log/nova/vmlife.log",
	})
	dir := t.TempDir()
	infoOnly := func(src, name string) string {
		in, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		sc := bufio.NewScanner(strings.NewReader(string(in)))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			if strings.Contains(sc.Text(), " INFO ") {
				out.WriteString(sc.Text() + "\n")
			}
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	api := infoOnly(files[0], "nova-api.log")
	run := func(names ...string) []string {
		var got []string
		_, err := Run(context.Background(), names, Options{}, func(a action.Action) error {
			got = append(got, fmt.Sprintf("%s %s %s", a.Time.Format("15:04:05.000"), a.Action, a.Match))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	got := run(api, infoOnly(files[1], "c29-compute.log"), infoOnly(files[2], "c30-compute.log"))
	want := []string{"10:52:54.582 live-migrate request_id", "10:54:15.928 live-migrate request_id"}
	if !slices.Equal(got, want) {
		t.Errorf("INFO lines: got %q, want %q", got, want)
	}
	want = []string{"10:52:54.582 unknown unresolved", "10:54:15.928 unknown unresolved"}
	for _, vmlife := range [][]string{{files[3]}, {files[4]}, {files[3], files[4]}} {
		got = run(append([]string{api}, vmlife...)...)
		if !slices.Equal(got, want) {
			t.Errorf("lifecycle lines of %v only: got %q, want %q", vmlife, got, want)
		}
	}
}
