package ingest

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/auditlog-go/auditlog/tools/logline"
)

// What is stored is the line as it came, except its credentials: no
// credential may reach the store, its API or its stream, and a text log
// quotes them freely (curl's -H "X-Auth-Token: …" in nova-api's DEBUG
// lines), as does oslo.log's JSON context (auth_token). A line that holds
// none is kept byte for byte; one that holds some is kept with each
// credential replaced by [REDACTED], and its ID is that of what is kept.

// maskText returns text with the credentials it quotes in the open
// replaced, or text itself when it quotes none.
func maskText(text []byte) []byte {
	var buf [4]logline.Span
	if len(logline.CredentialSpans(text, logline.SensitiveName, buf[:0])) == 0 {
		return text
	}
	return logline.AppendMaskedText(nil, text, logline.SensitiveName)
}

// maskString is maskText for a column's value.
func maskString(s string) string {
	if strings.IndexByte(s, ':') < 0 && strings.IndexByte(s, '=') < 0 {
		return s // nothing CredentialSpans could find: no copy
	}
	var buf [4]logline.Span
	b := []byte(s)
	if len(logline.CredentialSpans(b, logline.SensitiveName, buf[:0])) == 0 {
		return s
	}
	return string(logline.AppendMaskedText(nil, b, logline.SensitiveName))
}

// edit replaces raw[start:end] by with.
type edit struct {
	start, end int
	with       string
}

// maskJSON returns the JSON line raw with the values of sensitive keys (at
// any depth: strings, objects, arrays) replaced by "[REDACTED]" and the
// credentials quoted inside strings masked, or raw itself when there are
// none. Numbers, booleans, null, "" and values masked already are left. A
// line that is not well-formed JSON is returned as it is (Line has
// refused it before).
func maskJSON(raw []byte) (masked []byte, changed bool) {
	w := jsonMasker{b: raw}
	w.spans = w.buf[:0]
	if _, ok := w.value(0); !ok || len(w.edits) == 0 {
		return raw, false
	}
	out := make([]byte, 0, len(raw))
	at := 0
	for _, e := range w.edits {
		out = append(out, raw[at:e.start]...)
		out = append(out, e.with...)
		at = e.end
	}
	return append(out, raw[at:]...), true
}

type jsonMasker struct {
	b     []byte
	edits []edit
	spans []logline.Span
	buf   [4]logline.Span // spans' first backing: most lines need none, few more
}

// mayQuote reports whether a string's text may hold a credential
// CredentialSpans finds: "name: value", "name=value" or a URL's
// "user:password@". Timestamps and host:port, the colons of most lines,
// do not pass.
func mayQuote(b []byte) bool {
	if bytes.IndexByte(b, '=') >= 0 || bytes.Contains(b, []byte("://")) {
		return true
	}
	for i := bytes.IndexByte(b, ':'); i >= 0 && i+1 < len(b); {
		if c := b[i+1]; c == ' ' || c == '\t' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], ':')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

// endsScalar reports whether c ends a number, true, false or null.
func endsScalar(c byte) bool {
	switch c {
	case ',', ']', '}', ' ', '\t', '\r', '\n':
		return true
	}
	return false
}

func (w *jsonMasker) ws(i int) int {
	for i < len(w.b) && (w.b[i] == ' ' || w.b[i] == '\t' || w.b[i] == '\n' || w.b[i] == '\r') {
		i++
	}
	return i
}

// str returns the end of the string starting at i (just past its quote).
func (w *jsonMasker) str(i int) (int, bool) {
	for j := i + 1; j < len(w.b); j++ {
		switch w.b[j] {
		case '\\':
			j++
		case '"':
			return j + 1, true
		}
	}
	return 0, false
}

