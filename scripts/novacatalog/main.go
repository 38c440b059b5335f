// Command novacatalog writes tools/extract/catalog_gen.go: the translations
// of the nova log messages log-extract reads, taken from nova's own gettext
// catalogs. A nova deployed with a non-English locale (LANG=de_DE.UTF-8 and
// the translation packages installed) logged "Pausieren" where an English
// one logs "Pausing", and "VM Pausiert (Ereignis im Lebenszyklus)" for "VM
// Paused (Lifecycle Event)"; without this table the extractor would miss
// every compute request line and lifecycle event of such a cloud.
//
// Run it from the repository root whenever keep below changes:
//
//	go run ./scripts/novacatalog -nova /work/.mirror/openstack+nova/repo -o tools/extract/catalog_gen.go
//
// -nova is a git directory of openstack/nova (a bare clone does: the files
// are read with git show, no work tree is needed). -find REGEXP instead
// prints every msgid of the catalogs that matches, with the number of
// catalogs that have it (obsolete entries left out) and of the usable
// translations among them: the way
// to find a message's exact spelling before adding it to keep.
//
// Why these commits: nova had its log messages translated until the
// i18n team gave up on log translations in 2017; commit e8dcd9f0ba
// ("Imported Translations from Zanata", 2017-03-03) deleted the
// nova-log-{info,warning,error,critical}.po catalogs, and Pike removed the
// markers from the code ("Remove translation of log messages"). The
// parent of e8dcd9f0ba holds the last of those catalogs, split by log
// level, as translated during the Ocata cycle. Havana (tag 2013.2), before
// the split, had every message, log or user-facing, in one nova.po per
// language, spelt several of ours differently ("Action: '%(action)s', body:
// %(body)s", "Lifecycle event %(state)d on VM %(uuid)s") and had three
// times as many languages. Together they bracket the years nova logged in
// other languages. Of the releases between, 2014.2 and 12.0.0 add a few
// translations and are read too; 2014.1, 2015.1.0, 13.0.0, 14.0.0 and
// 15.0.0 add none (adding one is a line in releases).
package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"go/format"
	"os"
	"os/exec"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// keep lists the English msgids whose translations the extractor needs, spelt
// exactly as nova's catalogs spell them (a variant the catalogs do not have
// is harmless: it yields no entry, and the generator says so on stderr).
var keep = []string{
	// nova-api's DEBUG lines that name a server action from its body or
	// controller method (extract.DebugAction): Ocata's one line, then
	// Havana's two.
	"Action: '%(action)s', calling method: %(meth)s, body: %(body)s",
	"Action: '%(action)s', body: %(body)s",
	"Calling method %s",

	// Lifecycle events: Ocata's line and the state words it fills in, then
	// Havana's, whose state is a number.
	"VM %(state)s (Lifecycle Event)",
	"Started",
	"Stopped",
	"Paused",
	"Resumed",
	"Suspended",
	"Lifecycle event %(state)d on VM %(uuid)s",

	// nova-compute's (and consoleauth's) lines for a user's request
	// (extract.RequestMessage).
	"Rebooting instance",
	"Pausing",
	"Unpausing",
	"Suspending",
	"Resuming",
	"Rescuing",
	"Unrescuing",
	"Rebuilding instance",
	"Evacuating instance",
	"Shelving",
	"Shelve offloading",
	"Unshelving",
	"Going to try to live migrate instance to %s",
	"Going to try to stop instance",
	"Going to try to start instance",
	"Post operation of migration started",
	"Getting vnc console",
	"Getting spice console",
	"Getting rdp console",
	"Getting serial console",
	"Get console output",
	"Received Token: %(token)s, %(token_dict)s",

	// Lines of automatic activity: a boot, a migration, a power-state sync,
	// a deletion (extract.AutomaticMark).
	"Starting instance...",
	"Instance spawned successfully.",
	"Took %0.2f seconds to spawn the instance on the hypervisor.",
	"Took %0.2f seconds to build instance.",
	"Took %0.2f seconds to destroy the instance on the hypervisor.",
	"Took %0.2f seconds to deallocate network for instance.",
	"Took %(time).2f seconds to detach %(num)s volumes for instance.",
	"Migration running for %(secs)d secs, memory %(remaining)d%% remaining; (bytes processed=%(processed_memory)d, remaining=%(remaining_memory)d, total=%(total_memory)d)",
	"Migration operation has completed",
	"_post_live_migration() is started..",
	"Migrating instance to %s finished successfully.",
	"During the sync_power process the instance has moved from host %(src)s to host %(dst)s",
	"During _sync_instance_power_state the DB power_state (%(db_power_state)s) does not match the vm_power_state from the hypervisor (%(vm_power_state)s). Updating power_state in the DB to match the hypervisor.",
	"Instance shutdown by itself. Calling the stop API.",
	"Instance shutdown by itself. Calling the stop API. Current vm_state: %(vm_state)s, current task_state: %(task_state)s, original DB power_state: %(db_power_state)s, current VM power_state: %(vm_power_state)s",
	"Paused instance shutdown by itself. Calling the stop API.",
	"Instance is already powered off in the hypervisor when stop is called.",
	"Terminating instance",
	"Instance destroyed successfully.",
	"Deleting instance files %s",
	"Instance failed to spawn",
	"During sync_power_state the instance has a pending task (%(task)s). Skip.",
	"During sync_power_state the instance has a pending task. Skip.",

	// The end of a reboot.
	"Instance rebooted successfully.",
}

