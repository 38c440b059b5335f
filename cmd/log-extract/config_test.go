package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// settings is the part of a config that flags and the environment decide.
type settings struct {
	mode          string
	dsn           string
	table         string
	includeDelete bool
	window        time.Duration
	patterns      []string
	files         []string
	fromEnv       []string
}

func settingsOf(c *config) settings {
	orNil := func(s []string) []string {
		if len(s) == 0 {
			return nil
		}
		return s
	}
	return settings{c.mode, c.dsn, c.table, c.includeDelete, c.window, orNil(c.patterns), orNil(c.files), orNil(c.fromEnv)}
}

// defaults are the settings of a run with no flag and no environment.
var defaults = settings{mode: "vm", includeDelete: true, window: 60 * time.Second}

func with(f func(*settings)) settings {
	s := defaults
	f(&s)
	return s
}

func getenv(vars map[string]string) func(string) string {
	return func(k string) string { return vars[k] }
}

// TestConfigPrecedence: each of the seed's environment variables fills its
// setting; a flag, when given, wins over it, even a flag that spells the
// default; the pattern variables of the mode are read only when no file and
// no --pattern names the inputs.
func TestConfigPrecedence(t *testing.T) {
	tests := []struct {
		name string
		args []string
		env  map[string]string
		want settings
	}{
		{"defaults", nil, nil, defaults},
		{"MODE", nil, map[string]string{"MODE": "glance"},
			with(func(s *settings) { s.mode, s.fromEnv = "glance", []string{"MODE"} })},
		{"MODE is not case sensitive", nil, map[string]string{"MODE": "Neutron"},
			with(func(s *settings) { s.mode, s.fromEnv = "neutron", []string{"MODE"} })},
		{"--mode wins over MODE", []string{"--mode", "neutron"}, map[string]string{"MODE": "glance"},
			with(func(s *settings) { s.mode = "neutron" })},
		{"--mode=vm, the default, still wins", []string{"--mode=vm"}, map[string]string{"MODE": "glance"}, defaults},
		{"DSN", nil, map[string]string{"DSN": "mysql+asyncmy://root:pass@db:3306/ops?charset=utf8mb4"},
			with(func(s *settings) {
				s.dsn, s.fromEnv = "mysql+asyncmy://root:pass@db:3306/ops?charset=utf8mb4", []string{"DSN"}
			})},
		{"--dsn wins over DSN", []string{"--dsn", "a.db"}, map[string]string{"DSN": "b.db"},
			with(func(s *settings) { s.dsn = "a.db" })},
		{"TABLE", nil, map[string]string{"TABLE": "nova_actions"},
			with(func(s *settings) { s.table, s.fromEnv = "nova_actions", []string{"TABLE"} })},
		{"--table wins over TABLE", []string{"--table=mine"}, map[string]string{"TABLE": "theirs"},
			with(func(s *settings) { s.table = "mine" })},
		{"INCLUDE_DELETE=0", nil, map[string]string{"INCLUDE_DELETE": "0"},
			with(func(s *settings) { s.includeDelete, s.fromEnv = false, []string{"INCLUDE_DELETE"} })},
		{"INCLUDE_DELETE=1", nil, map[string]string{"INCLUDE_DELETE": "1"},
			with(func(s *settings) { s.fromEnv = []string{"INCLUDE_DELETE"} })},
		{"INCLUDE_DELETE=false", nil, map[string]string{"INCLUDE_DELETE": "false"},
			with(func(s *settings) { s.includeDelete, s.fromEnv = false, []string{"INCLUDE_DELETE"} })},
		{"INCLUDE_DELETE=No", nil, map[string]string{"INCLUDE_DELETE": "No"},
			with(func(s *settings) { s.includeDelete, s.fromEnv = false, []string{"INCLUDE_DELETE"} })},
		{"INCLUDE_DELETE=off", nil, map[string]string{"INCLUDE_DELETE": "off"},
			with(func(s *settings) { s.includeDelete, s.fromEnv = false, []string{"INCLUDE_DELETE"} })},
		{"INCLUDE_DELETE=yes", nil, map[string]string{"INCLUDE_DELETE": "yes"},
			with(func(s *settings) { s.fromEnv = []string{"INCLUDE_DELETE"} })},
		{"INCLUDE_DELETE=TRUE", nil, map[string]string{"INCLUDE_DELETE": "TRUE"},
			with(func(s *settings) { s.fromEnv = []string{"INCLUDE_DELETE"} })},
		{"INCLUDE_DELETE blank is unset", nil, map[string]string{"INCLUDE_DELETE": "  "}, defaults},
		{"--include-delete=false", []string{"--include-delete=false"}, nil,
			with(func(s *settings) { s.includeDelete = false })},
		{"--include-delete wins over INCLUDE_DELETE=0", []string{"--include-delete"}, map[string]string{"INCLUDE_DELETE": "0"}, defaults},
		{"--include-delete=false wins over INCLUDE_DELETE=1", []string{"--include-delete=false"}, map[string]string{"INCLUDE_DELETE": "1"},
			with(func(s *settings) { s.includeDelete = false })},
		{"DERIVE_WINDOW_SEC", nil, map[string]string{"DERIVE_WINDOW_SEC": "120"},
			with(func(s *settings) { s.window, s.fromEnv = 120*time.Second, []string{"DERIVE_WINDOW_SEC"} })},
		{"DERIVE_WINDOW_SEC with spaces", nil, map[string]string{"DERIVE_WINDOW_SEC": " 90 "},
			with(func(s *settings) { s.window, s.fromEnv = 90*time.Second, []string{"DERIVE_WINDOW_SEC"} })},
		{"--derive-window-sec wins", []string{"--derive-window-sec", "30"}, map[string]string{"DERIVE_WINDOW_SEC": "120"},
			with(func(s *settings) { s.window = 30 * time.Second })},
		{"--derive-window-sec wins over a bad DERIVE_WINDOW_SEC", []string{"--derive-window-sec=30"}, map[string]string{"DERIVE_WINDOW_SEC": "soon"},
			with(func(s *settings) { s.window = 30 * time.Second })},
		{"--mode wins over a bad MODE", []string{"--mode=glance"}, map[string]string{"MODE": "bad"},
			with(func(s *settings) { s.mode = "glance" })},
		{"API and COMPUTE patterns in vm mode", nil,
			map[string]string{"API_LOG_PATTERN": "/logs/*nova-api*.log", "COMPUTE_LOG_PATTERN": "/logs/*nova-compute*.log",
				"GLANCE_LOG_PATTERN": "/logs/*glance*.log", "NEUTRON_LOG_PATTERN": "/logs/*neutron*.log"},
			with(func(s *settings) {
				s.patterns = []string{"/logs/*nova-api*.log", "/logs/*nova-compute*.log"}
				s.fromEnv = []string{"API_LOG_PATTERN", "COMPUTE_LOG_PATTERN"}
			})},
		{"GLANCE pattern in glance mode", nil,
			map[string]string{"MODE": "glance", "API_LOG_PATTERN": "/logs/*nova-api*.log", "GLANCE_LOG_PATTERN": "/logs/*glance*.log"},
			with(func(s *settings) {
				s.mode, s.patterns = "glance", []string{"/logs/*glance*.log"}
				s.fromEnv = []string{"MODE", "GLANCE_LOG_PATTERN"}
			})},
		{"NEUTRON pattern with --mode neutron", []string{"--mode=neutron"},
			map[string]string{"API_LOG_PATTERN": "/logs/*nova-api*.log", "NEUTRON_LOG_PATTERN": "/logs/*neutron*.log"},
			with(func(s *settings) {
				s.mode, s.patterns = "neutron", []string{"/logs/*neutron*.log"}
				s.fromEnv = []string{"NEUTRON_LOG_PATTERN"}
			})},
		{"a file argument leaves the pattern variables out", []string{"api.log"},
			map[string]string{"API_LOG_PATTERN": "/logs/*nova-api*.log", "COMPUTE_LOG_PATTERN": "/logs/*nova-compute*.log"},
			with(func(s *settings) { s.files = []string{"api.log"} })},
		{"standard input as the argument leaves them out too", []string{"-"},
			map[string]string{"API_LOG_PATTERN": "/logs/*nova-api*.log"},
			with(func(s *settings) { s.files = []string{"-"} })},
		{"--pattern leaves the pattern variables out", []string{"--pattern", "/x/*.log", "--pattern=/y/*.log"},
			map[string]string{"API_LOG_PATTERN": "/logs/*nova-api*.log"},
			with(func(s *settings) { s.patterns = []string{"/x/*.log", "/y/*.log"} })},
		{"everything from the environment, as the seed's container", nil,
			map[string]string{"MODE": "vm", "DSN": "mysql+asyncmy://root:pass@host:3306/ops?charset=utf8mb4",
				"TABLE": "nova_compute_action_log", "INCLUDE_DELETE": "1", "DERIVE_WINDOW_SEC": "120",
				"API_LOG_PATTERN": "/logs/*nova-api*.log", "COMPUTE_LOG_PATTERN": "/logs/*nova-compute*.log"},
			settings{mode: "vm", dsn: "mysql+asyncmy://root:pass@host:3306/ops?charset=utf8mb4",
				table: "nova_compute_action_log", includeDelete: true, window: 120 * time.Second,
				patterns: []string{"/logs/*nova-api*.log", "/logs/*nova-compute*.log"},
				fromEnv: []string{"MODE", "DSN", "TABLE", "INCLUDE_DELETE", "DERIVE_WINDOW_SEC",
					"API_LOG_PATTERN", "COMPUTE_LOG_PATTERN"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr, stdout bytes.Buffer
			c, _, err := parseConfig(tt.args, getenv(tt.env), &stderr, &stdout)
			if err != nil {
				t.Fatalf("parseConfig(%q) with %v: %v", tt.args, tt.env, err)
			}
			if got := settingsOf(c); fmt.Sprintf("%#v", got) != fmt.Sprintf("%#v", tt.want) {
				t.Errorf("parseConfig(%q) with %v:\n got %+v\nwant %+v", tt.args, tt.env, got, tt.want)
			}
			if stderr.Len() > 0 || stdout.Len() > 0 {
				t.Errorf("parseConfig wrote stderr %q, stdout %q", stderr.String(), stdout.String())
			}
		})
	}
}

// TestConfigOtherDefaults: the settings no environment variable reaches.
func TestConfigOtherDefaults(t *testing.T) {
	c, _, err := parseConfig(nil, getenv(nil), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.batchSize != 500 || c.progress != cli.ColorAuto || c.location != time.UTC || c.dryRun || c.truncate ||
		c.quiet || c.statePath != "" || c.maxMalformed != 20 {
		t.Errorf("defaults: batch %d, progress %q, zone %v, dry-run %v, truncate %v, quiet %v, state %q, max-malformed %d",
			c.batchSize, c.progress, c.location, c.dryRun, c.truncate, c.quiet, c.statePath, c.maxMalformed)
	}
	c, _, err = parseConfig([]string{"--timezone", "Europe/Paris", "--batch-size=7", "--progress", "never", "-q",
		"--dry-run", "--truncate", "--state", "s.json"}, getenv(nil), io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.location.String() != "Europe/Paris" || c.batchSize != 7 || c.progress != cli.ColorNever || !c.quiet ||
		!c.dryRun || !c.truncate || c.statePath != "s.json" {
		t.Errorf("parsed %+v", c)
	}
}

// runCmd runs the command in-process on env, with stdin empty (not a
// terminal, so no input at all reads it).
func runCmd(args []string, env map[string]string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	code = run(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: getenv(env)})
	return code, out.String(), errb.String()
}

// TestUsageErrors: every bad flag or variable is exit 2, with a message
// that names it and the hint, on stderr only; nothing is read or written.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--bogus"}, nil, "unknown flag: --bogus"},
		{[]string{"-x"}, nil, "unknown shorthand flag: 'x' in -x"},
		{[]string{"--mode", "nova"}, nil, `--mode "nova": want vm, glance or neutron`},
		{nil, map[string]string{"MODE": "bad"}, `"bad": want vm, glance or neutron`},
		{[]string{"--derive-window-sec", "0"}, nil, `--derive-window-sec "0": want 1 to 86400`},
		{[]string{"--derive-window-sec=86401"}, nil, `--derive-window-sec "86401": want 1 to 86400`},
		{[]string{"--derive-window-sec=soon"}, nil, `invalid argument "soon" for "--derive-window-sec"`},
		{nil, map[string]string{"DERIVE_WINDOW_SEC": "abc"}, `DERIVE_WINDOW_SEC="abc": not a whole number of seconds`},
		{nil, map[string]string{"DERIVE_WINDOW_SEC": "1.5"}, `DERIVE_WINDOW_SEC="1.5": not a whole number of seconds`},
		{nil, map[string]string{"DERIVE_WINDOW_SEC": "-5"}, `DERIVE_WINDOW_SEC="-5": want 1 to 86400`},
		{nil, map[string]string{"INCLUDE_DELETE": "maybe"}, `INCLUDE_DELETE="maybe": want 1/0, true/false, yes/no`},
		{[]string{"--include-delete=maybe"}, nil, `invalid argument "maybe" for "--include-delete"`},
		{[]string{"--batch-size", "0"}, nil, "--batch-size 0: want 1 to 100000"},
		{[]string{"--batch-size=100001"}, nil, "--batch-size 100001: want 1 to 100000"},
		{[]string{"--batch-size=x"}, nil, `invalid argument "x" for "--batch-size"`},
		{[]string{"--table", "a;b"}, nil, `--table "a;b": store: table name "a;b": only letters, digits and '_'`},
		{[]string{"--table", "1abc"}, nil, `--table "1abc"`},
		{nil, map[string]string{"TABLE": "drop table x"}, `TABLE="drop table x": store: table name "drop table x": only letters, digits and '_'`},
		{[]string{"--timezone", "Nowhere/Atlantis"}, nil, "--timezone: unknown time zone Nowhere/Atlantis"},
		{[]string{"--progress=sometimes"}, nil, `invalid argument "sometimes" for "--progress"`},
		{[]string{"--pattern", "[x"}, nil, `--pattern "[x": syntax error in pattern`},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCmd(tt.args, tt.env)
		if code != cli.ExitUsage {
			t.Errorf("%q with %v: exit %d, want 2; stderr %q", tt.args, tt.env, code, stderr)
			continue
		}
		if !strings.Contains(stderr, tt.want) {
			t.Errorf("%q with %v: stderr %q, want it to say %q", tt.args, tt.env, stderr, tt.want)
		}
		if !strings.HasPrefix(stderr, "log-extract: ") || strings.Count(stderr, "\n") > 2 {
			t.Errorf("%q with %v: stderr %q, want one line of error (and the hint)", tt.args, tt.env, stderr)
		}
		if stdout != "" {
			t.Errorf("%q with %v: wrote %q to stdout", tt.args, tt.env, stdout)
		}
	}
}

