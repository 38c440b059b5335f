package logformat

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/tools/logline"
)

var maskedValue = []byte(`"` + logline.Masked + `"`)

// A Template is a compiled format string in Python's %-style, the form
// OpenStack operators know from oslo.log's logging_context_format_string:
//
//	%(timestamp)s %(level)-8s %(context.request_id)s %(message)s
//
// A directive is %(key)[flags][width][.precision]conversion. The key is a
// dotted path into the line (context.request_id, exception.chain.0.type);
// aliases let the same key read oslo.log's and other loggers' lines (see
// logline.Aliases). Flags are '-' (left-align), '0' (zero-pad numbers), '+'
// and ' ' (sign), '#' (alternate form); width and precision count
// characters, as in Python. Conversions:
//
//	s     the value as text (strings decoded, numbers as jq prints them,
//	      objects and arrays as compact JSON)
//	r     the value as JSON (strings quoted and escaped: shows hidden bytes)
//	d i   an integer (a float is truncated; a numeric string is read)
//	f F e E g G  a float, precision 6 by default
//	x X o an integer in hex or octal
//
// %% is a literal percent sign, and \t, \n and \\ in the format string are a
// tab, a newline and a backslash, so that a format given on a command line
// can make tab-separated output. A key the line does not have (or whose value
// is null) prints as the Missing text, padded like any value.
type Template struct {
	parts []part
	// raws holds, for each part, the slot of its key as written (nulls
	// kept), for convert-json's Python view; apart from parts, so the hot
	// loop's parts stay small.
	raws []int
	// hot is parts as Append walks them: each value with the literal text
	// before it, and the literal that ends the format, if any, alone.
	hot []hotPart
}

// hotPart is a value of a Template and the literal text before it; a
// trailing literal has no value (look.Path "").
type hotPart struct {
	pre string
	part
	plain bool // %s with no width nor precision: the value as appendValue writes it
}

type part struct {
	lit    string // literal text, when look.Path is ""
	look   logline.Lookup
	flags  string
	width  int
	prec   int // -1: none
	conv   byte
	level  bool // the level key: coloured when colour is on
	secret bool // the key names a credential: masked unless asked
}

// FormatError says what is wrong with a format string and where.
type FormatError struct {
	Format string
	Pos    int // byte offset of the directive at fault
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("format %q: at byte %d: %s", e.Format, e.Pos, e.Msg)
}

// Compile parses format, adding the keys it reads to fields (with their
// aliases when aliases is true).
func Compile(format string, fields *logline.Fields, aliases bool) (*Template, error) {
	return compile(format, fields, aliases, true)
}

