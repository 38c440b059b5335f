package extract

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
	"github.com/auditlog-go/auditlog/tools/extract/action"
)

// scenario is one request of TestJSONMatchesText, and what nova-compute
// logs for it.
type scenario struct {
	at      string // time of day the request ends
	method  string
	path    string
	body    string
	status  int
	compute string // a compute message logged 1s later under the request id, if any
}

const vmJ = "5f1e0b9c-0000-4000-8000-000000000001"

var scenarios = []scenario{
	{"10:00:00", "POST", "/v2.1/servers", `{"server": {"name": "a"}}`, 202, "Starting instance..."},
	{"10:02:00", "POST", "/v2.1/servers/" + vmJ + "/action", `{"pause": null}`, 202, "Pausing"},
	{"10:04:00", "POST", "/v2.1/servers/" + vmJ + "/action", `{"unpause": null}`, 202, ""},
	{"10:06:00", "POST", "/v2.1/servers/" + vmJ + "/action", `{"os-stop": null}`, 202, ""},
	{"10:08:00", "POST", "/v2.1/servers/" + vmJ + "/action", `{"os-start": null}`, 202, ""},
	{"10:10:00", "POST", "/v2.1/servers/" + vmJ + "/remote-consoles", `{"remote_console": {"protocol": "vnc"}}`, 200, ""},
	{"10:12:00", "POST", "/v2.1/servers/" + vmJ + "/action", `{"os-getVNCConsole": {"type": "novnc"}}`, 200, ""},
	{"10:14:00", "POST", "/v2.1/servers/" + vmJ + "/action", `{"reboot": {"type": "SOFT"}}`, 409, ""},
	// A body no one can name the action from: both sides resolve it from
	// the compute line of the request.
	{"10:16:00", "POST", "/v2.1/servers/" + vmJ + "/action", `not json`, 202, "Rebooting instance"},
	{"10:18:00", "GET", "/v2.1/servers/" + vmJ, ``, 200, ""},
	{"10:20:00", "DELETE", "/v2.1/servers/" + vmJ, ``, 204, "Terminating instance"},
}

func reqID(i int) string { return fmt.Sprintf("req-00000000-0000-4000-8000-%012d", i) }

func at(hms string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05", "2026-11-23 "+hms)
	if err != nil {
		panic(err)
	}
	return t
}

// textLogs writes the scenarios as nova-api and nova-compute text logs.
func textLogs(t *testing.T, dir string) []string {
	var api, compute strings.Builder
	for i, s := range scenarios {
		end := at(s.at)
		ctx := fmt.Sprintf("[%s u1 p1 - - -]", reqID(i))
		stamp := func(t time.Time) string { return t.Format("2006-01-02 15:04:05.000") }
		if strings.HasSuffix(s.path, "/action") {
			fmt.Fprintf(&api, "%s 100 DEBUG nova.api.openstack.wsgi %s Action: 'action', body: %s _process_stack /x.py:1\n",
				stamp(end.Add(-100*time.Millisecond)), ctx, s.body)
		}
		fmt.Fprintf(&api, "%s 100 INFO nova.osapi_compute.wsgi.server %s 10.0.0.1 \"%s %s HTTP/1.1\" status: %d len: 0 time: 0.0000000\n",
			stamp(end), ctx, s.method, s.path, s.status)
		if s.compute != "" {
			fmt.Fprintf(&compute, "%s 200 INFO nova.compute.manager %s [instance: %s] %s\n", stamp(end.Add(time.Second)), ctx, vmJ, s.compute)
		}
	}
	return []string{write(t, dir, "nova-api.log", api.String()), write(t, dir, "nova-compute.log", compute.String())}
}

// jsonLines serves the scenarios through our HTTP middleware and returns
// its audit lines.
func jsonLines(t *testing.T) []string {
	var out bytes.Buffer
	var now time.Time
	clock := func() time.Time { return now }
	h := auditlog.NewHandler(&out, &auditlog.Options{Service: "nova-api", Now: clock, Sequence: new(auditlog.Sequence)})
	var status int
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
	// As nova-api behind keystonemiddleware: the identity headers are trusted.
	handler := httpaudit.New(middleware.NewReporter(h), httpaudit.WithTrustedIdentity(true), httpaudit.WithClock(clock))(app)
	for i, s := range scenarios {
		now, status = at(s.at), s.status
		r := httptest.NewRequest(s.method, s.path, strings.NewReader(s.body))
		r.Header.Set("X-OpenStack-Request-ID", reqID(i))
		r.Header.Set("X-User-Id", "u1")
		r.Header.Set("X-Project-Id", "p1")
		handler.ServeHTTP(httptest.NewRecorder(), r)
	}
	return strings.SplitAfter(strings.TrimSuffix(out.String(), "\n"), "\n")
}

