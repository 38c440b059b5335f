package logline

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/auditlog-go/auditlog/auditlog"
)

// SensitiveName is auditlog's default test for a credential's name (the
// keys the handler redacts: password, token, secret, authorization…), for
// a name found in a line: what [CredentialSpans] and [AppendMaskedText] take
// when the user has not asked for another list.
//
// It is asked of every key of every line a reader masks, and the same few
// hundred names come again and again: answers are kept (up to 4,096
// names), so a known name costs a map lookup and no allocation.
func SensitiveName(name []byte) bool { return sensitiveName(name) }

var sensitiveName = func() func([]byte) bool {
	f := (*auditlog.Redaction)(nil).SensitiveKeyFunc()
	// Copy on write: readers load the map without a lock; the set of names
	// stops growing after the first lines.
	var known atomic.Pointer[map[string]bool]
	known.Store(&map[string]bool{})
	var mu sync.Mutex
	return func(b []byte) bool {
		if v, ok := (*known.Load())[string(b)]; ok {
			return v
		}
		v := f(string(b))
		mu.Lock()
		defer mu.Unlock()
		old := *known.Load()
		if len(old) < 4096 {
			m := make(map[string]bool, len(old)+1)
			for k, x := range old {
				m[k] = x
			}
			m[string(b)] = v
			known.Store(&m)
		}
		return v
	}
}()

// Span is a range of bytes, [Start, End).
type Span struct{ Start, End int }

// CredentialSpans appends to spans the values of the credentials text
// holds in the open, outside any key a structured reader could see:
// "name: value" and "name=value" pairs, quoted or not ("'name': 'value'"),
// whose name sensitive reports true — curl's -H "X-Auth-Token: …", a query
// string's token=…, "password=…", "Authorization: Bearer …" — and the
// password of a URL ("mysql+pymysql://nova:secret@db/nova"). The spans are
// in order and do not overlap. Values that hide nothing (None, null, an
// already masked value) and file:line references (session.py:155) are left
// alone. It is how the tools hide what a free-text message quotes; the
// values of sensitive keys in JSON are hidden by key.
func CredentialSpans(text []byte, sensitive func(name []byte) bool, spans []Span) []Span {
	first := len(spans)
	spans = pairSpans(text, sensitive, spans)
	n := len(spans)
	spans = urlPasswordSpans(text, spans)
	if len(spans) > n && n > first {
		// Both kinds found: put them in order, and drop a span inside another.
		s := spans[first:]
		slices.SortFunc(s, func(a, b Span) int { return a.Start - b.Start })
		out := s[:1]
		for _, sp := range s[1:] {
			if last := &out[len(out)-1]; sp.Start < last.End {
				last.End = max(last.End, sp.End)
				continue
			}
			out = append(out, sp)
		}
		spans = spans[:first+len(out)]
	}
	return spans
}

// urlPasswordSpans appends the passwords of the URLs in text: what lies
// between "user:" and "@" right after "scheme://".
func urlPasswordSpans(b []byte, spans []Span) []Span {
	if bytes.IndexByte(b, '@') < 0 {
		// No userinfo anywhere: one vector search, where looking for
		// "://" stops at every ':' of "status: 409 len: 3179 time: 0.09".
		return spans
	}
	for i := 0; ; {
		k := bytes.Index(b[i:], []byte("://"))
		if k < 0 {
			return spans
		}
		start := i + k + 3
		i = start
		// The authority ends at '/', '?', '#', a space or a quote; the
		// userinfo at its last '@'.
		end := start
		at := -1
		for end < len(b) {
			c := b[end]
			if c == '/' || c == '?' || c == '#' || c == ' ' || c == '"' || c == '\'' || c == '\t' || c == '>' {
				break
			}
			if c == '@' {
				at = end
			}
			end++
		}
		if at < 0 {
			continue
		}
		colon := bytes.IndexByte(b[start:at], ':')
		if colon < 0 {
			continue
		}
		vs := start + colon + 1
		if vs < at && !isNothing(b[vs:at]) {
			spans = append(spans, Span{vs, at})
		}
		i = end
	}
}

