package extract

import (
	"strings"

	"github.com/auditlog-go/auditlog/internal/novaapi"
	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// reqKind is what an API request is, as far as its method and path tell.
type reqKind uint8

const (
	kindNone         reqKind = iota // not a user action this mode extracts
	kindAPI                         // the path names the action: create, delete, console…
	kindCreate                      // a create whose resource id later lines may give
	kindServerAction                // POST /servers/{id}/action: the body names it
)

// Request is the reading of one API request's method and path.
type Request struct {
	kind         reqKind
	Action       string // empty for a server action, whose body names it
	APIAction    string // the API's own name of Action, when it differs (add_router_interface)
	ResourceType string
	Resource     string // empty for a create
	Project      string // the project id of legacy /v2/{project}/… URLs
}

// ClassifyVM reads a nova API request. It knows
//
//	POST   …/servers                         create  (and …/os-volumes_boot, boot from volume)
//	DELETE …/servers/{id}                    delete
//	POST   …/servers/{id}/remote-consoles    console
//	POST   …/servers/{id}/action             named by the body: see [ServerAction]
//
// where … is an optional mount point, a version (v2, v2.1) and an optional
// project id. Anything else (reads, renames, sub-resources, other
// collections) is not a user action on a server here and reports false.
func ClassifyVM(method, path string) (Request, bool) {
	segs := pathSegments(path)
	for i, s := range segs {
		if s != "servers" && s != "os-volumes_boot" {
			continue
		}
		project, ok := novaPrefix(segs[:i])
		if !ok {
			return Request{}, false
		}
		r := Request{ResourceType: "server", Project: project}
		tail := segs[i+1:]
		switch {
		case len(tail) == 0 && method == "POST":
			r.kind, r.Action = kindCreate, "create"
		case len(tail) == 1 && method == "DELETE" && tail[0] != "detail":
			r.kind, r.Action, r.Resource = kindAPI, "delete", tail[0]
		case len(tail) == 2 && method == "POST" && tail[1] == "remote-consoles":
			r.kind, r.Action, r.Resource = kindAPI, "console", tail[0]
		case len(tail) == 2 && method == "POST" && tail[1] == "action":
			r.kind, r.Resource = kindServerAction, tail[0]
		default:
			return Request{}, false
		}
		return r, true
	}
	return Request{}, false
}

// novaPrefix checks the segments before "servers" and returns the project
// id among them, if any: a version, a version and project, a mount point
// and a version, or a mount point, version and project.
func novaPrefix(p []string) (project string, ok bool) {
	switch len(p) {
	case 1:
		return "", novaapi.IsVersion(p[0])
	case 2:
		if novaapi.IsVersion(p[0]) {
			return p[1], true
		}
		return "", novaapi.IsVersion(p[1])
	case 3:
		if !novaapi.IsVersion(p[0]) && novaapi.IsVersion(p[1]) {
			return p[2], true
		}
	}
	return "", false
}

// ServerAction names a server action from the single key of its request
// body, as our HTTP middleware does, so that records read from text logs
// and from our audit lines agree: a lowercase kebab-case verb
// ({"pause": null} is pause, os-migrateLive live-migrate, confirmResize
// confirm-resize, os-start start, os-getVNCConsole and the other console
// requests of older APIs console, like POST …/remote-consoles), the table
// of the README. An action already so named is kept. A key that is not
// shaped like a name gives "".
func ServerAction(key string) string { return novaapi.ServerAction(key) }

// apiAction is what a record keeps of a server action's body key
// (Action.APIAction): the key, when its action spells it otherwise.
func apiAction(key string) string { return novaapi.APIAction(key) }

// methodActions maps the controller methods nova's DEBUG line names
// ("calling method: <bound method AdminActionsController._pause of …>") to
// the body key that reaches them, for the lines whose body was cut off.
// Names are from nova's API controllers, v2 (contrib) and v2.1.
var methodActions = map[string]string{
	"_action_reboot": "reboot", "_action_rebuild": "rebuild", "_action_resize": "resize",
	"_action_confirm_resize": "confirmResize", "_action_revert_resize": "revertResize",
	"_action_create_image": "createImage", "_action_change_password": "changePassword",
	"_start_server": "os-start", "_stop_server": "os-stop",
	"_pause": "pause", "_unpause": "unpause", "_suspend": "suspend", "_resume": "resume",
	"_migrate": "migrate", "_migrate_live": "os-migrateLive",
	"_reset_state": "os-resetState", "_reset_network": "resetNetwork",
	"_inject_network_info": "injectNetworkInfo", "_lock": "lock", "_unlock": "unlock",
	"_create_backup": "createBackup", "_rescue": "rescue", "_unrescue": "unrescue",
	"_shelve": "shelve", "_shelve_offload": "shelveOffload", "_unshelve": "unshelve",
	"_evacuate": "evacuate", "_force_delete": "forceDelete", "_restore": "restore",
	"_add_floating_ip": "addFloatingIp", "_remove_floating_ip": "removeFloatingIp",
	"_addSecurityGroup": "addSecurityGroup", "_removeSecurityGroup": "removeSecurityGroup",
	"_add_security_group": "addSecurityGroup", "_remove_security_group": "removeSecurityGroup",
	"_add_fixed_ip": "addFixedIp", "_remove_fixed_ip": "removeFixedIp",
	"_addFixedIp": "addFixedIp", "_removeFixedIp": "removeFixedIp",
	"get_vnc_console": "os-getVNCConsole", "get_spice_console": "os-getSPICEConsole",
	"get_rdp_console": "os-getRDPConsole", "get_serial_console": "os-getSerialConsole",
	"get_console_output": "os-getConsoleOutput", "_trigger_crash_dump": "trigger_crash_dump",
}

// DebugAction reads nova-api's DEBUG line about the request being
// dispatched and returns the action it names: [ServerAction] of
// [DebugKey], or "".
func DebugAction(msg string, extra []string) string {
	return ServerAction(DebugKey(msg, extra))
}

// DebugKey reads nova-api's DEBUG line about the request being
// dispatched, in its shapes across releases:
//
//	Action: 'action', calling method: <bound method AdminActionsController._pause of <…>>, body: {"pause": null}
//	Action: 'action', body: {"reboot": {"type": "HARD"}} _process_stack …
//	Action: 'action', body: <?xml version="1.0" encoding="UTF-8"?>       (the element on the next line)
//	Calling method <bound method Controller._action_reboot of <…>> _process_stack …
//	Action: 'action', calling method: <function _add_floating_ip at 0x7f…>, body: {"addFloatingIp": …}
//	アクション: 'action'、呼び出しメソッド: <bound method …>、本文: {"pause": null}  (translated; see Untranslate)
//
// and returns the server action's body key it shows (os-migrateLive), or
// the key the controller method serves, or "" when it shows neither or
// the key is not shaped like a name. extra holds the record's continuation
// lines, where an XML body goes on.
func DebugKey(msg string, extra []string) string {
	if i := strings.Index(msg, "body: "); i >= 0 && strings.HasPrefix(msg, "Action: 'action'") {
		if k := bodyKey(msg[i+len("body: "):], extra); k != "" {
			if ServerAction(k) == "" {
				return "" // a body whose key is no name: the method is not read past it
			}
			return k
		}
	}
	meth, after := dispatchMethod(msg)
	if after != "" && !strings.HasPrefix(msg, "Action: ") {
		// A translated line the catalogs do not hold: its structure
		// survives, the body's JSON after the method.
		if j := strings.Index(after, `{"`); j >= 0 {
			if k := bodyKey(after[j:], nil); k != "" && ServerAction(k) != "" {
				return k
			}
		}
	}
	if k, ok := methodActions[meth]; ok {
		return k
	}
	return ""
}

// dispatchMethod finds the controller method a dispatch DEBUG line shows,
// "<bound method AdminActionsController._pause of <…>>" or, for a
// controller action that is a plain function, "<function
// _add_floating_ip at 0x7f…>", and returns its name (_pause) and the text
// after its representation.
func dispatchMethod(msg string) (name, after string) {
	start, skip := strings.Index(msg, "<bound method "), len("<bound method ")
	if start < 0 {
		if start, skip = strings.Index(msg, "<function "), len("<function "); start < 0 {
			return "", ""
		}
	}
	m := msg[start+skip:]
	if j := strings.IndexByte(m, ' '); j >= 0 {
		m = m[:j]
	}
	if j := strings.LastIndexByte(m, '.'); j >= 0 {
		m = m[j+1:]
	}
	depth := 0
	for i := start; i < len(msg); i++ {
		switch msg[i] {
		case '<':
			depth++
		case '>':
			if depth--; depth == 0 {
				return m, msg[i+1:]
			}
		}
	}
	return m, ""
}

// bodyKey returns the first key of a logged JSON body, or the root element
// of an XML one (which may start on the next line).
func bodyKey(b string, extra []string) string {
	b = strings.TrimLeft(b, " ")
	switch {
	case strings.HasPrefix(b, "{"):
		b = strings.TrimLeft(b[1:], " \t")
		if !strings.HasPrefix(b, `"`) {
			return ""
		}
		end := strings.IndexByte(b[1:], '"')
		if end < 0 {
			return ""
		}
		return b[1 : 1+end]
	case strings.HasPrefix(b, "<"):
		rest := b
		for n := 0; n < 4; n++ {
			rest = strings.TrimLeft(rest, " \t")
			for strings.HasPrefix(rest, "<?") || strings.HasPrefix(rest, "<!") {
				end := strings.IndexByte(rest, '>')
				if end < 0 {
					rest = ""
					break
				}
				rest = strings.TrimLeft(rest[end+1:], " \t")
			}
			if strings.HasPrefix(rest, "<") {
				name := rest[1:]
				if end := strings.IndexAny(name, " \t/>"); end >= 0 {
					name = name[:end]
				}
				if i := strings.IndexByte(name, ':'); i >= 0 { // a namespace prefix
					name = name[i+1:]
				}
				return name
			}
			if rest != "" || n >= len(extra) {
				return ""
			}
			rest = extra[n]
		}
	}
	return ""
}

// Evidence priorities, in the order the issue gives: what the API itself
// logged about the request, what compute logged for it, what other
// services logged for it.
const (
	prioDebug   = 1
	prioCompute = 2
	prioOther   = 3
)

// reqMessage is a message that, logged under a request id, names what
// that request did.
type reqMessage struct {
	prefix string
	action string
	prio   int
	role   string
}

// reqMessages are the messages nova services log under the request id of
// the API call that caused them, and the action each names. Only messages
// that one action alone logs are here: "instance snapshotting" (create-image,
// create-backup and shelve) and "Migrating" (resize and migrate) are not.
// Before Newton, nova logged "Rebuilding instance" for evacuations too; an
// evacuation with no DEBUG line may therefore read as rebuild.
var reqMessages = []reqMessage{
	{"Going to try to live migrate instance", "live-migrate", prioDebug, "debug"},
	{"Going to try to stop instance", "stop", prioDebug, "debug"},
	{"Going to try to start instance", "start", prioDebug, "debug"},
	{"Rebooting instance", "reboot", prioCompute, "compute"},
	{"Pausing", "pause", prioCompute, "compute"},
	{"Unpausing", "unpause", prioCompute, "compute"},
	{"Suspending", "suspend", prioCompute, "compute"},
	{"Resuming", "resume", prioCompute, "compute"},
	{"Rescuing", "rescue", prioCompute, "compute"},
	{"Unrescuing", "unrescue", prioCompute, "compute"},
	{"Rebuilding instance", "rebuild", prioCompute, "compute"},
	{"Evacuating instance", "evacuate", prioCompute, "compute"},
	{"Shelving", "shelve", prioCompute, "compute"},
	{"Shelve offloading", "shelve-offload", prioCompute, "compute"},
	{"Unshelving", "unshelve", prioCompute, "compute"},
	{"Post operation of migration started", "live-migrate", prioCompute, "compute"},
	{"Getting vnc console", "console", prioCompute, "compute"},
	{"Getting spice console", "console", prioCompute, "compute"},
	{"Getting rdp console", "console", prioCompute, "compute"},
	{"Getting serial console", "console", prioCompute, "compute"},
	{"Get console output", "get-console-output", prioCompute, "compute"},
	{"Received Token: ", "console", prioOther, "consoleauth"},
}

// RequestMessage returns the action a message logged under a request id
// names, with its priority and evidence role, or "" when it names none.
func RequestMessage(msg string) (act string, prio int, role string) {
	for i := range reqMessages {
		m := &reqMessages[i]
		if strings.HasPrefix(msg, m.prefix) && wordEnd(msg, len(m.prefix)) {
			return m.action, m.prio, m.role
		}
	}
	return "", 0, ""
}

// wordEnd reports whether msg[:i] ends a word: the message ends there or
// goes on with a space or punctuation, so "Pausing" does not match
// "Pausings".
func wordEnd(msg string, i int) bool {
	if i >= len(msg) || msg[i-1] == ' ' {
		return true
	}
	c := msg[i]
	return !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')
}

// Lifecycle events, as nova-compute logs them:
// "[instance: …] VM Paused (Lifecycle Event)".
const (
	lifeStarted   = "Started"
	lifeStopped   = "Stopped"
	lifePaused    = "Paused"
	lifeResumed   = "Resumed"
	lifeSuspended = "Suspended"
)

// LifecycleEvent returns the event a lifecycle message reports (Started,
// Stopped, Paused, Resumed, Suspended), or "". It reads the English line;
// a translated one ("VM 已停止 (Lifecycle Event)") reads once
// [Untranslate] has made it English.
func LifecycleEvent(msg string) string {
	const suffix = " (Lifecycle Event)"
	if !strings.HasPrefix(msg, "VM ") {
		return ""
	}
	i := strings.Index(msg[3:], suffix)
	if i < 0 {
		return ""
	}
	return lifeName(msg[3 : 3+i])
}

// lifeName is ev when it is the name of a lifecycle event, else "".
func lifeName(ev string) string {
	switch ev {
	case lifeStarted, lifeStopped, lifePaused, lifeResumed, lifeSuspended:
		return ev
	}
	return ""
}

// havanaEvents are the lifecycle events by number, as nova's virt/event.py
// numbers them and Havana's compute manager logged them.
var havanaEvents = [...]string{lifeStarted, lifeStopped, lifePaused, lifeResumed, lifeSuspended}

// LifecycleLine returns the event a lifecycle line reports and, when the
// message itself names it, the instance, in the three forms nova has
// written them:
//
//	VM Paused (Lifecycle Event)                                      (Icehouse on, INFO; the instance in "[instance: …]")
//	Lifecycle event 2 on VM 3f2a…                                    (Havana, INFO)
//	Emitting event <LifecycleEvent: 1446130388.14, 3f2a… => Paused>  (DEBUG, from the virt driver)
//
// The last form keeps its structure whatever the locale: only the event's
// name is translated, and that is read back through nova's catalogs.
func LifecycleLine(msg string) (event, instance string) {
	if ev := LifecycleEvent(msg); ev != "" {
		return ev, ""
	}
	if rest, ok := strings.CutPrefix(msg, "Lifecycle event "); ok {
		n, vm, ok := strings.Cut(rest, " on VM ")
		if ok && len(n) == 1 && n[0] >= '0' && int(n[0]-'0') < len(havanaEvents) {
			if id := leadingUUID(vm); id != "" {
				return havanaEvents[n[0]-'0'], id
			}
		}
		return "", ""
	}
	const tag = "<LifecycleEvent: "
	i := strings.Index(msg, tag)
	if i < 0 {
		return "", ""
	}
	rest := msg[i+len(tag):]
	_, rest, ok := strings.Cut(rest, ", ")
	if !ok {
		return "", ""
	}
	id := leadingUUID(rest)
	if id == "" || !strings.HasPrefix(rest[len(id):], " => ") {
		return "", ""
	}
	name := rest[len(id)+len(" => "):]
	end := strings.IndexByte(name, '>')
	if end < 0 {
		return "", ""
	}
	if ev := lifeName(catalog().word(name[:end])); ev != "" {
		return ev, id
	}
	return "", ""
}

// leadingUUID is the UUID s starts with (8-4-4-4-12 hexadecimal digits),
// or "".
func leadingUUID(s string) string {
	if len(s) < 36 {
		return ""
	}
	for i := 0; i < 36; i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return ""
			}
		default:
			if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
				return ""
			}
		}
	}
	if len(s) > 36 && (s[36] >= '0' && s[36] <= '9' || s[36] >= 'a' && s[36] <= 'z') {
		return ""
	}
	return s[:36]
}

