package novaapi

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

func TestServerAction(t *testing.T) {
	for key, want := range map[string]string{
		"pause": "pause", "os-start": "start", "os-stop": "stop", "os-getVNCConsole": "console",
		"os-getSerialConsole": "console", "createImage": "create-image", "os-migrateLive": "live-migrate",
		"confirmResize": "confirm-resize", "addFloatingIp": "add-floating-ip", "os-resetState": "reset-state",
		"trigger_crash_dump": "trigger-crash-dump", "os-getConsoleOutput": "get-console-output",
		// Keys nova never had: made kebab-case all the same.
		"fooBar": "foo-bar", "os-newThing": "new-thing", "do.it:now": "do-it-now", "X": "x",
		// Already ours: unchanged.
		"live-migrate": "live-migrate", "console": "console", "unknown": "unknown",
		// Not names.
		"": "", "bad key": "", "x\ny": "", string(make([]byte, 65)): "", "123": "", "os-": "", "_-.": "",
	} {
		if got := ServerAction(key); got != want {
			t.Errorf("ServerAction(%q) = %q, want %q", key, got, want)
		}
	}
}

func TestAPIAction(t *testing.T) {
	for key, want := range map[string]string{
		"os-migrateLive": "os-migrateLive", "os-getVNCConsole": "os-getVNCConsole", "fooBar": "fooBar",
		"pause": "", "live-migrate": "", "": "", "bad key": "", "123": "",
	} {
		if got := APIAction(key); got != want {
			t.Errorf("APIAction(%q) = %q, want %q", key, got, want)
		}
	}
}

// TestServerActionsTable holds the table to its rule: one entry a key,
// every action is Verb of its key but for the documented exceptions, and
// naming an action again changes nothing.
func TestServerActionsTable(t *testing.T) {
	exceptions := map[string]bool{"os-migrateLive": true, "os-getVNCConsole": true, "os-getSPICEConsole": true,
		"os-getRDPConsole": true, "os-getSerialConsole": true, "os-getMKSConsole": true}
	seen := map[string]bool{}
	for _, a := range ServerActions() {
		if seen[a.Key] {
			t.Errorf("key %q is listed twice", a.Key)
		}
		seen[a.Key] = true
		if v := Verb(a.Key); v != a.Action && !exceptions[a.Key] {
			t.Errorf("%q is named %q, but Verb gives %q and it is no listed exception", a.Key, a.Action, v)
		}
		if !isVerb(a.Action) {
			t.Errorf("%q: action %q is not lowercase kebab-case", a.Key, a.Action)
		}
		if got := ServerAction(a.Action); got != a.Action {
			t.Errorf("ServerAction(%q) = %q: naming twice changed the name", a.Action, got)
		}
		if got := ServerAction(a.Key); got != a.Action {
			t.Errorf("ServerAction(%q) = %q, the table says %q", a.Key, got, a.Action)
		}
	}
	// The caller's copy is its own.
	ServerActions()[0].Action = "x"
	if serverActions[0].Action == "x" {
		t.Error("ServerActions returned the table itself")
	}
}

// TestReadmeTable checks that the README documents the vocabulary the code
// has: the table of the section on actions lists every key with its action.
func TestReadmeTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n### Actions\n")
	if !ok {
		t.Fatal("README.md has no section ### Actions")
	}
	section, _, _ = strings.Cut(section, "\n#")
	// A row: | `action` | `key`, `key` | …
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| ([^|]*)\\|")
	doc := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		for _, k := range regexp.MustCompile("`([^`]+)`").FindAllStringSubmatch(m[2], -1) {
			doc[k[1]] = m[1]
		}
	}
	for _, a := range serverActions {
		if got, ok := doc[a.Key]; !ok {
			t.Errorf("README's table of actions lacks the body key %q (%s)", a.Key, a.Action)
		} else if got != a.Action {
			t.Errorf("README names body key %q %q; the code names it %q", a.Key, got, a.Action)
		}
		delete(doc, a.Key)
	}
	for k, a := range doc {
		if byKey[k] == "" && ServerAction(k) != a {
			t.Errorf("README names %q %q, which the code does not", k, a)
		}
	}
}

func TestVerb(t *testing.T) {
	for in, want := range map[string]string{
		"pause": "pause", "addFloatingIp": "add-floating-ip", "getVNCConsole": "get-vnc-console",
		"os-getVNCConsole": "get-vnc-console", "add_router_interface": "add-router-interface",
		"os-migrateLive": "migrate-live", "trigger_crash_dump": "trigger-crash-dump", "HTTPServer": "http-server",
		"v2Thing": "v2-thing", "a__b": "a-b", "a-": "a", "-a": "a", "Os-foo": "foo", "os_foo": "foo",
		"os-os-x": "x", "os": "os", "instance-paused": "instance-paused", "reboot2": "reboot2",
		"": "", "os-": "", "9lives": "", "--": "", "ÀB": "b",
	} {
		if got := Verb(in); got != want {
			t.Errorf("Verb(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestVerbAllocs(t *testing.T) {
	if n := testing.AllocsPerRun(100, func() { _ = ServerAction("confirmResize"); _ = ServerAction("live-migrate") }); n != 0 {
		t.Errorf("naming known and kebab-case keys allocates %v times", n)
	}
}

func FuzzVerb(f *testing.F) {
	for _, a := range serverActions {
		f.Add(a.Key)
	}
	f.Add("Os-os_ABCdef.g:h")
	f.Fuzz(func(t *testing.T, s string) {
		v := Verb(s)
		if v != "" && !isVerb(v) {
			t.Fatalf("Verb(%q) = %q: not lowercase kebab-case", s, v)
		}
		if Verb(v) != v {
			t.Fatalf("Verb(%q) = %q, but Verb(%q) = %q", s, v, v, Verb(v))
		}
		if a := ServerAction(s); a != "" && ServerAction(a) != a {
			t.Fatalf("ServerAction(%q) = %q, but ServerAction(%q) = %q", s, a, a, ServerAction(a))
		}
	})
}

func TestIsVersion(t *testing.T) {
	for s, want := range map[string]bool{
		"v1": true, "v2": true, "v2.0": true, "v2.1": true, "v3": true,
		"v": false, "v.2": false, "v2.": false, "v2.1.3": false, "servers": false, "V2": false, "2": false,
	} {
		if got := IsVersion(s); got != want {
			t.Errorf("IsVersion(%q) = %v, want %v", s, got, want)
		}
	}
}
