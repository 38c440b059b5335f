package extract

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/extract/action"
)

func TestParseTemplate(t *testing.T) {
	for in, want := range map[string]string{
		"Pausing":                                    `["Pausing"] []`,
		"VM %(state)s (Lifecycle Event)":             `["VM " " (Lifecycle Event)"] [state]`,
		"Took %(seconds).2f seconds to spawn":        `["Took " " seconds to spawn"] [seconds]`,
		"Lifecycle event %(state)d on VM %(uuid)s":   `["Lifecycle event " " on VM " ""] [state uuid]`,
		"Deleting instance files %s":                 `["Deleting instance files " ""] [#0]`,
		"100%% done, %d of %s":                       `["100% done, " " of " ""] [#0 #1]`,
		"a %(unclosed":                               `["a %(unclosed"] []`,
		"trailing %":                                 `["trailing %"] []`,
		"Migration running for %d secs, memory %d%%": `["Migration running for " " secs, memory " "%"] [#0 #1]`,
	} {
		tp := parseTemplate(in)
		if got := fmt.Sprintf("%q %v", tp.lits, tp.names); got != want {
			t.Errorf("parseTemplate(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestUntranslateSmallCatalog(t *testing.T) {
	tr := newTranslator([]catalogEntry{
		{"zh_CN", "VM %(state)s (Lifecycle Event)", "VM %(state)s (生命周期事件)"},
		{"zh_CN", "Stopped", "已停止"},
		{"ja", "Action: '%(action)s', calling method: %(meth)s, body: %(body)s", "アクション: '%(action)s'、呼び出しメソッド: %(meth)s、本文: %(body)s"},
		{"de", "Pausing", "Pausiere"},
		{"de", "Rebooting instance", "Instanz wird neu gestartet"},
		{"fr", "Took %(seconds).2f seconds to spawn", "%(seconds).2f secondes pour lancer"}, // starts with a value
		{"it", "Lost %(a)s", "%(b)s perso"},                                                 // names that differ: not readable
	})
	for in, want := range map[string]string{
		"VM 已停止 (生命周期事件)":            "VM Stopped (Lifecycle Event)",
		"Pausiere":                   "Pausing",
		"Pausiere sofort":            "Pausing sofort",
		"Pausierenicht":              "Pausierenicht",
		"Instanz wird neu gestartet": "Rebooting instance",
		"3.50 secondes pour lancer":  "Took 3.50 seconds to spawn",
		"x perso":                    "x perso",
		"Rebooting instance":         "Rebooting instance",
		"アクション: 'action'、呼び出しメソッド: <bound method C._pause of <x>>、本文: {\"pause\": null}": `Action: 'action', calling method: <bound method C._pause of <x>>, body: {"pause": null}`,
	} {
		if got, _ := tr.untranslate(in); got != want {
			t.Errorf("untranslate(%q) = %q, want %q", in, got, want)
		}
	}
}

// fillSample fills a message template with made-up values, the state words
// of lang in place of %(state)s.
func fillSample(msg, lang string, state string) string {
	tp := parseTemplate(msg)
	var b strings.Builder
	for i, lit := range tp.lits {
		b.WriteString(lit)
		if i < len(tp.names) {
			b.WriteString(sampleValue(tp.names[i], lang, state))
		}
	}
	return b.String()
}

func sampleValue(name, lang, state string) string {
	switch name {
	case "state":
		if lang == "" {
			return state
		}
		for _, e := range novaCatalog {
			if e.Lang == lang && e.MsgID == state {
				return e.MsgStr
			}
		}
		return state
	case "#0": // Havana's numbered state, in a positional message
		return "2"
	case "uuid":
		return vm1
	case "meth":
		return "<bound method AdminActionsController._pause of <nova.api.openstack.compute.contrib.admin_actions.AdminActionsController object at 0x4b9c210>>"
	case "body":
		return `{"pause": null}`
	case "action":
		return "action"
	}
	return "7"
}

// TestUntranslateCatalog reads back a line made from every translation in
// nova's catalogs: each gives nova's English message with the same values.
func TestUntranslateCatalog(t *testing.T) {
	if len(novaCatalog) < 100 {
		t.Fatalf("the catalog table holds %d translations", len(novaCatalog))
	}
	langs := map[string]bool{}
	read, ambiguous := 0, 0
	for _, e := range novaCatalog {
		if e.MsgStr == e.MsgID {
			continue
		}
		state := clearState(e.Lang)
		in := fillSample(strings.TrimRight(e.MsgStr, " "), e.Lang, state)
		want := fillSample(e.MsgID, "", state)
		if p := catalog().exact[strings.TrimRight(e.MsgStr, " ")]; p.msgid == "" && strings.IndexByte(e.MsgStr, '%') < 0 {
			want = in // one translation of two messages: read as neither
		}
		got, lang := Untranslate(in)
		if got != want {
			// Two messages may share a translation in some language
			// (a short word); the other's English is as good a reading.
			if alt := otherReading(e, in, got); alt {
				ambiguous++
				continue
			}
			t.Errorf("%s %q: Untranslate(%q) = %q, want %q", e.Lang, e.MsgID, in, got, want)
			continue
		}
		if lang == "" && got != in {
			t.Errorf("%s %q: no language reported", e.Lang, e.MsgID)
		}
		langs[e.Lang] = true
		read++
	}
	t.Logf("%d translations read back in %d languages (%d shared with another message)", read, len(langs), ambiguous)
	for _, l := range []string{"de", "es", "fr", "it", "ja", "ko_KR", "pt_BR", "ru", "zh_CN", "zh_TW"} {
		if !langs[l] {
			t.Errorf("no translation in %s read back", l)
		}
	}
}

// clearState is a lifecycle state whose word in lang stands for no other.
func clearState(lang string) string {
	for _, st := range []string{"Paused", "Started", "Resumed", "Stopped", "Suspended"} {
		for _, e := range novaCatalog {
			if e.Lang == lang && e.MsgID == st && catalog().words[lang+"\x00"+e.MsgStr] == st {
				return st
			}
		}
	}
	return "Paused"
}

// otherReading reports whether got is the English of another catalog
// entry whose translation, filled, is in too.
func otherReading(e catalogEntry, in, got string) bool {
	for _, o := range novaCatalog {
		if o.Lang == e.Lang && o.MsgID != e.MsgID && strings.HasPrefix(in, strings.SplitN(o.MsgStr, "%", 2)[0]) &&
			strings.HasPrefix(got, strings.SplitN(o.MsgID, "%", 2)[0]) {
			return true
		}
	}
	return false
}

// TestTranslatedLogs runs the extractor over the same story told in every
// language the catalogs have: a pause named by nova-api's DEBUG line, a
// reboot by compute's line, a suspend by its lifecycle event. Each must
// resolve as it does in English.
func TestTranslatedLogs(t *testing.T) {
	tr := func(lang, msgid string) (string, bool) {
		for _, e := range novaCatalog {
			if e.Lang == lang && e.MsgID == msgid {
				return e.MsgStr, true
			}
		}
		return "", false
	}
	langs := []string{}
	for _, e := range novaCatalog {
		if !slices.Contains(langs, e.Lang) {
			langs = append(langs, e.Lang)
		}
	}
	slices.Sort(langs)
	actionPath := "/v2/p1/servers/" + vm1 + "/action"
	access := func(ts, ctx string) string {
		return fmt.Sprintf(`2015-10-29 %s 100 INFO nova.osapi_compute.wsgi.server %s 10.0.0.1 "POST %s HTTP/1.1" status: 202 len: 0 time: 0.2000000`, ts, ctx, actionPath)
	}
	const debugID = "Action: '%(action)s', calling method: %(meth)s, body: %(body)s"
	const lifeID = "VM %(state)s (Lifecycle Event)"
	covered := map[string]int{}
	for _, lang := range langs {
		var lines []string
		var want []string
		if debug, ok := tr(lang, debugID); ok {
			lines = append(lines,
				`2015-10-29 10:00:00.100 100 DEBUG nova.api.openstack.wsgi `+ctx1+` `+fillSample(debug, lang, "")+` _process_stack /x.py:1`,
				access("10:00:00.300", ctx1))
			want = append(want, "pause request_id")
			covered["debug"]++
		}
		if reboot, ok := tr(lang, "Rebooting instance"); ok {
			lines = append(lines,
				access("10:05:00.300", ctx2),
				fmt.Sprintf("compute.log|2015-10-29 10:05:00.500 200 INFO nova.compute.manager %s [instance: %s] %s", ctx2, vm1, reboot))
			want = append(want, "reboot request_id")
			covered["compute"]++
		}
		if life, ok := tr(lang, lifeID); ok {
			if _, ok := tr(lang, "Suspended"); ok {
				lines = append(lines,
					access("10:10:00.300", ctx3),
					fmt.Sprintf("compute.log|2015-10-29 10:10:02.000 200 INFO nova.compute.manager [-] [instance: %s] %s", vm1, fillSample(life, lang, "Suspended")))
				want = append(want, "suspend time_window")
				covered["lifecycle"]++
			}
		}
		if len(lines) == 0 {
			continue
		}
		got := extractAll(t, Options{Mode: action.ModeVM}, records(t, lines...))
		var have []string
		for _, a := range got {
			have = append(have, a.Action+" "+a.Match)
		}
		if strings.Join(have, "; ") != strings.Join(want, "; ") {
			t.Errorf("%s: got %q, want %q\n%s", lang, have, want, strings.Join(lines, "\n"))
		}
	}
	t.Logf("languages: %d; by form: %v", len(langs), covered)
	for _, form := range []string{"debug", "compute", "lifecycle"} {
		if covered[form] < 5 {
			t.Errorf("only %d languages translate the %s line", covered[form], form)
		}
	}
}

// TestLifecycleForms reads the three forms nova has written lifecycle
// events in, the DEBUG one with its event name translated.
func TestLifecycleForms(t *testing.T) {
	zh, zhState := "", ""
	for _, e := range novaCatalog {
		if e.Lang == "zh_CN" && lifeName(e.MsgID) != "" && catalog().word(e.MsgStr) == e.MsgID {
			zh, zhState = e.MsgStr, e.MsgID
		}
	}
	if zh == "" {
		t.Fatal("no zh_CN lifecycle state in the catalog reads back")
	}
	for _, c := range []struct{ msg, ev, inst string }{
		{"VM Paused (Lifecycle Event)", "Paused", ""},
		{"VM Rebooted (Lifecycle Event)", "", ""},
		{"Lifecycle event 1 on VM " + vm1, "Stopped", vm1},
		{"Lifecycle event 4 on VM " + vm1, "Suspended", vm1},
		{"Lifecycle event 5 on VM " + vm1, "", ""},
		{"Lifecycle event 1 on VM " + vm1[:30], "", ""},
		{"Lifecycle event 12 on VM " + vm1, "", ""},
		{"Emitting event <LifecycleEvent: 1446130388.14, " + vm1 + " => Started> emit_event /usr/lib/python2.7/site-packages/nova/virt/driver.py:1299", "Started", vm1},
		{"Emitting event <LifecycleEvent: 1446130388.14, " + vm1 + " => " + zh + "> emit_event /x.py:1", zhState, vm1},
		{"Emitting event <LifecycleEvent: 1446130388.14, " + vm1 + " => Unknown> emit_event", "", ""},
		{"Emitting event <LifecycleEvent: 1446130388.14, " + vm1 + "x => Started>", "", ""},
		{"Emitting event <LifecycleEvent: 1446130388.14>", "", ""},
	} {
		ev, inst := LifecycleLine(c.msg)
		if ev != c.ev || inst != c.inst {
			t.Errorf("LifecycleLine(%q) = %q %q, want %q %q", c.msg, ev, inst, c.ev, c.inst)
		}
	}
}

// TestFunctionController: a controller action that is a plain function
// names its action too.
func TestFunctionController(t *testing.T) {
	for msg, want := range map[string]string{
		"Action: 'action', calling method: <function _add_floating_ip at 0x7f3a2c1e5b90>, body: {}":                          "addFloatingIp",
		"Calling method <function _remove_floating_ip at 0x7f3a2c1e5b90> _process_stack":                                     "removeFloatingIp",
		"Aktion: 'action', Aufrufmethode: <bound method Controller._action_reboot of <x <y>>>, Hauptteil: {\"reboot\": {}}":  "reboot",
		"Aktion: 'action', Aufrufmethode: <bound method Controller._action_reboot of <x <y>>>, Hauptteil: {\"bad key\": {}}": "reboot",
		"<function resource at 0x3934410>": "",
	} {
		if got := DebugKey(msg, nil); got != want {
			t.Errorf("DebugKey(%q) = %q, want %q", msg, got, want)
		}
	}
}
