package httpaudit_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

func TestComputeActions(t *testing.T) {
	const id = "5f1e0b9c-8a7d-4c3b-9e2f-1a0b9c8d7e6f"
	server := auditlog.Target{Type: "server", ID: id}
	servers := auditlog.Target{Type: "server"}
	for _, c := range []struct {
		method, path, body string
		action             string
		target             auditlog.Target
	}{
		// The collection, under every prefix Nova is served with.
		{"POST", "/servers", "", "create", servers},
		{"POST", "/v2.1/servers", "", "create", servers},
		{"POST", "/v2/servers", "", "create", servers},
		{"POST", "/v2/0f9e8d7c6b5a49382716a5b4c3d2e1f0/servers", "", "create", servers},
		{"POST", "/v2.1/0f9e8d7c6b5a49382716a5b4c3d2e1f0/servers", "", "create", servers},
		{"POST", "/compute/v2.1/servers", "", "create", servers},
		{"POST", "/compute/v2.1/p-42/servers", "", "create", servers},
		{"GET", "/v2.1/servers", "", "read", servers},
		{"GET", "/v2.1/servers/detail", "", "read", servers},
		{"HEAD", "/v2.1/servers", "", "read", servers},
		// One server.
		{"GET", "/v2.1/servers/" + id, "", "read", server},
		{"PUT", "/v2.1/servers/" + id, "", "update", server},
		{"DELETE", "/v2.1/servers/" + id, "", "delete", server},
		{"DELETE", "/v2/p-42/servers/" + id, "", "delete", server},
		{"DELETE", "/servers/" + id, "", "delete", server},
		// Server actions, named by the body.
		{"POST", "/v2.1/servers/" + id + "/action", `{"pause": null}`, "pause", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"unpause":null}`, "unpause", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"suspend": null}`, "suspend", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"resume": null}`, "resume", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"reboot": {"type": "SOFT"}}`, "reboot", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"os-start": null}`, "start", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"os-stop": null}`, "stop", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"os-getVNCConsole": {"type": "novnc"}}`, "console", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"createImage": {"name": "snap", "metadata": {}}}`, "create-image", server},
		{"POST", "/v2.1/servers/" + id + "/action", "\n {\"trigger_crash_dump\" : null}\n", "trigger-crash-dump", server},
		{"POST", "/v2/p-42/servers/" + id + "/action", `{"os-migrateLive": {"host": null}}`, "live-migrate", server},
		{"POST", "/compute/v2.1/servers/" + id + "/action", `{"lock": {}}`, "lock", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"confirmResize": null}`, "confirm-resize", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"addFloatingIp": {"address": "10.0.0.5"}}`, "add-floating-ip", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"os-resetState": {"state": "active"}}`, "reset-state", server},
		// A key nova never had: kebab-case all the same, one shape.
		{"POST", "/v2.1/servers/" + id + "/action", `{"os-doSomethingNew": null}`, "do-something-new", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"1st": null}`, "unknown", server},
		// Bodies that name nothing, or too much: never a guess.
		{"POST", "/v2.1/servers/" + id + "/action", ``, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `pause`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{}`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"pause": null, "unpause": null}`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"pause": null, "pause": null}`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"pause": null} {"x": 1}`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"pause": nul}`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"pause": null`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `["pause"]`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"pa use": null}`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"pause\n{\"kind\":\"x\"}": null}`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"` + strings.Repeat("a", 65) + `": null}`, "unknown", server},
		{"POST", "/v2.1/servers/" + id + "/action", `{"": null}`, "unknown", server},
		// Consoles.
		{"POST", "/v2.1/servers/" + id + "/remote-consoles", `{"remote_console": {"protocol": "vnc"}}`, "console", server},
		// Sub-resources: by method, the sub-collection as the target.
		{"POST", "/v2.1/servers/" + id + "/os-volume_attachments", "", "create", auditlog.Target{Type: "os-volume_attachments"}},
		{"DELETE", "/v2.1/servers/" + id + "/os-volume_attachments/vol-1", "", "delete", auditlog.Target{Type: "os-volume_attachments", ID: "vol-1"}},
		{"GET", "/v2.1/servers/" + id + "/ips", "", "read", auditlog.Target{Type: "ips"}},
		{"PUT", "/v2.1/servers/" + id + "/metadata/color", "", "update", auditlog.Target{Type: "metadata", ID: "color"}},
		// Not servers URLs: CRUDActions' rules.
		{"GET", "/v2.1/flavors/42", "", "read", auditlog.Target{Type: "flavors", ID: "42"}},
		{"POST", "/v2.1/os-keypairs", "", "create", auditlog.Target{Type: "os-keypairs"}},
		{"GET", "/users/servers", "", "read", auditlog.Target{Type: "servers"}}, // no version: "users" is no project
		{"GET", "/", "", "read", auditlog.Target{}},
		{"OPTIONS", "/v2.1/servers", "", "unknown", servers},
		{"GET", "/a/b/c/d/e/f/g/h/i/j/k/servers", "", "read", auditlog.Target{Type: "servers"}},
	} {
		m := httpaudit.ComputeActions
		need := m.BodyNeeded(c.method, c.path)
		if wantNeed := strings.HasSuffix(c.path, "/action") && c.method == "POST"; need != wantNeed {
			t.Errorf("%s %s: BodyNeeded = %v", c.method, c.path, need)
		}
		r := &httpaudit.ActionRequest{Method: c.method, Path: c.path}
		if need {
			r.Body, r.BodyComplete = []byte(c.body), true
		}
		action, target := m.Name(r)
		if action != c.action || target != c.target {
			t.Errorf("%s %s %.40q: %q %+v, want %q %+v", c.method, c.path, c.body, action, target, c.action, c.target)
		}
	}
}

func TestComputeActionsIncompleteBody(t *testing.T) {
	action, _ := httpaudit.ComputeActions.Name(&httpaudit.ActionRequest{
		Method: "POST", Path: "/servers/x/action", Body: []byte(`{"pause": null}`), BodyComplete: false,
	})
	if action != "unknown" {
		t.Errorf("a body known to be cut gave %q, want unknown", action)
	}
}

func TestCRUDActions(t *testing.T) {
	for _, c := range []struct {
		method, pattern, path string
		action                string
		target                auditlog.Target
	}{
		// With a pattern: literals are collections, wildcards ids.
		{"GET", "/v1/widgets/{id}", "/v1/widgets/blue", "read", auditlog.Target{Type: "widgets", ID: "blue"}},
		{"PATCH", "/widgets/{id}/parts/{part}", "/widgets/blue/parts/wheel", "update", auditlog.Target{Type: "parts", ID: "wheel"}},
		{"POST", "/widgets/{id}/parts", "/widgets/blue/parts", "create", auditlog.Target{Type: "parts"}},
		{"DELETE", "/files/{path...}", "/files/a", "delete", auditlog.Target{Type: "files", ID: "a"}},
		{"GET", "/{$}", "/", "read", auditlog.Target{}},
		{"GET", "/{tenant}/things", "/t1/things", "read", auditlog.Target{Type: "things"}},
		// ComputeActions' special cases are not CRUDActions'.
		{"POST", "/servers/{id}/action", "/servers/abc/action", "create", auditlog.Target{Type: "action"}},
		// Without one: a segment with a digit is an id.
		{"GET", "", "/v2/0f9e8d7c/volumes/7c3e", "read", auditlog.Target{Type: "volumes", ID: "7c3e"}},
		{"GET", "", "/widgets/42/parts", "read", auditlog.Target{Type: "parts"}},
		{"GET", "", "/widgets/blue", "read", auditlog.Target{Type: "blue"}}, // a name without a digit reads as a collection
		{"TRACE", "", "/x", "unknown", auditlog.Target{Type: "x"}},
		{"GET", "", "/v2.1", "read", auditlog.Target{}},
	} {
		action, target := httpaudit.CRUDActions.Name(&httpaudit.ActionRequest{Method: c.method, Pattern: c.pattern, Path: c.path})
		if action != c.action || target != c.target {
			t.Errorf("%s %q %q: %q %+v, want %q %+v", c.method, c.pattern, c.path, action, target, c.action, c.target)
		}
		if httpaudit.CRUDActions.BodyNeeded(c.method, c.path) {
			t.Errorf("CRUDActions wants a body")
		}
	}
}

// TestAPIActionAttr sends server actions through the real middleware: the
// line's action is ours, and the body's own key is kept in
// attrs.api_action when it differs, and only then.
func TestAPIActionAttr(t *testing.T) {
	e := newEnv(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	}), nil)
	const path = "/v2.1/servers/5f1e0b9c/action"
	for _, c := range []struct{ body, action, api string }{
		{`{"os-migrateLive": {"host": null, "block_migration": "auto"}}`, "live-migrate", "os-migrateLive"},
		{`{"createImage": {"name": "snap"}}`, "create-image", "createImage"},
		{`{"os-getSerialConsole": {"type": "serial"}}`, "console", "os-getSerialConsole"},
		{`{"pause": null}`, "pause", ""},
		{`{"pause": null, "x": 1}`, "unknown", ""},
		{`{"bad key": null}`, "unknown", ""},
	} {
		e.rec.Reset()
		e.do(t, "POST", path, nil, c.body)
		lines := requestLines(e.rec)
		if len(lines) != 1 {
			t.Fatalf("%s: %d request lines", c.body, len(lines))
		}
		expect(t, lines[0], map[string]string{"action": c.action, "attrs.api_action": c.api, "status": "202"})
	}
	// A handler that panics: its request line still says both.
	e = newEnv(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic("boom") }), nil)
	e.do(t, "POST", path, nil, `{"confirmResize": null}`)
	lines := requestLines(e.rec)
	if len(lines) != 1 {
		t.Fatalf("%d request lines", len(lines))
	}
	expect(t, lines[0], map[string]string{"action": "confirm-resize", "attrs.api_action": "confirmResize", "attrs.panicked": "true"})
}