// compile is Compile; backslash says whether \t, \n and \\ are escapes
// (convert-json's --prefix, filled by Python's %-operator, has none).
func compile(format string, fields *logline.Fields, aliases, backslash bool) (*Template, error) {
	t := &Template{}
	var lit strings.Builder
	flushLit := func() {
		if lit.Len() > 0 {
			t.parts = append(t.parts, part{lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(format); {
		c := format[i]
		if c == '\\' && backslash && i+1 < len(format) {
			switch format[i+1] {
			case 't':
				lit.WriteByte('\t')
				i += 2
				continue
			case 'n':
				lit.WriteByte('\n')
				i += 2
				continue
			case '\\':
				lit.WriteByte('\\')
				i += 2
				continue
			}
		}
		if c != '%' {
			lit.WriteByte(c)
			i++
			continue
		}
		start := i
		i++
		if i >= len(format) {
			return nil, &FormatError{format, start, "a lone % at the end (write %% for a percent sign)"}
		}
		if format[i] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		if format[i] != '(' {
			return nil, &FormatError{format, start, "a directive needs a key: %(key)s, not %" + string(format[i])}
		}
		end := strings.IndexByte(format[i:], ')')
		if end < 0 {
			return nil, &FormatError{format, start, "unclosed %( — the key has no ')'"}
		}
		key := strings.TrimSpace(format[i+1 : i+end])
		i += end + 1
		if err := checkKey(key); err != "" {
			return nil, &FormatError{format, start, err}
		}
		p := part{prec: -1}
		for i < len(format) && strings.IndexByte("-0+ #", format[i]) >= 0 {
			if strings.IndexByte(p.flags, format[i]) < 0 {
				p.flags += string(format[i])
			}
			i++
		}
		p.width, i = readInt(format, i)
		if i < len(format) && format[i] == '.' {
			p.prec, i = readInt(format, i+1)
		}
		if i >= len(format) {
			return nil, &FormatError{format, start, fmt.Sprintf("%%(%s) has no conversion (add s, d, f, r…)", key)}
		}
		p.conv = format[i]
		if strings.IndexByte("sdifFeEgGrxXo", p.conv) < 0 {
			return nil, &FormatError{format, start, fmt.Sprintf("unknown conversion %q after %%(%s) (want one of s r d i f F e E g G x X o)", p.conv, key)}
		}
		if p.width > 1<<12 || p.prec > 1<<12 {
			return nil, &FormatError{format, start, "width or precision over 4096"}
		}
		i++
		flushLit()
		p.look = fields.AddLookup(key, aliases)
		for _, seg := range strings.Split(key, ".") {
			p.secret = p.secret || sensitiveKey(seg)
		}
		for _, c := range logline.Candidates("level") {
			if c == key {
				p.level = true
			}
		}
		t.parts = append(t.parts, p)
	}
	flushLit()
	var pre string
	for _, p := range t.parts {
		if p.look.Path == "" {
			pre += p.lit
			continue
		}
		t.hot = append(t.hot, hotPart{pre: pre, part: p, plain: p.conv == 's' && p.width == 0 && p.prec < 0})
		pre = ""
	}
	if pre != "" {
		t.hot = append(t.hot, hotPart{pre: pre})
	}
	t.raws = make([]int, len(t.parts))
	for i := range t.parts {
		if t.parts[i].look.Path != "" {
			t.raws[i] = fields.Add(t.parts[i].look.Path)
		}
	}
	return t, nil
}

func checkKey(key string) string {
	if key == "" {
		return "empty key in %()"
	}
	for _, seg := range strings.Split(key, ".") {
		if seg == "" {
			return fmt.Sprintf("key %q has an empty segment", key)
		}
	}
	if len(key) > 1024 {
		return "key longer than 1024 bytes"
	}
	return ""
}

func readInt(s string, i int) (int, int) {
	n := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		if n < 1<<20 {
			n = n*10 + int(s[i]-'0')
		}
		i++
	}
	return n, i
}

// render holds what a Template needs besides the values.
type render struct {
	missing       string
	escapeControl bool
	color         bool
	// sensitive tells the keys whose values are credentials; nil when the
	// user asked to see them (--show-secrets).
	sensitive func(string) bool

	names  map[string]bool   // sensitive's answers for names found in text
	recent [64]knownName     // the last answers, by a cheap hash of the name
	nameFn func([]byte) bool // r.sensitiveName, bound once
	spans  []logline.Span    // scratch for masking
	masked []byte            // scratch for masking
	pyTmp  []byte            // scratch for Python reprs
}

// sensitiveName is sensitive for a name found in free text, remembered:
// the same few names ("status", "time", "X-Auth-Token") come again and
// again.
//
// Before the map, a small table indexed by the name's length and end bytes
// answers a name seen just before with one comparison: the map's hashing
// was most of the cost of a message quoting "status: 409 … time: 0.09".
func (r *render) sensitiveName(b []byte) bool {
	if len(b) == 0 {
		return r.sensitive("")
	}
	slot := &r.recent[(len(b)*7+int(b[0])*3+int(b[len(b)-1]))&(len(r.recent)-1)]
	if slot.name == string(b) && slot.set {
		return slot.sensitive
	}
	if v, ok := r.names[string(b)]; ok {
		return v
	}
	name := string(b)
	v := r.sensitive(name)
	if r.names == nil {
		r.names = make(map[string]bool)
	}
	if len(r.names) < 4096 {
		r.names[name] = v
		if !slot.set { // the first name of a slot keeps it: no churn between two
			*slot = knownName{name: name, sensitive: v, set: true}
		}
	}
	return v
}

// knownName is one answer of render.recent.
type knownName struct {
	name           string
	sensitive, set bool
}

// appendText is logline.AppendText with the credentials a string quotes in
// the open ("X-Auth-Token: …", "password=…") hidden, as log-expand hides
// them, unless the user asked to see them.
func (r *render) appendText(dst, v []byte, escapeControl bool) []byte {
	at := len(dst)
	dst, hint := logline.AppendTextHint(dst, v, escapeControl)
	if r.sensitive == nil || !hint {
		return dst
	}
	if r.nameFn == nil {
		r.nameFn = r.sensitiveName
	}
	r.spans = logline.CredentialSpans(dst[at:], r.nameFn, r.spans[:0])
	if len(r.spans) == 0 {
		return dst
	}
	r.masked = append(r.masked[:0], dst[at:]...)
	dst = dst[:at]
	prev := 0
	for _, sp := range r.spans {
		dst = append(dst, r.masked[prev:sp.Start]...)
		dst = append(dst, logline.Masked...)
		prev = sp.End
	}
	return append(dst, r.masked[prev:]...)
}

// sensitiveKey is auditlog's default test: the same keys the handler
// redacts when it writes a line are hidden when a tool prints one.
var sensitiveKey = (*auditlog.Redaction)(nil).SensitiveKeyFunc()

// appendValue appends v as %s shows it, with credentials hidden.
func (r *render) appendValue(dst, v []byte) []byte {
	if r.sensitive != nil && (v[0] == '{' || v[0] == '[') {
		return logline.AppendCompactRedacted(dst, v, r.sensitive)
	}
	return r.appendText(dst, v, r.escapeControl)
}

// Append appends the template filled from one line's extracted values.
func (t *Template) Append(dst []byte, vals [][]byte, r *render) []byte {
	for i := range t.hot {
		h := &t.hot[i]
		dst = append(dst, h.pre...)
		p := &h.part
		if p.look.Path == "" {
			continue
		}
		v := p.look.Get(vals)
		if v != nil && p.secret && r.sensitive != nil {
			v = maskedValue
		}
		if h.plain && !(p.level && r.color) {
			// The common case, and the benchmark's: no padding, no colour.
			if v == nil {
				dst = append(dst, r.missing...)
			} else {
				dst = r.appendValue(dst, v)
			}
			continue
		}
		start := len(dst)
		if v == nil {
			dst = append(dst, r.missing...)
		} else {
			dst = p.convert(dst, v, r)
		}
		if p.prec >= 0 && (p.conv == 's' || p.conv == 'r') {
			dst = truncateRunes(dst, start, p.prec)
		}
		var colorStart string
		if p.level && r.color && v != nil {
			colorStart = levelColor(v)
		}
		dst = pad(dst, start, p.width, strings.IndexByte(p.flags, '-') >= 0, colorStart)
	}
	return dst
}

func (p *part) convert(dst, v []byte, r *render) []byte {
	switch p.conv {
	case 's':
		return r.appendValue(dst, v)
	case 'r':
		if v[0] == '"' {
			tmp := logline.AppendString(nil, v, false)
			return logline.AppendQuoted(dst, tmp)
		}
		if r.sensitive != nil {
			return logline.AppendCompactRedacted(dst, v, r.sensitive)
		}
		return logline.AppendCompact(dst, v)
	}
	f, ok := number(v)
	if !ok {
		// Python would raise; a log reader would rather see the value.
		return r.appendText(dst, v, r.escapeControl)
	}
	zero := strings.IndexByte(p.flags, '0') >= 0 && strings.IndexByte(p.flags, '-') < 0
	var num []byte
	switch p.conv {
	case 'd', 'i':
		num = strconv.AppendFloat(nil, math.Trunc(f), 'f', 0, 64)
		if math.Abs(f) < 1<<53 {
			num = strconv.AppendInt(nil, int64(f), 10)
		}
	case 'x', 'X', 'o':
		base := 16
		if p.conv == 'o' {
			base = 8
		}
		n := int64(f)
		neg := n < 0
		if neg {
			n = -n
		}
		num = strconv.AppendInt(nil, n, base)
		if p.conv == 'X' {
			num = []byte(strings.ToUpper(string(num)))
		}
		if strings.IndexByte(p.flags, '#') >= 0 {
			pre := "0x"
			if p.conv == 'X' {
				pre = "0X"
			} else if p.conv == 'o' {
				pre = "0o"
			}
			num = append([]byte(pre), num...)
		}
		if neg {
			num = append([]byte("-"), num...)
		}
	default:
		prec := p.prec
		if prec < 0 {
			prec = 6
		}
		conv := p.conv
		if conv == 'F' {
			conv = 'f'
		}
		num = strconv.AppendFloat(nil, f, conv, prec, 64)
		if (conv == 'g' || conv == 'G') && strings.IndexByte(p.flags, '#') < 0 {
			num = trimG(num)
		}
	}
	if num[0] != '-' {
		if strings.IndexByte(p.flags, '+') >= 0 {
			num = append([]byte("+"), num...)
		} else if strings.IndexByte(p.flags, ' ') >= 0 {
			num = append([]byte(" "), num...)
		}
	}
	if zero && len(num) < p.width {
		sign := 0
		if num[0] == '-' || num[0] == '+' || num[0] == ' ' {
			sign = 1
		}
		dst = append(dst, num[:sign]...)
		for n := len(num); n < p.width; n++ {
			dst = append(dst, '0')
		}
		return append(dst, num[sign:]...)
	}
	return append(dst, num...)
}

// trimG drops the trailing zeros Go keeps and Python's %g does not.
func trimG(num []byte) []byte {
	s := string(num)
	mant, exp := s, ""
	if i := strings.IndexAny(s, "eE"); i >= 0 {
		mant, exp = s[:i], s[i:]
	}
	if strings.IndexByte(mant, '.') >= 0 {
		mant = strings.TrimRight(strings.TrimRight(mant, "0"), ".")
	}
	return []byte(mant + exp)
}

// number reads a JSON number, or a string holding one.
func number(v []byte) (float64, bool) {
	s := v
	if len(v) >= 2 && v[0] == '"' {
		s = v[1 : len(v)-1]
	}
	f, err := strconv.ParseFloat(string(s), 64)
	return f, err == nil
}

func truncateRunes(dst []byte, start, n int) []byte {
	seg := dst[start:]
	for i := range string(seg) {
		if n == 0 {
			return dst[:start+i]
		}
		n--
	}
	return dst
}

// pad right-aligns (or left-aligns) dst[start:] in width characters, and
// wraps it in colour when colorStart is set (padding stays outside the colour,
// so columns line up).
func pad(dst []byte, start, width int, left bool, colorStart string) []byte {
	n := utf8.RuneCount(dst[start:])
	fill := width - n
	if fill <= 0 && colorStart == "" {
		return dst
	}
	val := append([]byte(nil), dst[start:]...)
	dst = dst[:start]
	if !left {
		for ; fill > 0; fill-- {
			dst = append(dst, ' ')
		}
	}
	if colorStart != "" {
		dst = append(dst, colorStart...)
		dst = append(dst, val...)
		dst = append(dst, colorReset...)
	} else {
		dst = append(dst, val...)
	}
	for ; fill > 0; fill-- {
		dst = append(dst, ' ')
	}
	return dst
}