// TestHelp: --help and -h print the usage on stdout and exit 0, even with
// the environment set, and list every flag and the seed's variables.
func TestHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"--mode=glance", "--help", "x.log"}} {
		code, stdout, stderr := runCmd(args, map[string]string{"MODE": "bad", "DSN": "postgres://x@db/y"})
		if code != 0 || stderr != "" {
			t.Errorf("%q: exit %d, stderr %q", args, code, stderr)
		}
		if !strings.HasPrefix(stdout, "Usage: log-extract [flags] [file|-] ...\n") {
			t.Errorf("%q: stdout starts %q", args, stdout[:min(len(stdout), 80)])
		}
		for _, want := range []string{"--mode", "--pattern", "--dsn", "--table", "--include-delete", "--derive-window-sec",
			"--dry-run", "--truncate", "--timezone", "--state", "--batch-size", "--progress", "--quiet", "--max-malformed",
			"MODE, DSN, TABLE,\nINCLUDE_DELETE, DERIVE_WINDOW_SEC, API_LOG_PATTERN, COMPUTE_LOG_PATTERN,\nGLANCE_LOG_PATTERN, NEUTRON_LOG_PATTERN",
			"mysql+asyncmy://", "Exit status: 0 done, 1", "(default 500)", `(default "UTC")`, "(default true)"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%q: the help does not mention %q", args, want)
			}
		}
	}
}

