// Package novaapi holds what the HTTP middleware and the log extractor must
// agree on about OpenStack's REST APIs: how an action is named and what a
// version segment of a path looks like. Both name actions the same way, so
// that a record read from an oslo.log text line and one read from our own
// audit line of the same request say the same thing.
//
// Actions have one shape, whoever wrote the line: a lowercase kebab-case
// verb (live-migrate, confirm-resize, add-floating-ip), the form of nova's
// newer instance actions (live-migration) and of LXD's lifecycle names
// (instance-paused, instance-snapshot-created) without the resource, which
// the line's target names. The API's own spelling of the action, when it
// differs (os-migrateLive, confirmResize, add_router_interface), goes to
// the line's attrs under [AttrAPIAction], so nothing the request said is
// lost.
package novaapi

import "strings"

// AttrAPIAction is the key, inside a line's attrs, of the API's own name
// for the action when it differs from the line's action: the body key of a
// nova server action (os-migrateLive for live-migrate), the path segment
// of a neutron one (add_router_interface).
const AttrAPIAction = "api_action"

// ActionName pairs the name an API gives an action with ours.
type ActionName struct {
	Key    string // the API's name: the single key of a server action's body
	Action string // ours: a lowercase kebab-case verb
}

// serverActions are nova's server actions (POST /servers/{id}/action),
// every body key nova's API has dispatched (the @wsgi.action names of
// nova/api/openstack/compute, os-getMKSConsole from the releases that had
// it), in the order the README's table lists them. Each action is the
// key made kebab-case by [Verb], except os-migrateLive, which is
// live-migrate (nova's own record of it is live-migration, not
// migrate-live), and the console keys of the older APIs, which are console,
// as POST …/remote-consoles is. The test holds the table to that rule.
var serverActions = []ActionName{
	{"reboot", "reboot"},
	{"rebuild", "rebuild"},
	{"resize", "resize"},
	{"confirmResize", "confirm-resize"},
	{"revertResize", "revert-resize"},
	{"os-start", "start"},
	{"os-stop", "stop"},
	{"pause", "pause"},
	{"unpause", "unpause"},
	{"suspend", "suspend"},
	{"resume", "resume"},
	{"rescue", "rescue"},
	{"unrescue", "unrescue"},
	{"shelve", "shelve"},
	{"shelveOffload", "shelve-offload"},
	{"unshelve", "unshelve"},
	{"migrate", "migrate"},
	{"os-migrateLive", "live-migrate"},
	{"evacuate", "evacuate"},
	{"createImage", "create-image"},
	{"createBackup", "create-backup"},
	{"changePassword", "change-password"},
	{"lock", "lock"},
	{"unlock", "unlock"},
	{"forceDelete", "force-delete"},
	{"restore", "restore"},
	{"os-resetState", "reset-state"},
	{"resetNetwork", "reset-network"},
	{"injectNetworkInfo", "inject-network-info"},
	{"trigger_crash_dump", "trigger-crash-dump"},
	{"addFloatingIp", "add-floating-ip"},
	{"removeFloatingIp", "remove-floating-ip"},
	{"addFixedIp", "add-fixed-ip"},
	{"removeFixedIp", "remove-fixed-ip"},
	{"addSecurityGroup", "add-security-group"},
	{"removeSecurityGroup", "remove-security-group"},
	{"os-getConsoleOutput", "get-console-output"},
	{"os-getVNCConsole", "console"},
	{"os-getSPICEConsole", "console"},
	{"os-getRDPConsole", "console"},
	{"os-getSerialConsole", "console"},
	{"os-getMKSConsole", "console"},
}

// byKey is serverActions as a map: known keys are named without
// allocating.
var byKey = func() map[string]string {
	m := make(map[string]string, len(serverActions))
	for _, a := range serverActions {
		m[a.Key] = a.Action
	}
	return m
}()

