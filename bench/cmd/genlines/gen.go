package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/auditlog"
)

// start is the fake clock's first reading: every file begins here.
var start = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// stats describe what generate wrote.
type stats struct {
	lines  int
	bytes  int64
	levels [5]int // DEBUG, INFO, WARNING, ERROR, CRITICAL
}

// levelsLine is the summary's line of how the lines spread over the levels.
func (s *stats) levelsLine() string {
	var b strings.Builder
	b.WriteString("levels:")
	for i, name := range []string{"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"} {
		if s.lines > 0 {
			fmt.Fprintf(&b, " %s %.2f%%", name, 100*float64(s.levels[i])/float64(s.lines))
		}
	}
	return b.String()
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// service is one process writing lines: its own handler, and so its own
// service name and sequence.
type service struct {
	name string
	h    *auditlog.Handler
}

// server is an instance the generated users act on.
type server struct{ id, name string }

// generator holds the state of one run. Everything it writes is a function
// of the seed: the clock, the ids, the choices.
type generator struct {
	rng *rand.Rand
	now time.Time
	n   int
	st  stats
	err error

	api, compute, glance, neutron *service

	users   []auditlog.User
	servers []server
	images  []string
	hosts   []string
	agents  []string
}

// generate writes n lines made from seed to w.
func generate(w io.Writer, n int, seed uint64) (stats, error) {
	cw := &countingWriter{w: w}
	g := &generator{
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		now: start,
		n:   n,
	}
	newService := func(name string) *service {
		return &service{name: name, h: auditlog.NewHandler(cw, &auditlog.Options{
			Service:  name,
			Level:    slog.LevelDebug,
			Sequence: new(auditlog.Sequence),
			Now:      func() time.Time { return g.now },
		})}
	}
	g.api = newService("nova-api")
	g.compute = newService("nova-compute")
	g.glance = newService("glance-api")
	g.neutron = newService("neutron-server")
	g.populate()

	for g.st.lines < n && g.err == nil {
		g.episode()
	}
	g.st.bytes = cw.n
	return g.st, g.err
}

// emit advances the clock and writes e, until n lines are out.
func (g *generator) emit(s *service, ctx context.Context, e *auditlog.Event) {
	if g.st.lines >= g.n || g.err != nil {
		return
	}
	g.now = g.now.Add(time.Duration(200+g.rng.IntN(4000)) * time.Microsecond)
	if err := s.h.LogEvent(ctx, e); err != nil {
		g.err = err
		return
	}
	g.st.lines++
	switch {
	case e.Level >= auditlog.LevelCritical:
		g.st.levels[4]++
	case e.Level >= slog.LevelError:
		g.st.levels[3]++
	case e.Level >= slog.LevelWarn:
		g.st.levels[2]++
	case e.Level >= slog.LevelInfo:
		g.st.levels[1]++
	default:
		g.st.levels[0]++
	}
}

// episode writes the lines of one unit of work, chosen by weight.
func (g *generator) episode() {
	switch r := g.rng.IntN(100); {
	case r < 62:
		for range 1 + g.rng.IntN(9) {
			g.computePeriodic()
		}
	case r < 72:
		g.novaServerAction()
	case r < 77:
		g.novaGet()
	case r < 79:
		g.novaCreate()
	case r < 81:
		g.novaDelete()
	case r < 87:
		g.computeBuild()
	case r < 94:
		g.glanceImage()
	default:
		g.neutronPort()
	}
}

// --- random values --------------------------------------------------------

const hexDigits = "0123456789abcdef"

func (g *generator) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = hexDigits[g.rng.IntN(16)]
	}
	return string(b)
}

// uuid returns a version-4-shaped uuid.
func (g *generator) uuid() string {
	h := g.hex(32)
	return h[:8] + "-" + h[8:12] + "-4" + h[13:16] + "-" + string("89ab"[g.rng.IntN(4)]) + h[17:20] + "-" + h[20:]
}

func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

func pick[T any](g *generator, s []T) T { return s[g.rng.IntN(len(s))] }

// dur returns a duration between lo and hi milliseconds, log-uniform, to the
// nanosecond, as real timings are, and never under the microsecond no timed
// call beats. (Below 0.0001 ms jq would print an exponent: 5.1e-05.)
func (g *generator) dur(lo, hi float64) time.Duration {
	ms := math.Exp(math.Log(lo) + g.rng.Float64()*(math.Log(hi)-math.Log(lo)))
	return max(time.Duration(ms*1e6), time.Microsecond)
}