// automaticMarks are messages nova-compute logs about an instance while
// something other than a user's power action is under way on it: a boot,
// a migration, a deletion, a power-state sync. A lifecycle event near one
// of them is automatic, not a user's pause or stop (the seed insists: "VM
// Paused" during a create or migration is no user pause).
var automaticMarks = []string{
	"Starting instance...",
	"Instance spawned successfully",
	"Took ",
	"Migration running for",
	"Migration operation has completed",
	"_post_live_migration() is started",
	"Post operation of migration started",
	"Migrating instance to ",
	"During the sync_power process the instance has moved from host",
	"During _sync_instance_power_state the DB power_state",
	"Instance shutdown by itself",
	"Paused instance shutdown by itself",
	"Instance is already powered off in the hypervisor",
	"Terminating instance",
	"Instance destroyed successfully",
	"Deleting instance files",
	"Instance failed to spawn",
}

// userTasks are the task states of users' power actions: a sync that finds
// one pending ("During sync_power_state the instance has a pending task
// (pausing). Skip.") is no sign of automatic activity.
var userTasks = map[string]bool{
	"pausing": true, "unpausing": true, "suspending": true, "resuming": true,
	"powering-off": true, "powering-on": true,
}

// AutomaticMark reports whether a compute message about an instance shows
// automatic activity on it (see automaticMarks).
func AutomaticMark(msg string) bool { return markOf(msg).automatic() }