// withNewlines ends every line with "\n".
func withNewlines(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = strings.TrimSuffix(l, "\n") + "\n"
	}
	return out
}

func write(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestJSONMatchesText feeds one scenario as nova's text logs and as our
// middleware's JSON lines (with nova-compute's text lines beside them,
// then interleaved with them in one file): the same actions come out,
// field for field but for how they were matched and the lines used.
func TestJSONMatchesText(t *testing.T) {
	dir := t.TempDir()
	text := textLogs(t, dir)
	lines := jsonLines(t)
	jsonFile := write(t, dir, "nova-api.json", strings.Join(lines, ""))

	// One file: the JSON lines and the compute lines in time order.
	compute, err := os.ReadFile(text[1])
	if err != nil {
		t.Fatal(err)
	}
	mixed := withNewlines(append(slices.Clone(lines), strings.Split(strings.TrimSuffix(string(compute), "\n"), "\n")...))
	slices.SortStableFunc(mixed, func(a, b string) int { return lineTime(a).Compare(lineTime(b)) })
	mixedFile := write(t, dir, "mixed.log", strings.Join(mixed, ""))

	run := func(names ...string) ([]string, []action.Action) {
		var got []action.Action
		if _, err := Run(context.Background(), names, Options{IncludeDelete: true}, func(a action.Action) error {
			got = append(got, a)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		var s []string
		for _, a := range got {
			a.Match, a.Evidence = "", nil
			s = append(s, fmt.Sprintf("%+v", a))
		}
		return s, got
	}
	fromText, textActs := run(text...)
	fromJSON, jsonActs := run(jsonFile, text[1])
	fromMixed, _ := run(mixedFile)
	if len(fromText) != 10 {
		t.Errorf("%d actions from text, want 10 (every request but the GET):\n%s", len(fromText), strings.Join(fromText, "\n"))
	}
	for name, got := range map[string][]string{"JSON": fromJSON, "mixed": fromMixed} {
		if !slices.Equal(got, fromText) {
			t.Errorf("%s differs from text:\n-%s\n+%s", name, strings.Join(fromText, "\n-"), strings.Join(got, "\n+"))
		}
	}
	var names []string
	for i := range textActs {
		names = append(names, fmt.Sprintf("%s/%s/%s", textActs[i].Action, textActs[i].Match, jsonActs[i].Match))
	}
	want := "create/api/api pause/request_id/api unpause/request_id/api stop/request_id/api start/request_id/api " +
		"console/api/api console/request_id/api reboot/request_id/api reboot/request_id/request_id delete/api/api"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("action/text match/JSON match:\n got %s\nwant %s", got, want)
	}
	if ev := jsonActs[0].Evidence; len(ev) != 2 || ev[0].Role != "audit" || ev[1].Role != "instance" {
		t.Errorf("create from JSON: evidence %+v, want the audit line and compute's instance line", ev)
	}
}

// lineTime is the time of a JSON or text line, for sorting the mixed file.
func lineTime(l string) time.Time {
	if strings.HasPrefix(l, "{") {
		var v struct{ Timestamp time.Time }
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			panic(err)
		}
		return v.Timestamp
	}
	t, _ := time.Parse("2006-01-02 15:04:05.000", l[:23])
	return t
}

// TestJSONLines covers the lines that are not request lines of this mode.
func TestJSONLines(t *testing.T) {
	var got []action.Action
	e := New(Options{}, func(a action.Action) error { got = append(got, a); return nil })
	for i, l := range []string{
		`{"kind":"log","level":"INFO","message":"hello","schema_version":1,"timestamp":"2026-11-23T10:00:00Z"}`,
		`{"kind":"request","action":"create","message":"POST /v2.0/ports","rpc":{"method":"POST"},"status":201,"schema_version":1,"timestamp":"2026-11-23T10:00:01Z"}`,
		`{"kind":"request","action":"pause","message":"POST /v2.1/servers/x/action","rpc":{"method":"POST"},"status":202,"schema_version":1,"timestamp":"2026-11-23T10:00:02Z","target":{"id":"x","type":"server"}}`,
		`{"kind":"request", broken`,
	} {
		if err := e.AddJSON("a.json", int64(i+1), []byte(l)); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Flush(true); err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Action != "pause" || got[0].Resource != "x" || got[0].Match != action.MatchAPI {
		t.Errorf("got %+v, want the pause alone", got)
	}
	if st := e.Stats(); st.Malformed != 1 || st.MalformedAt[0].Line != 4 {
		t.Errorf("malformed %d at %+v, want line 4", st.Malformed, st.MalformedAt)
	}
}