func (g *generator) addr() string {
	return fmt.Sprintf("10.%d.%d.%d:%d", g.rng.IntN(4), g.rng.IntN(256), 1+g.rng.IntN(254), 32768+g.rng.IntN(28000))
}

// --- the cast -------------------------------------------------------------

var (
	userNames = []string{"alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy",
		"mallory", "oscar", "peggy", "trent", "victor", "walter", "admin", "demo", "ci-runner", "terraform"}
	serverNames = []string{"web-%02d", "db-primary-%d", "worker-%03d", "k8s-node-%02d", "bastion-%d",
		"测试服务器-%02d", "ウェブサーバー-%d", "serveur-été-%d", "сервер-бд-%d", "build\tagent-%d", "Ünïcödé-vm-%d"}
	userAgents = []string{"python-novaclient", "openstacksdk/3.3.0", "python-openstackclient", "Terraform/1.9.5", "gophercloud/2.1.1"}
	roleSets   = [][]string{{"member", "reader"}, {"admin"}, nil, nil, nil, nil}
)

func (g *generator) populate() {
	projects := make([]string, 12)
	for i := range projects {
		projects[i] = g.hex(32)
	}
	for _, name := range userNames {
		g.users = append(g.users, auditlog.User{
			ID: g.hex(32), Name: name, ProjectID: pick(g, projects), Roles: pick(g, roleSets),
		})
	}
	for i := range 3000 {
		g.servers = append(g.servers, server{id: g.uuid(), name: fmt.Sprintf(pick(g, serverNames), i%97)})
	}
	for range 200 {
		g.images = append(g.images, g.uuid())
	}
	for i := range 24 {
		g.hosts = append(g.hosts, fmt.Sprintf("compute-%d", i+1))
	}
	for range 6 {
		g.agents = append(g.agents, g.uuid())
	}
}

// request returns the ctx of an API request by a random user.
func (g *generator) request() (context.Context, auditlog.User) {
	u := pick(g, g.users)
	r := auditlog.Request{ID: "req-" + g.uuid(), User: u, RemoteAddr: g.addr(), UserAgent: pick(g, userAgents)}
	if g.chance(0.1) {
		r.GlobalID = "req-" + g.uuid()
	}
	return auditlog.NewContext(context.Background(), r), u
}

// downstream returns the ctx another service logs a request's work with:
// the same ids and user, as oslo.context carries them over RPC.
func downstream(ctx context.Context) context.Context {
	r, _ := auditlog.FromContext(ctx)
	return auditlog.NewContext(context.Background(), auditlog.Request{ID: r.ID, GlobalID: r.GlobalID, User: r.User})
}

// --- line helpers ---------------------------------------------------------

func (g *generator) httpRequest(s *service, ctx context.Context, method, route, path, action string, target auditlog.Target, status int, took time.Duration, err error, attrs ...slog.Attr) {
	e := &auditlog.Event{
		Kind: auditlog.KindRequest, Level: slog.LevelInfo, Message: method + " " + path,
		Action: action, Target: target, Status: auditlog.Int(int64(status)), Outcome: auditlog.OutcomeSuccess,
		Duration: took, Err: err, NoCallerStack: true, Attrs: attrs,
		RPC: auditlog.RPC{System: "http", Method: method, Route: route, ResponseBytes: auditlog.Int(int64(g.rng.IntN(1800)))},
	}
	switch {
	case status >= 500:
		e.Level, e.Outcome = slog.LevelError, auditlog.OutcomeFailure
	case status >= 400:
		e.Level, e.Outcome = slog.LevelWarn, auditlog.OutcomeFailure
	}
	if status == 204 {
		e.RPC.ResponseBytes = auditlog.Int(0)
	}
	g.emit(s, ctx, e)
}

func (g *generator) db(s *service, ctx context.Context, db, op, stmt string, rows int, tx string) {
	e := &auditlog.Event{
		Kind: auditlog.KindDB, Level: slog.LevelDebug, Message: op, Outcome: auditlog.OutcomeSuccess,
		Duration: g.dur(0.04, 40),
		RPC:      auditlog.RPC{System: "mysql", Service: db, Method: op, Statement: stmt, TransactionID: tx},
	}
	if rows >= 0 {
		e.RPC.RowsAffected = auditlog.Int(int64(rows))
	}
	g.emit(s, ctx, e)
}