// ServerActions returns the known server actions: each body key nova
// dispatches and the action it is named. The slice is the caller's.
func ServerActions() []ActionName {
	return append([]ActionName(nil), serverActions...)
}

// ServerAction names a server action (POST …/servers/{id}/action) from
// the single key of its request body: {"pause": null} is pause,
// {"os-migrateLive": {…}} live-migrate (see [ServerActions]). A key nova
// did not have in our table but shaped like a name is made kebab-case by
// [Verb] (fooBar is foo-bar), so every action has one shape; an action
// already in that shape is kept, so naming twice changes nothing. A key
// that is not shaped like a name (see [PlausibleName]) gives "": it came
// from a client, and must not reach a line as an action.
func ServerAction(key string) string {
	if a, ok := byKey[key]; ok {
		return a
	}
	if !PlausibleName(key) {
		return ""
	}
	// Words split apart lengthen a name; one grown past what a name may
	// be would not name itself again (the fuzzer found a 40-byte key whose
	// action had 66).
	if v := Verb(key); PlausibleName(v) {
		return v
	}
	return ""
}

// APIAction returns what a line keeps of a server action's body key under
// [AttrAPIAction]: the key, when it is a plausible name that its action
// (see [ServerAction]) spells differently; "" otherwise.
func APIAction(key string) string {
	if a := ServerAction(key); a == "" || a == key {
		return ""
	}
	return key
}

// Verb makes an API's name of an action a lowercase kebab-case verb:
// camelCase words (addFloatingIp is add-floating-ip, getVNCConsole
// get-vnc-console), snake_case (add_router_interface), and '.' and ':'
// separators become words joined by '-', and nova's "os-" extension prefix
// is dropped (os-resetState is reset-state). A name already in that shape
// is returned as it is, without allocating. The result starts with a
// letter and holds only a-z, 0-9 and single '-'; it is "" when the name
// holds no letter or starts with a digit.
func Verb(name string) string {
	for strings.HasPrefix(name, "os-") {
		name = name[len("os-"):]
	}
	if isVerb(name) {
		return name
	}
	b := make([]byte, 0, len(name)+4)
	hyphen := func() {
		if len(b) > 0 && b[len(b)-1] != '-' {
			b = append(b, '-')
		}
	}
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case isUpper(c):
			// A word starts at an upper-case letter after a lower-case
			// one or a digit (addFloating), and at the last capital of
			// an acronym followed by a lower-case letter (VNCConsole).
			if i > 0 && (isLower(name[i-1]) || isDigit(name[i-1]) ||
				isUpper(name[i-1]) && i+1 < len(name) && isLower(name[i+1])) {
				hyphen()
			}
			b = append(b, c+'a'-'A')
		case isLower(c) || isDigit(c):
			b = append(b, c)
		default:
			hyphen()
		}
	}
	for len(b) > 0 && b[len(b)-1] == '-' {
		b = b[:len(b)-1]
	}
	// Os-foo and os_foo carry the prefix too; dropping it here keeps
	// Verb(Verb(name)) == Verb(name).
	for len(b) > 3 && string(b[:3]) == "os-" {
		b = b[3:]
	}
	if len(b) == 0 || !isLower(b[0]) {
		return "" // a name of digits, or none: no verb
	}
	return string(b)
}

// isVerb reports whether s is already in Verb's shape.
func isVerb(s string) bool {
	if s == "" || !isLower(s[0]) || s[len(s)-1] == '-' {
		return false
	}
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case isLower(c) || isDigit(c):
		case c == '-' && s[i-1] != '-':
		default:
			return false
		}
	}
	return true
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// PlausibleName reports whether a client-supplied action name may be used
// as one: 1 to 64 letters, digits, '-', '_', '.' or ':'.
func PlausibleName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}

// IsVersion reports whether s is an API version segment of a path: v1, v2,
// v2.0, v2.1, v3.
func IsVersion(s string) bool {
	if len(s) < 2 || s[0] != 'v' {
		return false
	}
	dot := false
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 1 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return true
}
