package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// translations parses text and returns what the generator would keep of
// it, msgid → msgstr.
func translations(t *testing.T, text string) map[string]string {
	t.Helper()
	entries, err := parsePO([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, e := range entries {
		if e.translated() {
			got[e.ID] = e.Str[0]
		}
	}
	return got
}

func TestParsePOContinuations(t *testing.T) {
	// The header, then an entry whose msgid and msgstr both start with ""
	// and continue over several lines, as msgmerge wraps long messages.
	got := translations(t, `# German translations for nova.
msgid ""
msgstr ""
"Project-Id-Version: nova\n"
"Language: de\n"

#: nova/compute/manager.py:6331
#, python-format
msgid ""
"During sync_power_state the instance has a pending task (%(task)s). "
"Skip."
msgstr ""
"Bei sync_power_state hat die Instanz noch anstehende Aufgaben "
"(%(task)s). Überspringe."
`)
	want := map[string]string{
		"During sync_power_state the instance has a pending task (%(task)s). Skip.": "Bei sync_power_state hat die Instanz noch anstehende Aufgaben (%(task)s). Überspringe.",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParsePOEscapes(t *testing.T) {
	got := translations(t, `msgid "Action: '%(action)s', body: \"%(body)s\""
msgstr "Aktion: \"%(action)s\"\tTeil: %(body)s\\n\n"

msgid "octal \101 and hex \x42"
msgstr "oktal \101 und hex \x42"
`)
	want := map[string]string{
		`Action: '%(action)s', body: "%(body)s"`: "Aktion: \"%(action)s\"\tTeil: %(body)s\\n\n",
		"octal A and hex B":                      "oktal A und hex B",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParsePOSkips(t *testing.T) {
	// Each entry but "Pausing" is one gettext would not use, or nova's log
	// calls never ask for (a plural, even with the one form of a language
	// such as Japanese); the last two have no blank line between them.
	got := translations(t, `#: nova/compute/manager.py:2118
#, fuzzy, python-format
msgid "Rebooting instance"
msgstr "Restartování instance %s"

#, python-format, fuzzy
msgid "Unpausing"
msgstr "Fortsetzen"

msgid "%d instance"
msgid_plural "%d instances"
msgstr[0] "%d Instanz"
msgstr[1] "%d Instanzen"

msgid "%d volume"
msgid_plural "%d volumes"
msgstr[0] "%d 個のボリューム"

msgctxt "state"
msgid "Paused"
msgstr "Pausiert"

msgid "Resuming"
msgstr ""

msgid "Rescuing"
msgstr "Rescuing"

#~ msgid "Suspending"
#~ msgstr "Anhalten"

#, fuzzy
#~ msgid ""
#~ "Shelving"
#~ msgstr "Ablegen"
msgid "Pausing"
msgstr "Pausieren"
`)
	want := map[string]string{"Pausing": "Pausieren"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestParsePOPlural(t *testing.T) {
	entries, err := parsePO([]byte(`msgid "%d instance"
msgid_plural "%d instances"
msgstr[0] "%d Instanz"
msgstr[1] ""
"%d Instanzen"
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []poEntry{{ID: "%d instance", IDPlural: "%d instances", Plural: true, Str: []string{"%d Instanz", "%d Instanzen"}}}
	if !reflect.DeepEqual(entries, want) {
		t.Errorf("got %+v, want %+v", entries, want)
	}
}

func TestParsePOErrors(t *testing.T) {
	for _, text := range []string{
		`"a string before any keyword"`,
		"msgid \"unterminated\nmsgstr \"\"",
		`msgid "bad \q escape"`,
		`msgid "a" "b"`,
		"msgid \"a\"\nmsgstr \"b\"\nmsgstr \"c\"",
		"msgid \"a\"\nmsgstr[1] \"b\"",
		"msgid \"a\"\nmsgtxt \"b\"",
	} {
		if _, err := parsePO([]byte(text)); err == nil {
			t.Errorf("parsePO(%q): no error", text)
		}
	}
}

// TestRunTwoCommits runs the generator on a real git repository of two
// commits, laid out as nova's: an entry both commits translate alike is
// written once, entries are sorted by msgid, language and msgstr, and only
// the msgids in keep are written.
func TestRunTwoCommits(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	gitDo := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t",
			"GIT_COMMITTER_EMAIL=t@t", "GIT_AUTHOR_DATE=2013-10-12T00:23:35Z", "GIT_COMMITTER_DATE=2013-10-12T00:23:35Z")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write := func(name, text string) {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	gitDo("init", "-q")
	write("nova/locale/de/LC_MESSAGES/nova.po", "# Copyright (C) 2013 ORGANIZATION\nmsgid \"Pausing\"\nmsgstr \"Pausieren\"\n\nmsgid \"Not kept\"\nmsgstr \"Nicht\"\n")
	write("nova/locale/fr/LC_MESSAGES/nova.po", "msgid \"Pausing\"\nmsgstr \"Mise en pause\"\n")
	write("nova/locale/nova.pot", "msgid \"Pausing\"\nmsgstr \"\"\n")
	gitDo("add", ".")
	gitDo("commit", "-q", "-m", "havana")
	old := gitDo("rev-parse", "HEAD")
	write("nova/locale/de/LC_MESSAGES/nova-log-info.po", "msgid \"Pausing\"\nmsgstr \"Pausieren\"\n\nmsgid \"Pausing\"\nmsgstr \"Anhalten\"\n\nmsgid \"Unpausing\"\nmsgstr \"Fortsetzen\"\n")
	gitDo("add", ".")
	gitDo("commit", "-q", "-m", "ocata")
	newer := gitDo("rev-parse", "HEAD")

	defer func(r []release) { releases = r }(releases)
	releases = []release{{newer, "newer"}, {old, "older\nsecond line"}}
	out := filepath.Join(t.TempDir(), "catalog_gen.go")
	if err := run(filepath.Join(dir, ".git"), out, ""); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	src := string(b)
	var rows []string
	for _, line := range strings.Split(src, "\n") {
		if strings.HasPrefix(line, "\t{Lang:") {
			rows = append(rows, strings.TrimSpace(line))
		}
	}
	want := []string{
		`{Lang: "de", MsgID: "Pausing", MsgStr: "Anhalten"},`,
		`{Lang: "de", MsgID: "Pausing", MsgStr: "Pausieren"},`,
		`{Lang: "fr", MsgID: "Pausing", MsgStr: "Mise en pause"},`,
		`{Lang: "de", MsgID: "Unpausing", MsgStr: "Fortsetzen"},`,
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows:\n%s\nwant:\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
	for _, s := range []string{
		"// Code generated by go run ./scripts/novacatalog; DO NOT EDIT.\n",
		"commit " + newer, "commit " + old, "2013-10-12T00:23:35+00:00",
		"nova/locale/de/LC_MESSAGES/{nova-log-info.po,nova.po}",
		"//     second line:\n", "Copyright (C) 2013 ORGANIZATION",
		"\npackage extract\n",
	} {
		if !strings.Contains(src, s) {
			t.Errorf("output lacks %q:\n%s", s, src)
		}
	}
	if strings.Contains(src, "nova.pot") {
		t.Error("the template is listed as a catalog")
	}
}