// release is one nova commit whose catalogs the generator reads.
type release struct {
	commit string // full id, so the table can be traced to exact files
	name   string // what the commit is, for the generated comment; \n breaks its lines
}

// releases are read in this order; it matters only for the header comment,
// the entries are sorted.
var releases = []release{
	{"e88dd0034b1b135d680dae3494597e295add9cfe",
		"the last log catalogs (Ocata cycle): parent of\n" +
			"e8dcd9f0ba9ae87649897f9f3cf290fa272d733d, which deleted them; on master\n" +
			"between 15.0.0.0rc1 (Ocata) and 16.0.0.0b1 (Pike)"},
	{"3c373acb008b2a9b1c422fa1bbd5755db6092378", "tag 2013.2 (Havana)"},
	// Two releases between add translations neither of the above has
	// ("Starting instance..." in de, es, fr and it; ja's "Instance
	// destroyed/rebooted/spawned successfully.").
	{"c5ac21f3dbb4ad59efcb631d91e4e64f77fba43f", "tag 2014.2 (Juno)"},
	{"6df6ad3ff32f2b1fe2978df1032002548ad8eb66", "tag 12.0.0 (Liberty)"},
}

func main() {
	nova := flag.String("nova", "", "git directory of openstack/nova")
	out := flag.String("o", "", "file to write (default stdout)")
	find := flag.String("find", "", "print the msgids that match this regexp instead")
	flag.Parse()
	if *nova == "" {
		fmt.Fprintln(os.Stderr, "novacatalog: -nova is required")
		os.Exit(2)
	}
	if err := run(*nova, *out, *find); err != nil {
		fmt.Fprintln(os.Stderr, "novacatalog:", err)
		os.Exit(1)
	}
}

// entry is one translation the table keeps.
type entry struct{ lang, msgid, msgstr string }

// source describes one commit as read, for the generated comment.
type source struct {
	release
	date       string
	files      []string
	copyrights []string
}

