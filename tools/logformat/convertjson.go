package logformat

import (
	"bytes"
	"strings"

	"github.com/auditlog-go/auditlog/tools/logline"
)

// DefaultPrefix is oslo.log's convert-json default --prefix.
const DefaultPrefix = "%(asctime)s.%(msecs)03d %(process)s %(levelname)s %(name)s"

// ConvertJSON asks for the output of oslo.log's convert-json command
// (oslo_log/cmds/convert_json.py), byte for byte on oslo.log's JSON lines:
// for each record, the prefix filled by Python's %-operator, the message,
// and each line of the traceback (oslo.log writes it as a list of lines)
// after the prefix again:
//
//	2026-11-27 07:38:56,001.001 4567 ERROR nova.api.openstack.wsgi Unexpected exception in API method
//	2026-11-27 07:38:56,001.001 4567 ERROR nova.api.openstack.wsgi Traceback (most recent call last):
//	2026-11-27 07:38:56,001.001 4567 ERROR nova.api.openstack.wsgi   File "…/wsgi.py", line 671, in wrapped
//
// Values print as Python prints them (None, True, 1.0, ['a'], {'k': 'v'});
// a key the record lacks prints as nothing, and a number directive (%d)
// whose key is missing or not a number makes, as in convert-json, a line
// "Missing non-string placeholder in record: {…}" instead of the record.
// Options.Locator is appended to DEBUG records (convert-json 5.0.1 accepts
// --locator but prints it nowhere; here it works as its help says), and
// Options.NoTraceback leaves the tracebacks out. Options.Missing, when not
// empty, stands for every missing key instead.
//
// Where log-format differs, by design: credentials are still masked;
// lines that are not JSON pass through (convert-json prints "Not JSON: "
// and the line); keys the record lacks are found through aliases unless
// Options.NoAliases (so our own lines read as well); filters are
// log-format's (see Filter).
type ConvertJSON struct {
	// Prefix is the %-format of each line's head (DefaultPrefix is
	// convert-json's default; empty is no prefix).
	Prefix string
	// LevelKey is the key holding the level, coloured and read by the
	// locator's DEBUG test (and, through Filter.LevelKey, by --levels);
	// "levelname" if empty.
	LevelKey string
	// TracebackKey is the key holding the traceback, a list of lines or a
	// string; "traceback" if empty.
	TracebackKey string
}

// pyField reads a key as convert-json's record does: the key as written,
// JSON null included (Python's None), and only then its aliases.
type pyField struct {
	raw  int
	look logline.Lookup
}

func newPyField(f *logline.Fields, key string, aliases bool) pyField {
	l := f.AddLookup(key, aliases)
	return pyField{raw: f.Add(key), look: l}
}

func (p pyField) get(vals [][]byte) []byte {
	if v := vals[p.raw]; v != nil {
		return v
	}
	return p.look.Get(vals)
}

// convertJSON is a compiled ConvertJSON.
type convertJSON struct {
	prefix   *Template
	locator  *Template // nil: none
	message  pyField
	tb       pyField
	level    pyField
	levelno  int
	levelKey string
	noTB     bool
	head     []byte
	buf      []byte
	seen     map[string]bool
}

func newConvertJSON(c ConvertJSON, o *Options, fields *logline.Fields, aliases bool) (*convertJSON, error) {
	if c.LevelKey == "" {
		c.LevelKey = "levelname"
	}
	if c.TracebackKey == "" {
		c.TracebackKey = "traceback"
	}
	prefix, err := compile(c.Prefix, fields, aliases, false)
	if err != nil {
		return nil, prefixError("--prefix", err)
	}
	cj := &convertJSON{
		prefix:   prefix,
		message:  newPyField(fields, "message", aliases),
		tb:       newPyField(fields, c.TracebackKey, aliases),
		level:    newPyField(fields, c.LevelKey, aliases),
		levelno:  fields.Add("levelno"),
		levelKey: c.LevelKey,
		noTB:     o.NoTraceback,
	}
	if o.Locator != "" {
		loc, err := compile(o.Locator, fields, aliases, false)
		if err != nil {
			return nil, prefixError("--locator", err)
		}
		cj.locator = loc
	}
	return cj, nil
}

func prefixError(flag string, err error) error {
	if fe, ok := err.(*FormatError); ok {
		return &FormatError{Format: fe.Format, Pos: fe.Pos, Msg: fe.Msg + " (in " + flag + ")"}
	}
	return err
}

