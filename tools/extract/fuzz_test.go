package extract

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/extract/action"
	"github.com/auditlog-go/auditlog/tools/input"
)

// kebab is the shape of every action name.
var kebab = regexp.MustCompile(`^[a-z][a-z0-9]*(-[a-z0-9]+)*$`)

// FuzzRecognisers runs every recogniser on arbitrary text: none may panic,
// and what they return must come from their input.
func FuzzRecognisers(f *testing.F) {
	for _, s := range []string{
		`10.11.10.1 "POST /v2/p/servers/x/action HTTP/1.1" status: 202 len: 0 time: 0.2`,
		`10.0.0.1 - - [29/Oct/2015 10:53:19] "PUT /v2.0/ports/x.json HTTP/1.1" 200 983 1.39`,
		`Action: 'action', body: {"pause": null}`,
		"Action: 'action', body: <?xml version=\"1.0\"?>\n<reboot type=\"HARD\"/>",
		`Calling method <bound method Controller._action_reboot of <x>>`,
		`During sync_power_state the instance has a pending task (`,
		`VM Paused (Lifecycle Event)`, `"`, `body: {"`, `bound method .`,
		"Lifecycle event 1 on VM a18a5824-4215-4e24-bcfc-cb9f89f6bcbd",
		"Emitting event <LifecycleEvent: 1446130388.14, a18a5824-4215-4e24-bcfc-cb9f89f6bcbd => 已停止>",
		"VM 已停止 (生命周期事件)", "アクション: 'action'、呼び出しメソッド: <function _pause at 0x1>、本文: {\"pause\": null}",
		"Pausiere", "<function x", "<bound method <<>",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if a, ok := ParseAccess(s); ok {
			if !strings.Contains(s, a.Method+" "+a.Path) {
				t.Errorf("ParseAccess(%q) = %+v: not from the line", s, a)
			}
			for _, c := range []func(string, string) (Request, bool){ClassifyVM, ClassifyGlance, ClassifyNeutron} {
				if r, ok := c(a.Method, a.Path); ok && r.Resource != "" && !strings.Contains(a.Path, r.Resource) {
					t.Errorf("resource %q not in path %q", r.Resource, a.Path)
				}
			}
		}
		msg, extra, _ := strings.Cut(s, "\n")
		if act := DebugAction(msg, []string{extra}); act != "" && (act != ServerAction(act) || !kebab.MatchString(act)) {
			t.Errorf("DebugAction(%q) = %q, not a normalised name", s, act)
		}
		if key := DebugKey(msg, []string{extra}); key != "" && ServerAction(key) == "" {
			t.Errorf("DebugKey(%q) = %q, which names no action", s, key)
		}
		RequestMessage(s)
		LifecycleEvent(s)
		AutomaticMark(s)
		pathSegments(s)
		if ev, inst := LifecycleLine(s); ev != "" && lifeName(ev) == "" || inst != "" && (ev == "" || !strings.Contains(s, inst)) {
			t.Errorf("LifecycleLine(%q) = %q %q", s, ev, inst)
		}
		if en, lang := Untranslate(s); lang == "" && en != s {
			t.Errorf("Untranslate(%q) = %q with no language", s, en)
		} else if lang != "" && en == s {
			t.Errorf("Untranslate(%q) read %s but changed nothing", s, lang)
		}
	})
}

// FuzzRun reads arbitrary input as a log: no panic, and every action is
// emitted once the input ends.
func FuzzRun(f *testing.F) {
	f.Add("2015-10-29 10:00:00.300 1 INFO nova.osapi_compute.wsgi.server [req-1 u p - - -] 10.0.0.1 \"POST /v2/p/servers/x/action HTTP/1.1\" status: 202 len: 0 time: 0.2\n" +
		"2015-10-29 10:00:01.000 2 INFO nova.compute.manager [-] [instance: x] VM Paused (Lifecycle Event)\n")
	f.Add("nova-api.log 2017-05-16 00:00:00.008 25746 DEBUG nova.api.openstack.wsgi [req-2 - - - - -] Action: 'action', body: <?xml?>\n<pause/>\n")
	f.Add(`{"kind":"request","action":"unknown","message":"POST /v2.1/servers/x/action","schema_version":1,"timestamp":"2026-11-23T09:30:00Z"}` + "\n")
	f.Fuzz(func(t *testing.T, data string) {
		e := New(Options{IncludeDelete: true, Input: input.Options{Stdin: strings.NewReader(data), MaxLine: 256}}, func(action.Action) error { return nil })
		if err := e.ReadFiles(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
		if len(e.pending) != 0 {
			t.Errorf("%d actions left after the end", len(e.pending))
		}
		c := &cursor{e: e}
		c.scan([]byte(data))
	})
}