// grpcCall writes the client's line of an outbound gRPC call.
func (g *generator) grpcCall(s *service, ctx context.Context, svc, method, peer string, code int, err error) {
	e := &auditlog.Event{
		Kind: auditlog.KindRPC, Level: slog.LevelInfo, Message: svc + "/" + method,
		Status: auditlog.Int(int64(code)), Outcome: auditlog.OutcomeSuccess, Duration: g.dur(0.3, 900),
		RPC: auditlog.RPC{System: "grpc", Service: svc, Method: method, Peer: peer},
		Err: err, NoCallerStack: true,
	}
	if code != 0 {
		e.Level, e.Outcome = slog.LevelWarn, auditlog.OutcomeFailure
	}
	g.emit(s, ctx, e)
}

func (g *generator) log(s *service, ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	g.emit(s, ctx, &auditlog.Event{Level: level, Message: msg, Attrs: attrs})
}

// --- nova-api -------------------------------------------------------------

var serverActions = []struct{ action, body string }{
	{"pause", `{"pause": null}`},
	{"unpause", `{"unpause": null}`},
	{"suspend", `{"suspend": null}`},
	{"resume", `{"resume": null}`},
	{"reboot", `{"reboot": {"type": "SOFT"}}`},
	{"reboot", `{"reboot": {"type": "HARD"}}`},
	{"start", `{"os-start": null}`},
	{"stop", `{"os-stop": null}`},
	{"resize", `{"resize": {"flavorRef": "3", "OS-DCF:diskConfig": "AUTO"}}`},
	{"confirm-resize", `{"confirmResize": null}`},
	{"create-image", `{"createImage": {"name": "nightly-snapshot", "metadata": {"backup": "true"}}}`},
	{"add-security-group", `{"addSecurityGroup": {"name": "web"}}`},
	{"get-console-output", `{"os-getConsoleOutput": {"length": 50}}`},
}

const selectInstance = "SELECT instances.uuid, instances.vm_state, instances.host FROM instances WHERE instances.uuid = %s AND instances.deleted = %s"

func (g *generator) novaServerAction() {
	ctx, _ := g.request()
	srv := pick(g, g.servers)
	act := pick(g, serverActions)
	path := "/v2.1/servers/" + srv.id + "/action"
	target := auditlog.Target{Type: "server", ID: srv.id}
	if g.chance(0.35) {
		g.log(g.api, ctx, slog.LevelDebug, "Action: 'action', calling method: ServersController._action_"+act.action,
			slog.String("body", act.body))
	}
	if g.chance(0.3) {
		g.db(g.api, ctx, "nova", "query", selectInstance, -1, "")
	}
	if g.chance(0.06) {
		err := &invalidStateError{id: srv.id, action: act.action, state: pick(g, []string{"paused", "stopped", "building", "error"})}
		g.httpRequest(g.api, ctx, "POST", "/v2.1/servers/{id}/action", path, act.action, target, 409, g.dur(5, 80), err)
		return
	}
	code := 0
	var err error
	if g.chance(0.02) {
		code, err = 14, errors.New("rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while dialing: dial tcp 10.0.3.17:50051: connect: connection refused\"")
	}
	g.grpcCall(g.api, ctx, "nova.compute.v1.Compute", "InstanceAction", pick(g, g.hosts)+":50051", code, err)
	if code != 0 {
		g.httpRequest(g.api, ctx, "POST", "/v2.1/servers/{id}/action", path, act.action, target, 503, g.dur(50, 3000), err)
		return
	}
	g.httpRequest(g.api, ctx, "POST", "/v2.1/servers/{id}/action", path, act.action, target, 202, g.dur(8, 400), nil)
	if g.chance(0.4) {
		g.emit(g.compute, downstream(ctx), &auditlog.Event{
			Kind: auditlog.KindLifecycle, Level: slog.LevelInfo, Message: "Instance " + act.action + " complete",
			Action: act.action, Target: auditlog.Target{Type: "server", ID: srv.id, Name: srv.name},
			Outcome: auditlog.OutcomeSuccess,
		})
	}
}

