// Package novaapi holds what the HTTP middleware and the log extractor must
// agree on about OpenStack's REST APIs: how a server action is named and
// what a version segment of a path looks like. Both name actions the same
// way, so that a record read from an oslo.log text line and one read from
// our own audit line of the same request say the same thing.
package novaapi

// ServerAction names a server action (POST …/servers/{id}/action) from
// the single key of its request body: {"pause": null} is pause. It is
// Nova's own key, except os-start and os-stop, which are start and stop,
// and the console requests of older APIs (os-getVNCConsole,
// os-getSPICEConsole, os-getRDPConsole, os-getSerialConsole,
// os-getMKSConsole), which are console, as POST …/remote-consoles is. A
// key that is not shaped like a name (see [PlausibleName]) gives "": it
// came from a client, and must not reach a line as an action.
func ServerAction(key string) string {
	switch key {
	case "os-start":
		return "start"
	case "os-stop":
		return "stop"
	case "os-getVNCConsole", "os-getSPICEConsole", "os-getRDPConsole", "os-getSerialConsole", "os-getMKSConsole":
		return "console"
	}
	if !PlausibleName(key) {
		return ""
	}
	return key
}

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