// TestNoInputMatches: a pattern (from --pattern or from the environment)
// that matches nothing is a failed run, exit 1, not a silent empty one.
func TestNoInputMatches(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCmd([]string{"--pattern", filepath.Join(dir, "*.log")}, nil)
	if code != cli.ExitInput || stdout != "" || !strings.Contains(stderr, "matches no file") {
		t.Errorf("--pattern matching nothing: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = runCmd(nil, map[string]string{"API_LOG_PATTERN": filepath.Join(dir, "*nova-api*.log")})
	if code != cli.ExitInput || !strings.Contains(stderr, "*nova-api*.log") || !strings.Contains(stderr, "matches no file") {
		t.Errorf("API_LOG_PATTERN matching nothing: exit %d, stderr %q", code, stderr)
	}
}

// TestEnvReachesTheRun checks the settings do what they say, end to end
// in-process: INCLUDE_DELETE=0 drops the delete of the fixture, MODE=glance
// finds none of its nova requests, the pattern variables name the inputs.
func TestEnvReachesTheRun(t *testing.T) {
	dir := t.TempDir()
	api := filepath.Join(dir, "nova-api.log")
	if err := os.WriteFile(api, []byte(sampleExcerpt), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		env  map[string]string
		want []string
	}{
		{[]string{api}, nil, []string{"create", "create-image", "delete", "reboot"}},
		{[]string{api}, map[string]string{"INCLUDE_DELETE": "0"}, []string{"create", "create-image", "reboot"}},
		{[]string{"--include-delete=false", api}, nil, []string{"create", "create-image", "reboot"}},
		{[]string{"--include-delete", api}, map[string]string{"INCLUDE_DELETE": "no"}, []string{"create", "create-image", "delete", "reboot"}},
		{[]string{api}, map[string]string{"MODE": "glance"}, nil},
		{nil, map[string]string{"API_LOG_PATTERN": filepath.Join(dir, "*api*.log")}, []string{"create", "create-image", "delete", "reboot"}},
		// The pattern of another mode is not read: standard input (empty) is.
		{nil, map[string]string{"GLANCE_LOG_PATTERN": filepath.Join(dir, "*api*.log")}, nil},
	}
	for _, tt := range tests {
		code, stdout, stderr := runCmd(append([]string{"-q"}, tt.args...), tt.env)
		if code != 0 || stderr != "" {
			t.Errorf("%q with %v: exit %d, stderr %q", tt.args, tt.env, code, stderr)
		}
		if got := actionsOf(t, stdout); !slices.Equal(got, tt.want) {
			t.Errorf("%q with %v: actions %q, want %q", tt.args, tt.env, got, tt.want)
		}
	}
}

// sampleExcerpt is seven lines of os-loganalyze/screen-n-api.txt.gz (lines
// 3384, 3391, 3542, 3616, 4412, 7803 and 7822; Havana, no PID): a create
// with its instance line, a createImage and a reboot with their DEBUG body
// lines, and a delete.
const sampleExcerpt = `2013-09-27 18:23:54.436 DEBUG nova.compute.api [req-05857e26-a3a6-4069-b748-0fa5e13ae3a3 ImagesOneServerTestJSON460316505-user ImagesOneServerTestJSON121812862-tenant] [instance: 73bac72c-5615-42c5-9ac1-bb919f23176a] block_device_mapping [{'guest_format': None, 'boot_index': 0, 'no_device': None, 'connection_info': None, 'snapshot_id': None, 'volume_size': None, 'device_name': None, 'disk_bus': None, 'image_id': u'ab98272d-a812-4e25-ab57-ad56d37b9352', 'source_type': 'image', 'device_type': 'disk', 'volume_id': None, 'destination_type': 'local', 'delete_on_termination': True}] _update_block_device_mapping /opt/stack/new/nova/nova/compute/api.py:943
2013-09-27 18:23:54.469 INFO nova.osapi_compute.wsgi.server [req-05857e26-a3a6-4069-b748-0fa5e13ae3a3 ImagesOneServerTestJSON460316505-user ImagesOneServerTestJSON121812862-tenant] 127.0.0.1 "POST /v2/b5fcd490783f48499185886036bc1c99/servers HTTP/1.1" status: 202 len: 746 time: 0.7143321
2013-09-27 18:24:01.276 DEBUG nova.api.openstack.wsgi [req-3b67f0d0-85ee-4f2b-ace5-1860fec07c4b ImagesOneServerTestJSON460316505-user ImagesOneServerTestJSON121812862-tenant] Action: 'action', body: {"createImage": {"name": "image3576557", "metadata": {"image_type": "test"}}} _process_stack /opt/stack/new/nova/nova/api/openstack/wsgi.py:935
2013-09-27 18:24:01.721 INFO nova.osapi_compute.wsgi.server [req-3b67f0d0-85ee-4f2b-ace5-1860fec07c4b ImagesOneServerTestJSON460316505-user ImagesOneServerTestJSON121812862-tenant] 127.0.0.1 "POST /v2/b5fcd490783f48499185886036bc1c99/servers/73bac72c-5615-42c5-9ac1-bb919f23176a/action HTTP/1.1" status: 202 len: 317 time: 0.5440581
2013-09-27 18:24:08.366 INFO nova.osapi_compute.wsgi.server [req-da5b8f32-8d32-4bc5-a7c6-5d918e709ef1 ImagesOneServerTestJSON460316505-user ImagesOneServerTestJSON121812862-tenant] 127.0.0.1 "DELETE /v2/b5fcd490783f48499185886036bc1c99/servers/73bac72c-5615-42c5-9ac1-bb919f23176a HTTP/1.1" status: 204 len: 198 time: 0.1447251
2013-09-27 18:25:18.305 DEBUG nova.api.openstack.wsgi [req-de04e3c1-e399-4be8-9a84-60b63961695f ServerActionsTestJSON974019322-user ServerActionsTestJSON1472059969-tenant] Action: 'action', body: {"reboot": {"type": "HARD"}} _process_stack /opt/stack/new/nova/nova/api/openstack/wsgi.py:935
2013-09-27 18:25:18.510 INFO nova.osapi_compute.wsgi.server [req-de04e3c1-e399-4be8-9a84-60b63961695f ServerActionsTestJSON974019322-user ServerActionsTestJSON1472059969-tenant] 127.0.0.1 "POST /v2/979c810b75564931a2f5a93b751068fb/servers/9427de20-791a-4595-a823-f06de21b56cb/action HTTP/1.1" status: 202 len: 204 time: 0.2084539
`

// actionsOf returns the action of each JSON line of stdout.
func actionsOf(t *testing.T, stdout string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(stdout, "\n") {
		if l == "" {
			continue
		}
		var v struct{ Action string }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("not a JSON line: %q: %v", l, err)
		}
		out = append(out, v.Action)
	}
	return out
}