func (g *generator) novaGet() {
	ctx, _ := g.request()
	if g.chance(0.3) {
		g.db(g.api, ctx, "nova", "query", "SELECT instances.uuid, instances.display_name, instances.vm_state, instances.task_state, instances.power_state, instances.host, instances.launched_at FROM instances WHERE instances.project_id = %s AND instances.deleted = %s ORDER BY instances.created_at DESC, instances.id DESC LIMIT %s", -1, "")
		g.httpRequest(g.api, ctx, "GET", "/v2.1/servers/detail", "/v2.1/servers/detail", "list",
			auditlog.Target{Type: "server"}, 200, g.dur(20, 1500), nil)
		return
	}
	srv := pick(g, g.servers)
	if g.chance(0.3) {
		g.db(g.api, ctx, "nova", "query", selectInstance, -1, "")
	}
	target := auditlog.Target{Type: "server", ID: srv.id}
	if g.chance(0.05) {
		err := fmt.Errorf("Instance %s could not be found.", srv.id)
		g.httpRequest(g.api, ctx, "GET", "/v2.1/servers/{id}", "/v2.1/servers/"+srv.id, "read", target, 404, g.dur(3, 40), err)
		return
	}
	g.httpRequest(g.api, ctx, "GET", "/v2.1/servers/{id}", "/v2.1/servers/"+srv.id, "read", target, 200, g.dur(4, 120), nil)
}

func (g *generator) novaCreate() {
	ctx, _ := g.request()
	srv := pick(g, g.servers)
	body := fmt.Sprintf(`{"server": {"name": %s, "imageRef": "%s", "flavorRef": "%d", "networks": [{"uuid": "%s"}], "metadata": {"owner": %s, "tier": "web"}%s}}`,
		jsonString(srv.name, g.chance(0.5)), pick(g, g.images), 1+g.rng.IntN(6), g.uuid(),
		jsonString(pick(g, userNames), false), adminPass(g))
	g.log(g.api, ctx, slog.LevelDebug, "Action: 'create', calling method: ServersController.create", slog.String("body", body))
	tx := "tx-" + g.hex(12)
	g.db(g.api, ctx, "nova", "begin", "", -1, tx)
	g.db(g.api, ctx, "nova", "exec", "INSERT INTO instances (created_at, uuid, display_name, project_id, user_id, image_ref, vm_state, task_state) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)", 1, tx)
	g.db(g.api, ctx, "nova", "commit", "", -1, tx)
	g.grpcCall(g.api, ctx, "nova.conductor.v1.ComputeTask", "ScheduleAndBuildInstances", "nova-conductor:50051", 0, nil)
	g.log(g.api, ctx, slog.LevelInfo, "Creating server "+strconv.Quote(srv.name)+" from image "+pick(g, g.images))
	g.httpRequest(g.api, ctx, "POST", "/v2.1/servers", "/v2.1/servers", "create",
		auditlog.Target{Type: "server", ID: srv.id, Name: srv.name}, 202, g.dur(40, 2500), nil)
}

func adminPass(g *generator) string {
	if g.chance(0.1) {
		return `, "adminPass": "` + g.hex(12) + `"`
	}
	return ""
}

func (g *generator) novaDelete() {
	ctx, _ := g.request()
	srv := pick(g, g.servers)
	target := auditlog.Target{Type: "server", ID: srv.id}
	g.db(g.api, ctx, "nova", "query", selectInstance, -1, "")
	if g.chance(0.04) {
		err := &auditlog.PanicError{Value: errors.New("assignment to entry in nil map"), Stack: []byte(stack(g, apiFrames))}
		g.emit(g.api, ctx, &auditlog.Event{
			Kind: auditlog.KindException, Level: auditlog.LevelCritical, Message: "panic serving DELETE /v2.1/servers/{id}",
			Action: "delete", Target: target, Err: err,
			RPC: auditlog.RPC{System: "http", Method: "DELETE", Route: "/v2.1/servers/{id}"},
		})
		g.httpRequest(g.api, ctx, "DELETE", "/v2.1/servers/{id}", "/v2.1/servers/"+srv.id, "delete", target, 500, g.dur(2, 30), nil)
		return
	}
	g.db(g.api, ctx, "nova", "exec", "UPDATE instances SET updated_at=%s, task_state=%s WHERE instances.uuid = %s AND instances.deleted = %s", 1, "")
	g.grpcCall(g.api, ctx, "nova.compute.v1.Compute", "TerminateInstance", pick(g, g.hosts)+":50051", 0, nil)
	g.httpRequest(g.api, ctx, "DELETE", "/v2.1/servers/{id}", "/v2.1/servers/"+srv.id, "delete", target, 204, g.dur(15, 600), nil)
}