// pairSpans appends the values of sensitive "name: value" and "name=value"
// pairs.
func pairSpans(text []byte, sensitive func(name []byte) bool, spans []Span) []Span {
	b := text
	// The next ':' and '=' are found with IndexByte, which is vectorised:
	// most text has few of them, and a long line costs little.
	nextColon, nextEq := -1, -1
	for i := 0; i < len(b); i++ {
		if nextColon < i {
			if nextColon = bytes.IndexByte(b[i:], ':'); nextColon < 0 {
				nextColon = len(b)
			} else {
				nextColon += i
			}
		}
		if nextEq < i {
			if nextEq = bytes.IndexByte(b[i:], '='); nextEq < 0 {
				nextEq = len(b)
			} else {
				nextEq += i
			}
		}
		i = min(nextColon, nextEq)
		if i >= len(b) {
			return spans
		}
		c := b[i]
		if c == ':' && (i+1 >= len(b) || b[i+1] != ' ' && b[i+1] != '\t') {
			continue // "name: value" and "name=value" only: not 09:30, not http://
		}
		// The name: letters, digits, '_', '-', '.', maybe quoted.
		ne := i
		var quote byte
		if ne > 0 && (b[ne-1] == '"' || b[ne-1] == '\'') {
			quote = b[ne-1]
			ne--
		}
		ns := ne
		for ns > 0 && (nameChar(b[ns-1]) || b[ns-1] == '-' || b[ns-1] == '.') {
			ns--
		}
		if ne-ns < 4 || b[ns] >= '0' && b[ns] <= '9' || ns > 0 && b[ns-1] == '/' {
			continue // too short, a number, or a path (nova/session.py:155)
		}
		opened := byte(0) // the quote before the name: curl's -H "X-Auth-Token: x"
		if quote != 0 {
			if ns == 0 || b[ns-1] != quote {
				continue
			}
		} else if ns > 0 && (b[ns-1] == '"' || b[ns-1] == '\'') {
			opened = b[ns-1]
		}
		if !sensitive(b[ns:ne]) {
			continue
		}
		j := i + 1
		for j < len(b) && b[j] == ' ' {
			j++
		}
		if j >= len(b) {
			continue
		}
		for k := j; k < len(b) && k < j+2 && strings.IndexByte("ubrUBR", b[k]) >= 0; k++ {
			if k+1 < len(b) && (b[k+1] == '\'' || b[k+1] == '"') {
				j = k + 1 // a Python prefix: u'…', b'…', br'…'
				break
			}
		}
		vs, ve := j, j
		switch {
		case b[j] == '"' || b[j] == '\'':
			q := b[j]
			vs = j + 1
			ve = vs
			for ve < len(b) && b[ve] != q {
				if b[ve] == '\\' {
					ve++
				}
				ve++
			}
			ve = min(ve, len(b))
		case b[j] == '{' || b[j] == '[':
			// A structured value ("token": {"id": "…", "expires": …}, a
			// keystone response): the whole of it, to its closing bracket.
			ve = closing(b, j)
		case opened != 0:
			ve = j
			for ve < len(b) && b[ve] != opened {
				ve++
			}
		default:
			ve = valueEnd(b, j)
			if ve < len(b) && b[ve] == ' ' && isScheme(b[j:ve]) {
				ve = valueEnd(b, ve+1)
			}
		}
		if ve <= vs || isNothing(b[vs:ve]) || c == ':' && bytes.IndexByte(b[ns:ne], '.') >= 0 && allDigits(b[vs:ve]) {
			continue // nothing to hide, or file.py:155
		}
		spans = append(spans, Span{vs, ve})
		i = ve
	}
	return spans
}

// AppendMaskedText appends text with the values CredentialSpans finds
// replaced by [REDACTED].
func AppendMaskedText(dst, text []byte, sensitive func(name []byte) bool) []byte {
	var buf [4]Span
	spans := CredentialSpans(text, sensitive, buf[:0])
	at := 0
	for _, s := range spans {
		dst = append(dst, text[at:s.Start]...)
		dst = append(dst, Masked...)
		at = s.End
	}
	return append(dst, text[at:]...)
}

// closing returns the end of the bracketed value that starts at b[j] ('{'
// or '['): just past its matching bracket, brackets inside quoted strings
// not counted, or len(b) when the text ends first (a cut line hides the
// rest).
func closing(b []byte, j int) int {
	depth := 0
	var quote byte
	for k := j; k < len(b); k++ {
		c := b[k]
		switch {
		case quote != 0:
			if c == '\\' {
				k++
			} else if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '{' || c == '[':
			depth++
		case c == '}' || c == ']':
			if depth--; depth == 0 {
				return k + 1
			}
		}
	}
	return len(b)
}

func nameChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// authSchemes are the words before the credential in an Authorization
// header value.
var authSchemes = [][]byte{[]byte("bearer"), []byte("basic"), []byte("digest"), []byte("negotiate"), []byte("token")}

func valueEnd(b []byte, j int) int {
	for j < len(b) {
		switch b[j] {
		case ' ', '\t', '&', ',', ';', '"', '\'', ')', ']', '}', '>':
			return j
		}
		j++
	}
	return j
}

func isScheme(w []byte) bool {
	for _, s := range authSchemes {
		if len(w) == len(s) && bytes.EqualFold(w, s) {
			return true
		}
	}
	return false
}

// isNothing reports whether a value hides nothing: None, null, or already
// masked.
func isNothing(v []byte) bool {
	switch string(v) {
	case "None", "null", Masked, "***", "<SANITIZED>", "TOKEN_REDACTED":
		return true
	}
	return false
}

func allDigits(b []byte) bool {
	for _, c := range b {
		if c < '0' || c > '9' {
			return false
		}
	}
	return len(b) > 0
}