// markKind is what a compute line about an instance tells the lifecycle
// rules: automatic activity of some kind, or one of the signs the
// inference rules of older releases read (see byInference).
type markKind uint8

const (
	markNone      markKind = iota
	markAuto               // a boot, a migration, a power-state sync
	markDelete             // "Terminating instance", "Deleting instance files"
	markShutdown           // "Instance shutdown by itself": sync_power_state's own stop
	markDestroyed          // "Instance destroyed successfully": a delete, a stop, a hard reboot
	markRebooted           // "Instance rebooted successfully.": a reboot, or a start by the hard-reboot path
	markRebooting          // "Rebooting instance": a user's reboot
)

// automatic reports whether lifecycle events near a line of this kind are
// no user's doing.
func (k markKind) automatic() bool {
	switch k {
	case markAuto, markDelete, markShutdown, markDestroyed:
		return true
	}
	return false
}

// markOf is the kind of an (English) compute message about an instance.
func markOf(msg string) markKind {
	const pending = "During sync_power_state the instance has a pending task ("
	if strings.HasPrefix(msg, pending) {
		task := msg[len(pending):]
		if i := strings.IndexByte(task, ')'); i >= 0 {
			task = task[:i]
		}
		if userTasks[task] {
			return markNone
		}
		return markAuto
	}
	for _, m := range automaticMarks {
		if strings.HasPrefix(msg, m) {
			switch {
			case m == "Took " && !strings.Contains(msg, " seconds to "):
				return markNone
			case m == "Terminating instance", m == "Deleting instance files":
				return markDelete
			case m == "Instance shutdown by itself", m == "Paused instance shutdown by itself":
				return markShutdown
			case m == "Instance destroyed successfully":
				return markDestroyed
			}
			return markAuto
		}
	}
	switch {
	case strings.HasPrefix(msg, "Instance rebooted successfully"):
		return markRebooted
	case strings.HasPrefix(msg, "Rebooting instance") && wordEnd(msg, len("Rebooting instance")):
		return markRebooting
	}
	return markNone
}

// lifecycleExplained lists, for an action, the lifecycle events it causes
// itself. Events an action explains are not free to resolve another
// request. An action not listed explains none; "*" means every event (the
// action destroys and recreates the guest, or moves it).
var lifecycleExplained = map[string]string{
	"create": "*", "delete": "*", "force-delete": "*", "live-migrate": "*", "migrate": "*",
	"resize": "*", "confirm-resize": "*", "revert-resize": "*", "evacuate": "*", "rebuild": "*",
	"reboot": "*", "shelve": "*", "shelve-offload": "*", "unshelve": "*", "rescue": "*",
	"unrescue": "*", "create-image": "*", "create-backup": "*", "restore": "*", "reset-state": "*",
	"pause": lifePaused, "unpause": lifeResumed, "suspend": lifeSuspended + lifePaused + lifeStopped,
	"resume": lifeResumed + lifeStarted, "start": lifeStarted + lifeResumed, "stop": lifeStopped,
	action.Unknown: "*",
}

func explains(act, ev string) bool {
	s := lifecycleExplained[act]
	return s == "*" || s != "" && strings.Contains(s, ev)
}