// --- nova-compute ---------------------------------------------------------

var periodicTasks = []string{
	"ComputeManager._poll_rebooting_instances", "ComputeManager._heal_instance_info_cache",
	"ComputeManager._poll_volume_usage", "ComputeManager._instance_usage_audit",
	"ComputeManager._reclaim_queued_deletes", "ComputeManager.update_available_resource",
	"ComputeManager._sync_power_states", "ComputeManager._check_instance_build_time",
}

func (g *generator) computePeriodic() {
	ctx := context.Background()
	host := pick(g, g.hosts)
	switch r := g.rng.IntN(1000); {
	case r < 440:
		g.log(g.compute, ctx, slog.LevelDebug, "Running periodic task "+pick(g, periodicTasks))
	case r < 590:
		g.log(g.compute, ctx, slog.LevelDebug, "Lock \"compute_resources\" acquired by \"nova.compute.resource_tracker.ResourceTracker._update_available_resource\" :: waited 0.000s")
		g.log(g.compute, ctx, slog.LevelInfo, "Auditing locally available compute resources for "+host+" (node: "+host+".cloud.example.org)")
	case r < 710:
		g.log(g.compute, ctx, slog.LevelDebug, fmt.Sprintf("Final resource view: name=%s phys_ram=257655MB used_ram=%dMB phys_disk=1787GB used_disk=%dGB total_vcpus=64 used_vcpus=%d pci_stats=[]",
			host, 512*(1+g.rng.IntN(400)), 20*g.rng.IntN(80), g.rng.IntN(64)))
	case r < 810:
		g.log(g.compute, ctx, slog.LevelDebug, "Skipping network cache update for instance because it is Building.",
			slog.String("instance", pick(g, g.servers).id))
	case r < 890:
		g.log(g.compute, ctx, slog.LevelInfo, fmt.Sprintf("Compute node record updated for %s:%s.cloud.example.org", host, host))
	case r < 910:
		g.emit(g.compute, ctx, &auditlog.Event{
			Level: slog.LevelError, Message: "Error updating resources for node " + host + ".",
			Err: fmt.Errorf("update available resource: %w", &auditlog.PanicError{
				Value: errors.New("libvirtError: Failed to connect socket to '/var/run/libvirt/virtqemud-sock': Connection refused"),
				Stack: []byte(stack(g, periodicFrames)),
			}),
		})
	case r < 960:
		g.log(g.compute, ctx, slog.LevelWarn, "Unable to refresh network info cache:\n\tconnection reset by peer; retrying in 2s",
			slog.String("host", host))
	default:
		g.log(g.compute, ctx, slog.LevelWarn, `Ignoring image property os_path=C:\Program Files\Cloudbase Solutions\Cloudbase-Init: not a POSIX path`)
	}
}