// Append writes one record as convert-json does, without the final newline.
func (c *convertJSON) Append(dst, line []byte, vals [][]byte, r *render) []byte {
	colorKey := ""
	if r.color {
		colorKey = c.levelKey
	}
	var fail int
	c.head, fail = c.prefix.appendPython(c.head[:0], vals, r, colorKey)
	if fail >= 0 {
		return c.appendMissing(dst, line, vals, r, fail, colorKey)
	}
	start := len(dst)
	dst = append(dst, c.head...)
	// ' '.join(x for x in [prefix, message, locator] if x)
	if v := c.message.get(vals); v != nil {
		mark := len(dst)
		if len(dst) > start {
			dst = append(dst, ' ')
		}
		n := len(dst)
		if dst = r.appendPyStr(dst, v); len(dst) == n {
			dst = dst[:mark]
		}
	}
	if c.locator != nil && c.isDebug(vals) {
		var buf []byte
		buf, fail = c.locator.appendPython(c.buf[:0], vals, r, colorKey)
		c.buf = buf
		if fail < 0 && len(buf) > 0 {
			if len(dst) > start {
				dst = append(dst, ' ')
			}
			dst = append(dst, buf...)
		}
	}
	if c.noTB {
		return dst
	}
	tb := c.tb.get(vals)
	if !truthy(tb) {
		return dst
	}
	tbLine := func(text []byte) {
		dst = append(dst, '\n')
		dst = append(dst, c.head...)
		dst = append(dst, ' ')
		dst = append(dst, text...)
	}
	switch tb[0] {
	case '"': // a string: tb.rstrip().split("\n")
		c.buf = r.appendText(c.buf[:0], tb, r.escapeControl)
		text := bytes.TrimRightFunc(c.buf, pyIsSpace)
		for {
			i := bytes.IndexByte(text, '\n')
			if i < 0 {
				tbLine(text)
				break
			}
			tbLine(text[:i])
			text = text[i+1:]
		}
	case '[': // oslo.log's list of lines
		for i := 1; ; {
			i = skipSpace(tb, i)
			if i >= len(tb) || tb[i] == ']' {
				break
			}
			if tb[i] == ',' {
				i++
				continue
			}
			e := skipAny(tb, i)
			if e == i {
				i++
				continue
			}
			c.buf = r.appendPyStr(c.buf[:0], tb[i:e])
			tbLine(c.buf)
			i = e
		}
	default:
		c.buf = r.appendPyStr(c.buf[:0], tb)
		tbLine(c.buf)
	}
	return dst
}

// isDebug is convert-json's test for the locator: levelno at most 10
// (DEBUG, oslo.log's TRACE) or the level "DEBUG".
func (c *convertJSON) isDebug(vals [][]byte) bool {
	if v := vals[c.levelno]; v != nil {
		if f, ok := number(v); ok && v[0] != '"' && f <= logline.RankDebug {
			return true
		}
	}
	return string(c.level.get(vals)) == `"DEBUG"`
}

// appendMissing writes what convert-json writes when the prefix cannot be
// filled (a %d whose key is missing or holds text: Python's TypeError):
// the warning and the record as a Python dict, with the keys the
// %-operator looked up before it failed added as the empty string (the record is a
// defaultdict(str)).
func (c *convertJSON) appendMissing(dst, line []byte, vals [][]byte, r *render, fail int, colorKey string) []byte {
	dst = appendTermColor(dst, "exc", "Missing non-string placeholder in record", r.color)
	dst = append(dst, ": {"...)
	if c.seen == nil {
		c.seen = make(map[string]bool)
	}
	clear(c.seen)
	type member struct {
		key string
		v   []byte
	}
	var members []member
	at := map[string]int{}
	topMembers(line, func(key string, v []byte) {
		if i, ok := at[key]; ok { // a repeated key: Python keeps its first place, its last value
			members[i].v = v
			return
		}
		at[key] = len(members)
		members = append(members, member{key, v})
	})
	n := 0
	sep := func() {
		if n > 0 {
			dst = append(dst, ',', ' ')
		}
		n++
	}
	for _, m := range members {
		sep()
		c.seen[m.key] = true
		dst = appendPyQuoted(dst, []byte(m.key))
		dst = append(dst, ':', ' ')
		switch {
		case r.sensitive != nil && r.sensitive(m.key) && string(m.v) != "null":
			dst = append(dst, "'"+logline.Masked+"'"...)
		case colorKey != "" && m.key == colorKey && m.v[0] == '"':
			c.buf = r.appendText(c.buf[:0], m.v, false)
			if _, ok := termColors[string(c.buf)]; ok {
				colored := appendTermColor(nil, string(c.buf), string(c.buf), true)
				dst = appendPyQuoted(dst, colored)
				continue
			}
			dst = r.appendPyRepr(dst, m.v)
		default:
			dst = r.appendPyRepr(dst, m.v)
		}
	}
	for i := 0; i <= fail && i < len(c.prefix.parts); i++ {
		p := &c.prefix.parts[i]
		if p.look.Path == "" || c.seen[p.look.Path] {
			continue
		}
		c.seen[p.look.Path] = true
		sep()
		dst = appendPyQuoted(dst, []byte(p.look.Path))
		dst = append(dst, ':', ' ', '\'', '\'')
	}
	return append(dst, '}')
}