func run(nova, out, find string) error {
	var re *regexp.Regexp
	if find != "" {
		var err error
		if re, err = regexp.Compile(find); err != nil {
			return err
		}
	}
	wanted := make(map[string]bool, len(keep))
	for _, id := range keep {
		wanted[id] = true
	}
	seen := map[entry]bool{}
	found := map[string][2]int{} // msgid -> catalogs, translations, for -find
	var entries []entry
	var sources []source
	for _, r := range releases {
		src, err := readRelease(nova, r, func(lang string, e poEntry) {
			if re != nil {
				if e.ID != "" && !e.Obsolete && re.MatchString(e.ID) {
					c := found[e.ID]
					c[0]++
					if e.translated() {
						c[1]++
					}
					found[e.ID] = c
				}
				return
			}
			if !wanted[e.ID] || !e.translated() {
				return
			}
			k := entry{lang, e.ID, e.Str[0]}
			if !seen[k] {
				seen[k] = true
				entries = append(entries, k)
			}
		})
		if err != nil {
			return err
		}
		sources = append(sources, src)
	}
	if re != nil {
		ids := make([]string, 0, len(found))
		for id := range found {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			fmt.Printf("%3d %3d %q\n", found[id][0], found[id][1], id)
		}
		return nil
	}
	slices.SortFunc(entries, func(a, b entry) int {
		if c := strings.Compare(a.msgid, b.msgid); c != 0 {
			return c
		}
		if c := strings.Compare(a.lang, b.lang); c != 0 {
			return c
		}
		return strings.Compare(a.msgstr, b.msgstr)
	})
	have := map[string]bool{}
	for _, e := range entries {
		have[e.msgid] = true
	}
	for _, id := range keep {
		if !have[id] {
			fmt.Fprintf(os.Stderr, "novacatalog: no translation of %q\n", id)
		}
	}
	src, err := render(sources, entries)
	if err != nil {
		return err
	}
	if out == "" {
		_, err = os.Stdout.Write(src)
		return err
	}
	return os.WriteFile(out, src, 0o644)
}

// readRelease parses every catalog of one commit and hands each entry to
// use.
func readRelease(nova string, r release, use func(lang string, e poEntry)) (source, error) {
	src := source{release: r}
	date, err := git(nova, "show", "-s", "--format=%cI", r.commit+"^{commit}")
	if err != nil {
		return src, err
	}
	src.date = strings.TrimSpace(string(date))
	list, err := git(nova, "ls-tree", "-r", "--name-only", r.commit, "--", "nova/locale")
	if err != nil {
		return src, err
	}
	copyrights := map[string]bool{}
	for _, name := range strings.Split(strings.TrimSpace(string(list)), "\n") {
		// nova/locale/<lang>/LC_MESSAGES/<domain>.po; the .pot template
		// has no translations.
		parts := strings.Split(name, "/")
		if len(parts) != 5 || parts[3] != "LC_MESSAGES" || path.Ext(name) != ".po" {
			continue
		}
		lang := parts[2]
		text, err := git(nova, "show", r.commit+":"+name)
		if err != nil {
			return src, err
		}
		for _, line := range strings.Split(string(text), "\n") {
			if !strings.HasPrefix(line, "#") {
				break
			}
			if c, ok := strings.CutPrefix(line, "# Copyright "); ok {
				copyrights[strings.TrimSpace(c)] = true
			}
		}
		pes, err := parsePO(text)
		if err != nil {
			return src, fmt.Errorf("%s:%s: %w", r.commit[:10], name, err)
		}
		src.files = append(src.files, name)
		for _, e := range pes {
			use(lang, e)
		}
	}
	for c := range copyrights {
		src.copyrights = append(src.copyrights, c)
	}
	slices.Sort(src.copyrights)
	return src, nil
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", append([]string{"--git-dir", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("git %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return b, nil
}