func (g *generator) computeBuild() {
	api, _ := g.request()
	ctx := downstream(api)
	srv := pick(g, g.servers)
	host := pick(g, g.hosts)
	target := auditlog.Target{Type: "server", ID: srv.id, Name: srv.name}
	g.emit(g.compute, ctx, &auditlog.Event{
		Kind: auditlog.KindRequest, Level: slog.LevelInfo, Message: "nova.compute.v1.Compute/BuildAndRunInstance",
		Status: auditlog.Int(0), Outcome: auditlog.OutcomeSuccess, Duration: g.dur(2, 40),
		RPC: auditlog.RPC{System: "grpc", Service: "nova.compute.v1.Compute", Method: "BuildAndRunInstance"},
	})
	g.log(g.compute, ctx, slog.LevelDebug, "Lock \"compute_resources\" acquired by \"nova.compute.resource_tracker.ResourceTracker.instance_claim\" :: waited 0.000s")
	g.log(g.compute, ctx, slog.LevelInfo, fmt.Sprintf("Attempting claim on node %s: memory %d MB, disk %d GB, vcpus %d CPU",
		host, 1024<<g.rng.IntN(5), 20*(1+g.rng.IntN(8)), 1<<g.rng.IntN(4)))
	g.log(g.compute, ctx, slog.LevelInfo, "Claim successful on node "+host)
	g.log(g.compute, ctx, slog.LevelDebug, "Lock \"compute_resources\" released by \"nova.compute.resource_tracker.ResourceTracker.instance_claim\" :: held 0.021s")
	g.log(g.compute, ctx, slog.LevelDebug, "Start building networks asynchronously for instance.")
	g.emit(g.compute, ctx, &auditlog.Event{
		Kind: auditlog.KindRPC, Level: slog.LevelInfo, Message: "POST /v2.0/ports",
		Status: auditlog.Int(201), Outcome: auditlog.OutcomeSuccess, Duration: g.dur(30, 900),
		RPC: auditlog.RPC{System: "http", Method: "POST", Route: "/v2.0/ports", Peer: "neutron-server:9696"},
	})
	if g.chance(0.12) {
		g.log(g.compute, ctx, slog.LevelWarn, fmt.Sprintf("Timed out waiting for network-vif-plugged-%s for instance with vm_state building and task_state spawning.", g.uuid()),
			slog.String("instance", srv.id))
	}
	if g.chance(0.06) {
		err := fmt.Errorf("build of instance %s aborted: %w", srv.id, &auditlog.PanicError{
			Value: errors.New("libvirtError: internal error: qemu unexpectedly closed the monitor: Could not open '/var/lib/nova/instances/" + srv.id + "/disk': Permission denied"),
			Stack: []byte(stack(g, computeFrames)),
		})
		g.emit(g.compute, ctx, &auditlog.Event{
			Kind: auditlog.KindLifecycle, Level: slog.LevelError, Message: "Instance failed to spawn",
			Action: "create", Target: target, Outcome: auditlog.OutcomeFailure, Err: err,
		})
		return
	}
	if g.chance(0.5) {
		g.log(g.compute, ctx, slog.LevelDebug, "Instance network_info updated", slog.String("network_info", g.networkInfo()))
	}
	g.emit(g.compute, ctx, &auditlog.Event{
		Kind: auditlog.KindLifecycle, Level: slog.LevelInfo, Message: "VM Started (Lifecycle Event)",
		Action: "start", Target: target, Outcome: auditlog.OutcomeSuccess,
	})
	g.log(g.compute, ctx, slog.LevelInfo, fmt.Sprintf("Took %.2f seconds to spawn the instance on the hypervisor.", 3+20*g.rng.Float64()))
	g.log(g.compute, ctx, slog.LevelInfo, fmt.Sprintf("Took %.2f seconds to build instance.", 4+25*g.rng.Float64()))
}

// networkInfo is a Python repr of a port, as nova logs network_info.
func (g *generator) networkInfo() string {
	return fmt.Sprintf("[{'id': '%s', 'address': 'fa:16:3e:%s:%s:%s', 'network': {'id': '%s', 'bridge': 'br-int', 'label': u'private', 'subnets': [{'cidr': u'10.0.0.0/24', 'ips': [{'address': u'10.0.0.%d', 'type': u'fixed', 'floating_ips': []}]}]}, 'type': u'ovs', 'active': %s, 'vnic_type': u'normal', 'profile': {}, 'preserve_on_delete': False, 'meta': {}}]",
		g.uuid(), g.hex(2), g.hex(2), g.hex(2), g.uuid(), 2+g.rng.IntN(250), pick(g, []string{"True", "False"}))
}

// --- glance-api -----------------------------------------------------------