func (w *jsonMasker) value(i int) (int, bool) {
	i = w.ws(i)
	if i >= len(w.b) {
		return 0, false
	}
	switch w.b[i] {
	case '{':
		return w.object(i)
	case '[':
		i++
		for first := true; ; first = false {
			i = w.ws(i)
			if i < len(w.b) && w.b[i] == ']' {
				return i + 1, true
			}
			if !first {
				if i >= len(w.b) || w.b[i] != ',' {
					return 0, false
				}
				i++
			}
			var ok bool
			if i, ok = w.value(i); !ok {
				return 0, false
			}
		}
	case '"':
		end, ok := w.str(i)
		if !ok {
			return 0, false
		}
		// Credentials quoted in the string's text ("X-Auth-Token: …").
		inner := w.b[i+1 : end-1]
		if !mayQuote(inner) {
			return end, true
		}
		if bytes.IndexByte(inner, '\\') < 0 {
			w.spans = logline.CredentialSpans(inner, logline.SensitiveName, w.spans[:0])
			for _, s := range w.spans {
				w.edits = append(w.edits, edit{i + 1 + s.Start, i + 1 + s.End, logline.Masked})
			}
			return end, true
		}
		// Escapes (\" around a curl header, \n in a traceback): mask the
		// decoded text and write the string anew.
		var text string
		if json.Unmarshal(w.b[i:end], &text) != nil {
			return end, true
		}
		if m := maskString(text); m != text {
			var buf bytes.Buffer
			enc := json.NewEncoder(&buf)
			enc.SetEscapeHTML(false)
			if enc.Encode(m) == nil {
				w.edits = append(w.edits, edit{i, end, string(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))})
			}
		}
		return end, true
	default:
		j := i
		for j < len(w.b) && !endsScalar(w.b[j]) {
			j++
		}
		return j, j > i
	}
}

func (w *jsonMasker) object(i int) (int, bool) {
	i++
	for first := true; ; first = false {
		i = w.ws(i)
		if i < len(w.b) && w.b[i] == '}' {
			return i + 1, true
		}
		if !first {
			if i >= len(w.b) || w.b[i] != ',' {
				return 0, false
			}
			i = w.ws(i + 1)
		}
		if i >= len(w.b) || w.b[i] != '"' {
			return 0, false
		}
		kend, ok := w.str(i)
		if !ok {
			return 0, false
		}
		key := w.b[i+1 : kend-1]
		if bytes.IndexByte(key, '\\') >= 0 {
			var k string
			if json.Unmarshal(w.b[i:kend], &k) == nil {
				key = []byte(k)
			}
		}
		i = w.ws(kend)
		if i >= len(w.b) || w.b[i] != ':' {
			return 0, false
		}
		vs := w.ws(i + 1)
		if vs < len(w.b) && logline.SensitiveName(key) && hides(w.b[vs]) {
			ve, ok := w.skip(vs)
			if !ok {
				return 0, false
			}
			if v := w.b[vs:ve]; !maskedAlready(v) {
				w.edits = append(w.edits, edit{vs, ve, `"` + logline.Masked + `"`})
			}
			i = ve
			continue
		}
		if i, ok = w.value(vs); !ok {
			return 0, false
		}
	}
}

// hides reports whether a value starting with c can hold a credential: a
// string, an object or an array (not a number, a boolean or null).
func hides(c byte) bool { return c == '"' || c == '{' || c == '[' }

// skip finds the end of the value at i without looking inside it.
func (w *jsonMasker) skip(i int) (int, bool) {
	saved := len(w.edits)
	end, ok := w.value(i)
	w.edits = w.edits[:saved] // the whole value is replaced
	return end, ok
}

// maskedAlready reports whether a JSON value hides nothing: empty, or a
// credential masked already by whoever wrote the line (oslo.log writes
// "***", keystonemiddleware "<SANITIZED>", os-log-merger "TOKEN_REDACTED").
func maskedAlready(v []byte) bool {
	switch string(v) {
	case `""`, `"` + logline.Masked + `"`, `"<SANITIZED>"`, `"TOKEN_REDACTED"`, `"REDACTED"`:
		return true
	}
	return len(v) > 2 && v[0] == '"' && strings.Trim(string(v[1:len(v)-1]), "*") == ""
}