// termColors are convert-json's colours for levels (and "exc", its
// warnings), as termcolor 1.1 writes them: the colour, then each
// attribute wrapped around it, then a reset.
var termColors = map[string]string{
	"exc":     "\x1b[1m\x1b[7m\x1b[31m",
	"FATAL":   "\x1b[1m\x1b[7m\x1b[31m",
	"ERROR":   "\x1b[1m\x1b[31m",
	"WARNING": "\x1b[1m\x1b[33m",
	"WARN":    "\x1b[1m\x1b[33m",
	"INFO":    "\x1b[1m\x1b[37m",
}

func appendTermColor(dst []byte, key, text string, on bool) []byte {
	start, ok := termColors[key]
	if !on || !ok {
		return append(dst, text...)
	}
	dst = append(dst, start...)
	dst = append(dst, text...)
	return append(dst, colorReset...)
}

// appendPython fills t as Python's %-operator fills a format from
// convert-json's record: keys as written first (null is None), a missing
// key the empty string for %s. colorKey, when set, names the key whose value carries
// termcolor's colour, as convert-json colours record[level_key] before
// formatting (padding then counts the escapes, as Python's does). fail is
// the index of the part Python would raise a TypeError on (a number
// directive without a number), or -1.
func (t *Template) appendPython(dst []byte, vals [][]byte, r *render, colorKey string) (out []byte, fail int) {
	for i := range t.parts {
		p := &t.parts[i]
		if p.look.Path == "" {
			dst = append(dst, p.lit...)
			continue
		}
		v := vals[t.raws[i]]
		if v == nil {
			v = p.look.Get(vals)
		}
		if v != nil && p.secret && r.sensitive != nil {
			v = maskedValue
		}
		start := len(dst)
		switch {
		case v == nil && r.missing != "":
			dst = append(dst, r.missing...)
		case v == nil:
			switch p.conv {
			case 's':
			case 'r':
				dst = append(dst, '\'', '\'')
			default:
				return dst, i
			}
		case p.conv == 's' || p.conv == 'r':
			colored := ""
			if colorKey != "" && p.look.Path == colorKey && v[0] == '"' {
				r.pyTmp = r.appendText(r.pyTmp[:0], v, false)
				colored = termColors[string(r.pyTmp)]
			}
			switch {
			case colored != "" && p.conv == 's':
				dst = append(dst, colored...)
				dst = r.appendText(dst, v, r.escapeControl)
				dst = append(dst, colorReset...)
			case colored != "":
				s := appendTermColor(nil, string(r.pyTmp), string(r.pyTmp), true)
				dst = appendPyQuoted(dst, s)
			case p.conv == 's':
				dst = r.appendPyStr(dst, v)
			case v[0] == '"':
				r.pyTmp = r.appendText(r.pyTmp[:0], v, false)
				dst = appendPyQuoted(dst, r.pyTmp)
			default:
				dst = r.appendPyRepr(dst, v)
			}
			if p.prec >= 0 {
				dst = truncateRunes(dst, start, p.prec)
			}
		default: // a number directive: int, float or bool only
			k := kindOf(v)
			switch {
			case k == pyBool && v[0] == 't':
				v = []byte("1")
			case k == pyBool:
				v = []byte("0")
			case k == pyInt:
			case k == pyFloat && strings.IndexByte("xXo", p.conv) < 0:
			default:
				return dst, i
			}
			dst = p.convert(dst, v, r)
		}
		dst = pad(dst, start, p.width, strings.IndexByte(p.flags, '-') >= 0, "")
	}
	return dst, -1
}

// appendStack appends a stack trace as text lines: a string decoded, or a
// list of lines (oslo.log's traceback) one per line.
func (r *render) appendStack(dst, v []byte) []byte {
	if v[0] != '[' {
		return r.appendText(dst, v, true)
	}
	first := true
	for i := 1; ; {
		i = skipSpace(v, i)
		if i >= len(v) || v[i] == ']' {
			return dst
		}
		if v[i] == ',' {
			i++
			continue
		}
		e := skipAny(v, i)
		if e == i {
			i++
			continue
		}
		if !first {
			dst = append(dst, '\n')
		}
		first = false
		dst = r.appendText(dst, v[i:e], true)
		i = e
	}
}
