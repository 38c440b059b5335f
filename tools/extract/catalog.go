package extract

import (
	"strings"
	"sync"
)

// catalogEntry is one translation of a nova log message, as nova's gettext
// catalogs give it (see catalog_gen.go and scripts/novacatalog).
type catalogEntry struct{ Lang, MsgID, MsgStr string }

// Nova logs through oslo.i18n in the service's locale, so a compute node
// with LANG=ja_JP.UTF-8 writes "VM 停止済み (Lifecycle Event)" where the
// recognisers expect "VM Stopped (Lifecycle Event)". Rather than teach
// every recogniser every language, [Untranslate] turns a translated line
// back into nova's English message (the catalog's msgid with the line's
// own values in it) and the recognisers read that.

// translation is one msgstr compiled for matching: its literal pieces
// around the placeholders, and where each placeholder's value goes in the
// English message.
type translation struct {
	lang  string
	lits  []string // len(names)+1 literal pieces of msgstr
	names []string // the placeholders between them: "state", or "#0", "#1"… for positional ones
	msgid template // the English message to fill
}

// template is a printf-style message split at its placeholders.
type template struct {
	lits  []string
	names []string
}

// translator finds the translations a message may be.
type translator struct {
	exact   map[string]plain          // msgstr with no placeholder → its message
	plains  map[string][]string       // the first headLen bytes of such a msgstr → msgstrs
	words   map[string]string         // lang+"\x00"+msgstr of a one-word msgid ("Stopped") → msgid
	anyWord map[string]string         // the same in any language
	byHead  map[string][]*translation // the first headLen bytes of msgstr → translations
	loose   []*translation            // msgstrs whose first literal is shorter than headLen
}

// plain is a message without placeholders and the language of the
// translation it was read from.
type plain struct{ msgid, lang string }

// headLen is how many leading bytes index a translation: enough to tell
// almost every message from every translation with one map lookup, short
// enough that every translation but a handful has that many literal bytes
// before its first placeholder.
const headLen = 4

var catalog = sync.OnceValue(func() *translator { return newTranslator(novaCatalog) })

func newTranslator(entries []catalogEntry) *translator {
	t := &translator{exact: map[string]plain{}, plains: map[string][]string{}, words: map[string]string{},
		anyWord: map[string]string{}, byHead: map[string][]*translation{}}
	for _, e := range entries {
		if e.MsgStr == e.MsgID || strings.TrimSpace(e.MsgStr) == "" {
			continue
		}
		// Translators leave trailing spaces ("…satisfactoriamente. ") that
		// a log line's end does not keep reliably.
		str, id := parseTemplate(strings.TrimRight(e.MsgStr, " ")), parseTemplate(e.MsgID)
		if len(str.names) != len(id.names) || !sameNames(str.names, id.names) {
			continue // a translation that drops or adds a value cannot be read back
		}
		if len(str.names) == 0 {
			msg := str.lits[0]
			if p, dup := t.exact[msg]; dup {
				if p.msgid != id.lits[0] {
					t.exact[msg] = plain{} // two messages, one translation: it says neither
				}
			} else {
				t.exact[msg] = plain{id.lits[0], e.Lang}
				if len(msg) >= headLen {
					t.plains[msg[:headLen]] = append(t.plains[msg[:headLen]], msg)
				}
			}
			if !strings.ContainsAny(e.MsgID, " .") {
				setWord(t.words, e.Lang+"\x00"+msg, e.MsgID)
				setWord(t.anyWord, msg, e.MsgID)
			}
			continue
		}
		tr := &translation{lang: e.Lang, lits: str.lits, names: str.names, msgid: id}
		if head := str.lits[0]; len(head) >= headLen {
			t.byHead[head[:headLen]] = append(t.byHead[head[:headLen]], tr)
		} else {
			t.loose = append(t.loose, tr)
		}
	}
	return t
}

// setWord maps a translated word to its English one, or to "" when it
// already stands for another (pt_BR has "Interrompido" for both Paused and
// Stopped): an ambiguous word is not read back.
func setWord(m map[string]string, w, en string) {
	if old, ok := m[w]; ok && old != en {
		en = ""
	}
	m[w] = en
}