// render writes the Go source of the table, gofmt'ed.
func render(sources []source, entries []entry) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString("// Code generated by go run ./scripts/novacatalog; DO NOT EDIT.\n\n")
	b.WriteString("// The translations below are nova's, from the gettext catalogs of\n")
	b.WriteString("// openstack/nova (https://opendev.org/openstack/nova), under the Apache\n")
	b.WriteString("// License 2.0: nova's LICENSE, and each catalog \"is distributed under the same\n")
	b.WriteString("// license as the nova project\". Copyright 2010-present OpenStack Foundation\n")
	b.WriteString("// (nova's doc/source/conf.py) and nova's translators, whom each catalog\n")
	b.WriteString("// names; the catalogs' own copyright lines are template ones:\n")
	b.WriteString("//\n")
	var all []string
	for _, s := range sources {
		all = append(all, s.copyrights...)
	}
	slices.Sort(all)
	for _, c := range slices.Compact(all) {
		fmt.Fprintf(&b, "//\tCopyright %s\n", c)
	}
	b.WriteString("//\n// Read from:\n")
	for _, s := range sources {
		fmt.Fprintf(&b, "//\n//   - commit %s, %s,\n", s.commit, s.date)
		lines := strings.Split(s.name, "\n")
		lines[len(lines)-1] += ":"
		for _, line := range lines {
			fmt.Fprintf(&b, "//     %s\n", line)
		}
		for _, line := range wrapPaths(s.files) {
			fmt.Fprintf(&b, "//     %s\n", line)
		}
	}
	b.WriteString("\npackage extract\n\n")
	b.WriteString("// novaCatalog holds the translations of the nova log messages the extractor\n")
	b.WriteString("// reads, so that it recognises the lines of a nova that logged in another\n")
	b.WriteString("// locale. One entry per language and translation, sorted by MsgID, Lang,\n")
	b.WriteString("// MsgStr; Lang is the catalog's directory name (de, pt_BR, zh_CN…).\n")
	b.WriteString("var novaCatalog = []catalogEntry{\n")
	for _, e := range entries {
		fmt.Fprintf(&b, "{Lang: %s, MsgID: %s, MsgStr: %s},\n",
			strconv.Quote(e.lang), strconv.Quote(e.msgid), strconv.Quote(e.msgstr))
	}
	b.WriteString("}\n")
	return format.Source(b.Bytes())
}

// wrapPaths lists a commit's catalogs compactly: one line per language
// directory, naming its files.
func wrapPaths(files []string) []string {
	var lines []string
	byDir := map[string][]string{}
	var dirs []string
	for _, f := range files {
		d, base := path.Split(f)
		if byDir[d] == nil {
			dirs = append(dirs, d)
		}
		byDir[d] = append(byDir[d], base)
	}
	slices.Sort(dirs)
	for _, d := range dirs {
		names := byDir[d]
		slices.Sort(names)
		if len(names) == 1 {
			lines = append(lines, d+names[0])
		} else {
			lines = append(lines, d+"{"+strings.Join(names, ",")+"}")
		}
	}
	return lines
}

// poEntry is one message of a PO file.
type poEntry struct {
	Ctxt     string
	HasCtxt  bool
	ID       string
	IDPlural string
	Plural   bool     // has msgid_plural
	Str      []string // msgstr, or msgstr[0], msgstr[1]… for a plural
	Fuzzy    bool
	Obsolete bool // a #~ entry the translators dropped
}

// translated reports whether the entry is a translation nova would have
// used at run time: gettext ignores fuzzy and obsolete entries and an empty
// msgstr (the English is logged then), the header has an empty msgid, and
// nova's log calls use neither contexts nor plurals. A msgstr equal to its
// msgid (the en_GB catalogs are mostly such) tells the extractor nothing
// new.
func (e poEntry) translated() bool {
	return !e.Fuzzy && !e.Obsolete && !e.HasCtxt && !e.Plural &&
		e.ID != "" && len(e.Str) == 1 && e.Str[0] != "" && e.Str[0] != e.ID
}