func (g *generator) glanceImage() {
	ctx, _ := g.request()
	img := pick(g, g.images)
	target := auditlog.Target{Type: "image", ID: img}
	switch r := g.rng.IntN(100); {
	case r < 55:
		g.db(g.glance, ctx, "glance", "query", "SELECT images.id, images.name, images.size, images.status, images.visibility FROM images WHERE images.id = %s", -1, "")
		g.httpRequest(g.glance, ctx, "GET", "/v2/images/{image_id}", "/v2/images/"+img, "read", target, 200, g.dur(3, 80), nil)
	case r < 75:
		g.httpRequest(g.glance, ctx, "GET", "/v2/images", "/v2/images", "list", auditlog.Target{Type: "image"}, 200, g.dur(10, 400), nil)
	case r < 88:
		body := fmt.Sprintf(`{"name": %s, "container_format": "bare", "disk_format": "qcow2", "visibility": "private", "min_disk": %d, "os_distro": "ubuntu"}`,
			jsonString(fmt.Sprintf(pick(g, serverNames), g.rng.IntN(9)), g.chance(0.5)), 10*g.rng.IntN(5))
		g.log(g.glance, ctx, slog.LevelDebug, "Creating image", slog.String("body", body))
		g.httpRequest(g.glance, ctx, "POST", "/v2/images", "/v2/images", "create", target, 201, g.dur(10, 300), nil)
	default:
		size := int64(1+g.rng.IntN(40)) << 28
		g.httpRequest(g.glance, ctx, "PUT", "/v2/images/{image_id}/file", "/v2/images/"+img+"/file", "upload", target, 204, g.dur(2000, 90000), nil,
			slog.Int64("size", size))
		g.log(g.glance, ctx, slog.LevelInfo, fmt.Sprintf("Image %s upload complete; checksum and os_hash_value set", img))
	}
}

// --- neutron-server -------------------------------------------------------

func (g *generator) neutronPort() {
	ctx, _ := g.request()
	port := g.uuid()
	target := auditlog.Target{Type: "port", ID: port}
	switch r := g.rng.IntN(100); {
	case r < 40:
		dev := pick(g, g.servers).id
		g.db(g.neutron, ctx, "neutron", "query", "SELECT ports.id, ports.mac_address, ports.device_id, ports.status FROM ports WHERE ports.device_id IN (%s)", -1, "")
		g.httpRequest(g.neutron, ctx, "GET", "/v2.0/ports", "/v2.0/ports?device_id="+dev, "list", auditlog.Target{Type: "port"}, 200, g.dur(5, 200), nil)
	case r < 65:
		g.log(g.neutron, ctx, slog.LevelDebug, "Port "+port+" updated.", slog.String("details", g.portRepr(port)))
		agent := pick(g, g.agents)
		code := 0
		var err error
		if g.chance(0.05) {
			code, err = 4, errors.New("rpc error: code = DeadlineExceeded desc = context deadline exceeded")
		}
		g.grpcCall(g.neutron, downstream(ctx), "neutron.agent.v1.L2Agent", "PortUpdate", "ovs-agent-"+agent[:8]+":50052", code, err)
		g.httpRequest(g.neutron, ctx, "PUT", "/v2.0/ports/{port_id}", "/v2.0/ports/"+port, "update", target, 200, g.dur(20, 700), nil)
	case r < 85:
		body := fmt.Sprintf(`{"port": {"network_id": "%s", "device_owner": "compute:nova", "binding:host_id": "%s", "name": %s, "admin_state_up": true}}`,
			g.uuid(), pick(g, g.hosts), jsonString("port-"+pick(g, userNames), false))
		g.log(g.neutron, ctx, slog.LevelDebug, "Request body: port create", slog.String("body", body))
		g.db(g.neutron, ctx, "neutron", "exec", "INSERT INTO ports (project_id, id, name, network_id, mac_address, admin_state_up, status, device_id, device_owner) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)", 1, "")
		g.httpRequest(g.neutron, ctx, "POST", "/v2.0/ports", "/v2.0/ports", "create", target, 201, g.dur(30, 900), nil)
	default:
		fip := g.uuid()
		g.httpRequest(g.neutron, ctx, "DELETE", "/v2.0/floatingips/{floatingip_id}", "/v2.0/floatingips/"+fip, "delete",
			auditlog.Target{Type: "floatingip", ID: fip}, 204, g.dur(20, 500), nil)
		if g.chance(0.3) {
			g.log(g.neutron, ctx, slog.LevelInfo, `Notify nova about event "network-changed" for port `+port)
		}
	}
}

// portRepr is a port as oslo logs a dict: Python's repr, not JSON.
func (g *generator) portRepr(id string) string {
	return fmt.Sprintf("{'admin_state_up': True, 'binding:host_id': '%s', 'binding:vif_type': 'ovs', 'device_id': '%s', 'device_owner': 'compute:nova', 'fixed_ips': [{'ip_address': '10.0.%d.%d', 'subnet_id': '%s'}], 'id': '%s', 'name': u'', 'security_groups': ['default'], 'qos_policy_id': None}",
		pick(g, g.hosts), pick(g, g.servers).id, g.rng.IntN(4), 2+g.rng.IntN(250), g.uuid(), id)
}

