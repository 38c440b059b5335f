// Package action holds the record log-extract produces: one user action on
// one resource, with the evidence it was read from. It is its own package so
// that the extractor, which makes records, and the stores, which keep them,
// depend on it and not on each other.
package action

import "time"

// Modes of extraction, and the resources each covers.
const (
	ModeVM      = "vm"      // nova: servers
	ModeGlance  = "glance"  // glance: images
	ModeNeutron = "neutron" // neutron: networks, subnets, ports, routers, floating IPs, security groups
)

// Mode is one kind of extraction: whose API's access lines start actions,
// and where its actions go by default. What a mode is outside the
// extractor's recognisers is written here once, for the extractor, the
// stores and the command alike.
type Mode struct {
	Name       string   // ModeVM, ModeGlance, ModeNeutron: the --mode value and Action.Mode
	Service    string   // the service whose API takes its requests
	Table      string   // the seed script's table for its actions
	PatternEnv []string // the seed's environment variables naming its logs
	Covers     string   // what it extracts, for help texts
}

// The modes.
var (
	VM = Mode{Name: ModeVM, Service: "nova-api", Table: "nova_compute_action_log",
		PatternEnv: []string{"API_LOG_PATTERN", "COMPUTE_LOG_PATTERN"}, Covers: "nova servers"}
	Glance = Mode{Name: ModeGlance, Service: "glance-api", Table: "glance_image_action_log",
		PatternEnv: []string{"GLANCE_LOG_PATTERN"}, Covers: "images"}
	Neutron = Mode{Name: ModeNeutron, Service: "neutron-server", Table: "neutron_action_log",
		PatternEnv: []string{"NEUTRON_LOG_PATTERN"}, Covers: "networks, ports, routers…"}
)

// Modes returns every mode, VM first.
func Modes() []Mode { return []Mode{VM, Glance, Neutron} }

// LookupMode returns the mode of a name; "" is VM, the default.
func LookupMode(name string) (Mode, bool) {
	if name == "" {
		return VM, true
	}
	for _, m := range Modes() {
		if m.Name == name {
			return m, true
		}
	}
	return Mode{}, false
}

// Ways an action was resolved.
const (
	MatchAPI        = "api"         // the API access line says it all (create, delete, console…)
	MatchRequestID  = "request_id"  // other lines of the same request named the action
	MatchTimeWindow = "time_window" // a lifecycle event on the same resource within the window
	MatchInferred   = "inferred"    // what compute did to the resource soon after, by a named rule (Action.Rule)
	MatchUnresolved = "unresolved"  // nothing named it: Action is "unknown"
)

// Unknown is the action of a server action call whose evidence names none.
const Unknown = "unknown"

// Action is one user action on one resource.
type Action struct {
	Time         time.Time // when the request reached the API (its access line's time)
	Mode         string    // ModeVM, ModeGlance, ModeNeutron
	Action       string    // create, delete, pause, live-migrate, console, add-router-interface, … or Unknown
	APIAction    string    // the API's own name for it when that differs: os-migrateLive, add_router_interface; else ""
	ResourceType string    // server, image, network, subnet, port, router, floatingip, security_group
	Resource     string    // the resource's id; empty when no line named it (a create that failed)
	UserID       string
	ProjectID    string
	RequestID    string
	Service      string  // the service whose API took the request: nova-api, glance-api, neutron-server
	Method       string  // HTTP method
	Path         string  // HTTP path as logged
	Status       int     // HTTP status; 0 when unknown
	Outcome      string  // success (2xx/3xx), failure (4xx/5xx), unknown
	DurationMS   float64 // the API's own timing, when the access line has it; 0 otherwise
	Match        string  // MatchAPI, MatchRequestID, MatchTimeWindow, MatchInferred, MatchUnresolved
	Rule         string  // with MatchInferred, the rule's name (suspend-managed-save, stop-destroyed, start-hard-reboot)
	Evidence     []Evidence
}

// Evidence is one log line an Action was read from.
type Evidence struct {
	Source string // file name
	Line   int64  // line number in it, from 1
	Role   string // access, debug, compute, lifecycle, consoleauth, audit (one of our JSON lines), …
	Rule   string // the inference rule that read this line (Action.Rule), when the action was inferred
}

// Key is the unique key a store keeps actions under, so that re-runs never
// duplicate: the resource, the action and the time (to the microsecond).
func (a *Action) Key() (resource, action string, t time.Time) {
	return a.Resource, a.Action, a.Time.Truncate(time.Microsecond)
}