// sameNames reports whether two placeholder lists hold the same names,
// in any order (a translation may move them).
func sameNames(a, b []string) bool {
	for _, n := range a {
		found := false
		for _, m := range b {
			if n == m {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// parseTemplate splits a Python %-format message at its placeholders:
// %(name)s, %(seconds).2f, %d, %s… ("%%" is a literal "%"). Positional
// placeholders are named "#0", "#1"… in order.
func parseTemplate(s string) template {
	var t template
	var lit strings.Builder
	pos := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '%' || i+1 >= len(s) {
			lit.WriteByte(s[i])
			continue
		}
		if s[i+1] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		j := i + 1
		name := ""
		if s[j] == '(' {
			end := strings.IndexByte(s[j:], ')')
			if end < 0 {
				lit.WriteByte(s[i])
				continue
			}
			name = s[j+1 : j+end]
			j += end + 1
		}
		for j < len(s) && strings.IndexByte("#0- +.123456789", s[j]) >= 0 {
			j++
		}
		if j >= len(s) || strings.IndexByte("sdifruxXeEgGc", s[j]) < 0 {
			lit.WriteByte(s[i])
			continue
		}
		if name == "" {
			name = "#" + string(rune('0'+pos))
			pos++
		}
		t.lits = append(t.lits, lit.String())
		t.names = append(t.names, name)
		lit.Reset()
		i = j
	}
	t.lits = append(t.lits, lit.String())
	return t
}

// Untranslate returns the English nova message a translated one stands
// for, with the line's own values in place ("VM 停止済み (Lifecycle Event)"
// → "VM Stopped (Lifecycle Event)", a translated state word read back
// too), and the language it was in; msg itself and "" when it is no
// translation nova's catalogs hold (English lines among them). Text after
// the translation's last piece is kept.
func Untranslate(msg string) (english, lang string) {
	return catalog().untranslate(msg)
}

func (t *translator) untranslate(msg string) (string, string) {
	if len(msg) < 2 {
		return msg, ""
	}
	if p, ok := t.exact[msg]; ok {
		if p.msgid == "" {
			return msg, ""
		}
		return p.msgid, p.lang
	}
	if len(msg) >= headLen {
		head := msg[:headLen]
		for _, tr := range t.byHead[head] {
			if en, ok := t.fill(tr, msg); ok {
				return en, tr.lang
			}
		}
		// A plain message followed by more text ("Pausiere …", as the
		// English recognisers take "Pausing …"): the longest translation
		// that starts msg and ends a word there.
		best := ""
		for _, str := range t.plains[head] {
			if len(str) > len(best) && strings.HasPrefix(msg, str) && wordEnd(msg, len(str)) {
				best = str
			}
		}
		if p := t.exact[best]; best != "" && p.msgid != "" {
			return p.msgid + msg[len(best):], p.lang
		}
	}
	for _, tr := range t.loose {
		if en, ok := t.fill(tr, msg); ok {
			return en, tr.lang
		}
	}
	return msg, ""
}

// fill matches msg against one translation and writes the English
// message with the values it found.
func (t *translator) fill(tr *translation, msg string) (string, bool) {
	if !strings.HasPrefix(msg, tr.lits[0]) {
		return "", false
	}
	rest := msg[len(tr.lits[0]):]
	values := make(map[string]string, len(tr.names))
	for i, name := range tr.names {
		next := tr.lits[i+1]
		var v string
		if next == "" {
			if i+1 < len(tr.names) {
				return "", false // two placeholders with nothing between: no telling where one ends
			}
			v, rest = rest, ""
		} else {
			end := strings.Index(rest, next)
			if end < 0 {
				return "", false
			}
			v, rest = rest[:end], rest[end+len(next):]
		}
		if w := t.words[tr.lang+"\x00"+v]; w != "" {
			v = w
		}
		values[name] = v
	}
	var b strings.Builder
	for i, lit := range tr.msgid.lits {
		b.WriteString(lit)
		if i < len(tr.msgid.names) {
			b.WriteString(values[tr.msgid.names[i]])
		}
	}
	b.WriteString(rest)
	return b.String(), true
}

// word is the English of a one-word message in any language ("已停止" →
// "Stopped"), or w itself.
func (t *translator) word(w string) string {
	if en := t.anyWord[w]; en != "" {
		return en
	}
	return w
}