// parsePO parses the text of a gettext PO file. It follows the GNU gettext
// format: entries made of comments (only the "#," flags matter here),
// keywords msgctxt, msgid, msgid_plural, msgstr and msgstr[N] each followed
// by a quoted C string that may continue on the following lines as further
// quoted strings, and obsolete entries whose lines start with "#~".
func parsePO(text []byte) ([]poEntry, error) {
	var entries []poEntry
	var cur poEntry
	var field *string // where a continuation string goes
	started := false  // cur has a keyword
	inStr := false    // cur has reached its msgstr
	flush := func() {
		if started {
			entries = append(entries, cur)
		}
		cur, field, started, inStr = poEntry{}, nil, false, false
	}
	for n, line := range strings.Split(string(text), "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		obsolete := false
		if rest, ok := strings.CutPrefix(line, "#~"); ok {
			if strings.HasPrefix(rest, "|") {
				continue // previous msgid of an obsolete entry
			}
			line, obsolete = strings.TrimSpace(rest), true
		}
		switch {
		case line == "":
			flush()
			continue
		case strings.HasPrefix(line, "#"):
			// A comment after a msgstr starts the next entry.
			if inStr {
				flush()
			}
			if flags, ok := strings.CutPrefix(line, "#,"); ok {
				for f := range strings.SplitSeq(flags, ",") {
					if strings.TrimSpace(f) == "fuzzy" {
						cur.Fuzzy = true
					}
				}
			}
			continue
		case strings.HasPrefix(line, `"`):
			if field == nil {
				return nil, fmt.Errorf("line %d: string outside an entry", n+1)
			}
			s, err := unquote(line)
			if err != nil {
				return nil, fmt.Errorf("line %d: %w", n+1, err)
			}
			*field += s
			continue
		}
		kw, arg, ok := strings.Cut(line, " ")
		if !ok {
			return nil, fmt.Errorf("line %d: keyword without a string: %q", n+1, line)
		}
		s, err := unquote(strings.TrimSpace(arg))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n+1, err)
		}
		if (kw == "msgctxt" || kw == "msgid") && inStr {
			flush() // entries need not be separated by a blank line
		}
		if obsolete {
			cur.Obsolete = true
		}
		started = true
		switch {
		case kw == "msgctxt":
			cur.Ctxt, cur.HasCtxt = s, true
			field = &cur.Ctxt
		case kw == "msgid":
			cur.ID = s
			field = &cur.ID
		case kw == "msgid_plural":
			cur.IDPlural, cur.Plural = s, true
			field = &cur.IDPlural
		case kw == "msgstr" || strings.HasPrefix(kw, "msgstr["):
			if kw != "msgstr" {
				i, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(kw, "msgstr["), "]"))
				if err != nil || !strings.HasSuffix(kw, "]") || i != len(cur.Str) {
					return nil, fmt.Errorf("line %d: bad keyword %q", n+1, kw)
				}
			} else if len(cur.Str) != 0 {
				return nil, fmt.Errorf("line %d: second msgstr", n+1)
			}
			cur.Str = append(cur.Str, s)
			field = &cur.Str[len(cur.Str)-1]
			inStr = true
		default:
			return nil, fmt.Errorf("line %d: unknown keyword %q", n+1, kw)
		}
	}
	flush()
	return entries, nil
}

// unquote decodes one quoted PO string: a C string literal, with the
// escapes gettext writes (\" \\ \n \t \r and the rarer \a \b \f \v, octal
// and \x) turned into their bytes.
func unquote(s string) (string, error) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", fmt.Errorf("not a quoted string: %s", s)
	}
	s = s[1 : len(s)-1]
	if !strings.ContainsAny(s, `\"`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '"' {
			return "", errors.New(`unescaped " in a string`)
		}
		if c != '\\' {
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			return "", errors.New(`string ends in \`)
		}
		switch c = s[i]; c {
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case '"', '\\', '\'', '?':
			b.WriteByte(c)
		case 'x':
			j := i + 1
			for j < len(s) && isHex(s[j]) {
				j++
			}
			if j == i+1 {
				return "", errors.New(`\x without hex digits`)
			}
			v, err := strconv.ParseUint(s[i+1:j], 16, 8)
			if err != nil {
				return "", fmt.Errorf(`\x%s: %w`, s[i+1:j], err)
			}
			b.WriteByte(byte(v))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, err := strconv.ParseUint(s[i:j], 8, 8)
			if err != nil {
				return "", fmt.Errorf(`\%s: %w`, s[i:j], err)
			}
			b.WriteByte(byte(v))
			i = j - 1
		default:
			return "", fmt.Errorf(`unknown escape \%c`, c)
		}
	}
	return b.String(), nil
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}