// --- errors and stacks ----------------------------------------------------

// invalidStateError is nova's InstanceInvalidState.
type invalidStateError struct{ id, action, state string }

func (e *invalidStateError) Error() string {
	return fmt.Sprintf("Cannot '%s' instance %s while it is in vm_state %s", e.action, e.id, e.state)
}

type frame struct{ fn, file string }

var apiFrames = []frame{
	{"runtime.mapassign_faststr", "/usr/local/go/src/internal/runtime/maps/runtime_faststr.go"},
	{"github.com/openstack-go/nova/api/compute.(*ServersController).delete", "/src/nova/api/compute/servers.go"},
	{"github.com/openstack-go/nova/api/compute.(*ServersController).ServeHTTP", "/src/nova/api/compute/servers.go"},
	{"net/http.HandlerFunc.ServeHTTP", "/usr/local/go/src/net/http/server.go"},
	{"net/http.(*ServeMux).ServeHTTP", "/usr/local/go/src/net/http/server.go"},
	{"github.com/auditlog-go/auditlog/middleware/httpaudit.(*handler).ServeHTTP", "/src/vendor/github.com/auditlog-go/auditlog/middleware/httpaudit/httpaudit.go"},
	{"net/http.serverHandler.ServeHTTP", "/usr/local/go/src/net/http/server.go"},
	{"net/http.(*conn).serve", "/usr/local/go/src/net/http/server.go"},
	{"runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s"},
}

var periodicFrames = []frame{
	{"github.com/openstack-go/nova/virt/libvirt.(*Host).Connection", "/src/nova/virt/libvirt/host.go"},
	{"github.com/openstack-go/nova/virt/libvirt.(*Driver).AvailableResource", "/src/nova/virt/libvirt/driver.go"},
	{"github.com/openstack-go/nova/compute.(*ResourceTracker).UpdateAvailableResource", "/src/nova/compute/resource_tracker.go"},
	{"github.com/openstack-go/nova/compute.(*Manager).updateAvailableResourceForNode", "/src/nova/compute/manager.go"},
	{"github.com/openstack-go/nova/periodic.(*Runner).run", "/src/nova/periodic/runner.go"},
	{"runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s"},
}

var computeFrames = []frame{
	{"github.com/openstack-go/nova/virt/libvirt.(*Guest).Launch", "/src/nova/virt/libvirt/guest.go"},
	{"github.com/openstack-go/nova/virt/libvirt.(*Driver).createGuest", "/src/nova/virt/libvirt/driver.go"},
	{"github.com/openstack-go/nova/virt/libvirt.(*Driver).createGuestWithNetwork", "/src/nova/virt/libvirt/driver.go"},
	{"github.com/openstack-go/nova/virt/libvirt.(*Driver).Spawn", "/src/nova/virt/libvirt/driver.go"},
	{"github.com/openstack-go/nova/compute.(*Manager).buildAndRunInstance", "/src/nova/compute/manager.go"},
	{"github.com/openstack-go/nova/compute.(*Manager).doBuildAndRunInstance", "/src/nova/compute/manager.go"},
	{"github.com/openstack-go/nova/compute.(*Manager).BuildAndRunInstance.func1", "/src/nova/compute/manager.go"},
	{"github.com/openstack-go/nova/utils.SpawnN.func1", "/src/nova/utils/spawn.go"},
	{"runtime.goexit", "/usr/local/go/src/runtime/asm_amd64.s"},
}

// stack formats frames as the handler formats a captured stack, with line
// numbers that vary from call to call.
func stack(g *generator, frames []frame) string {
	var b strings.Builder
	for _, f := range frames {
		fmt.Fprintf(&b, "%s()\n\t%s:%d\n", f.fn, f.file, 40+g.rng.IntN(3000))
	}
	return b.String()
}

// jsonString quotes s as Python's json.dumps does: by default (ascii) every
// non-ASCII character becomes \uXXXX, with surrogate pairs above the BMP.
func jsonString(s string, ascii bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || (ascii && r > 0x7e):
			if r > 0xffff {
				r -= 0x10000
				fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
			} else {
				fmt.Fprintf(&b, `\u%04x`, r)
			}
		case r == utf8.RuneError:
			b.WriteString(`\ufffd`)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
