// Package schema holds the JSON Schema of an audit line and checks lines
// against it.
//
// The schema is the contract between the services that write audit lines and
// the tools that read them, so it lives in one file, audit-line.schema.json,
// that both sides can use: readers in other languages load the file, and Go
// code uses [Validate]. Some promises of a line cannot be written in JSON
// Schema — one object per line, keys sorted byte-wise at every level, no
// duplicate keys — so [Validate] checks those too, and a line that passes it
// keeps every promise the package auditlog makes.
//
// [TopLevelKeys] and [NestedKeys] read the key names out of the schema, so that
// a test can hold the Go key constants and the schema to the same list.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// JSON returns the text of audit-line.schema.json, the JSON Schema (draft
// 2020-12) of one audit line, so that tools can serve or write out the
// schema without a copy of the source tree. It is a copy: what Validate
// checks against cannot be changed through it.
func JSON() []byte { return []byte(schemaText) }

//go:embed audit-line.schema.json
var schemaText string

// schemaURL is the $id of the schema. The compiler is given the document under
// this name, so it never looks for it on disk or on the network.
const schemaURL = "https://github.com/auditlog-go/auditlog/schema/audit-line.schema.json"

// compiled compiles the schema on first use and keeps it, because compiling
// costs far more than validating a line. A *jsonschema.Schema is read-only once
// compiled, so sharing it makes Validate safe for concurrent use.
var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schemaText))
	if err != nil {
		return nil, fmt.Errorf("schema: audit-line.schema.json is not valid JSON: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	// Draft 2020-12 treats "format" as an annotation unless told otherwise;
	// the timestamp's date-time format is meant to be checked.
	c.AssertFormat()
	if err := c.AddResource(schemaURL, doc); err != nil {
		return nil, fmt.Errorf("schema: cannot load audit-line.schema.json: %w", err)
	}
	sch, err := c.Compile(schemaURL)
	if err != nil {
		return nil, fmt.Errorf("schema: audit-line.schema.json does not compile: %w", err)
	}
	return sch, nil
})

// printer renders the validator's messages; the library localizes them and
// wants a printer to do so.
var printer = message.NewPrinter(language.English)

// Validate reports whether line is one well-formed audit line, and if not,
// what is wrong with it and where.
//
// A well-formed line is a single JSON object in UTF-8, optionally followed by
// exactly one "\n", with no other raw newline; its keys are in byte-wise
// sorted order at every level of nesting and none appears twice in one
// object; and it is valid against the schema [JSON] returns. The error names the
// place with a JSON pointer (such as /context/trace_id) and quotes the start of
// the line. Validate is safe for concurrent use.
func Validate(line []byte) error {
	sch, err := compiled()
	if err != nil {
		return err
	}
	body := bytes.TrimSuffix(line, []byte("\n"))
	if i := bytes.IndexByte(body, '\n'); i >= 0 {
		return lineError(line, "", "raw newline at byte %d: a line must hold exactly one JSON object, ended by at most one newline", i)
	}
	if !utf8.Valid(body) {
		return lineError(line, "", "invalid UTF-8 at byte %d", invalidUTF8At(body))
	}
	v, err := decodeSorted(line, body)
	if err != nil {
		return err
	}
	if err := sch.Validate(v); err != nil {
		var verr *jsonschema.ValidationError
		if !errors.As(err, &verr) {
			return lineError(line, "", "%v", err)
		}
		return &schemaError{msg: lineError(line, "", "does not match the schema: %s", describe(verr)).Error(), err: verr}
	}
	return nil
}

// schemaError keeps the validator's own error reachable through errors.As, for
// callers that want the whole tree, while its message stays one line.
type schemaError struct {
	msg string
	err *jsonschema.ValidationError
}

func (e *schemaError) Error() string { return e.msg }
func (e *schemaError) Unwrap() error { return e.err }

// frame is one object or array that decodeSorted has opened and not yet
// closed.
type frame struct {
	obj     map[string]any // the object being built; nil for an array
	arr     []any          // the array being built
	key     string         // the last key read, which the next value belongs to
	haveKey bool           // whether a key has been read yet (key "" is valid)
	wantKey bool           // whether the next token is a key, not a value
}

// stackPtr returns the JSON pointer of the innermost open object or array.
// It is built only for an error, from the stack itself: while a child is
// open, its parent's last key (or its array length) still names it.
func stackPtr(stack []*frame) string {
	var b strings.Builder
	for _, f := range stack[:len(stack)-1] {
		b.WriteByte('/')
		if f.obj != nil {
			b.WriteString(escapePtr(f.key))
		} else {
			b.WriteString(strconv.Itoa(len(f.arr)))
		}
	}
	return b.String()
}

// add adds a finished value to the object or array.
func (f *frame) add(v any) {
	if f.obj != nil {
		f.obj[f.key] = v
		f.wantKey = true
		return
	}
	f.arr = append(f.arr, v)
}

// value returns what the frame built, as the schema validator wants it.
func (f *frame) value() any {
	if f.obj != nil {
		return f.obj
	}
	if f.arr == nil {
		return []any{}
	}
	return f.arr
}

// decodeSorted decodes body, the line without its newline, into the generic
// form the schema validator takes, checking on the way what a decoded map can
// no longer show: that keys are sorted and unique, and that nothing follows
// the object. Numbers stay json.Number so that no digits are lost.
func decodeSorted(line, body []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, syntaxError(line, dec, err)
	}
	if tok != json.Delim('{') {
		return nil, lineError(line, "", "not a JSON object: a line must be one object, not %s", describeToken(tok))
	}
	stack := []*frame{{obj: map[string]any{}, wantKey: true}}
	var root any
	for len(stack) > 0 {
		tok, err := dec.Token()
		if err != nil {
			return nil, syntaxError(line, dec, err)
		}
		top := stack[len(stack)-1]
		if top.obj != nil && top.wantKey && tok != json.Delim('}') {
			key, ok := tok.(string)
			if !ok { // the decoder should have refused this already
				return nil, lineError(line, where(stackPtr(stack)), "object key is %s, not a string", describeToken(tok))
			}
			if top.haveKey {
				switch {
				case key == top.key:
					return nil, lineError(line, where(stackPtr(stack)), "duplicate key %q", key)
				case key < top.key:
					return nil, lineError(line, where(stackPtr(stack)), "key %q comes after %q: keys must be in byte-wise sorted order", key, top.key)
				}
			}
			top.key, top.haveKey, top.wantKey = key, true, false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{obj: map[string]any{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &frame{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
			if len(stack) == 0 {
				root = top.value()
			} else {
				stack[len(stack)-1].add(top.value())
			}
		default:
			top.add(tok)
		}
	}
	// JSON allows whitespace after the value; anything else is a second value
	// or garbage, which a reader splitting on newlines would choke on.
	end := dec.InputOffset()
	if rest := bytes.TrimLeft(body[end:], " \t\r"); len(rest) > 0 {
		return nil, lineError(line, "", "unexpected data after the object at byte %d: a line must hold exactly one JSON object", len(body)-len(rest))
	}
	return root, nil
}

// syntaxError reports a decoder error with the byte offset at which it
// happened, which the decoder's own message leaves out.
func syntaxError(line []byte, dec *json.Decoder, err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		if len(bytes.TrimSpace(line)) == 0 {
			return lineError(line, "", "empty line: want one JSON object")
		}
		return lineError(line, "", "invalid JSON: the line ends inside a value")
	}
	var serr *json.SyntaxError
	if errors.As(err, &serr) {
		return lineError(line, "", "invalid JSON at byte %d: %v", serr.Offset, err)
	}
	return lineError(line, "", "invalid JSON near byte %d: %v", dec.InputOffset(), err)
}

// describeToken names a token for an error message.
func describeToken(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[', ']':
			return "an array"
		default:
			return "an object"
		}
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return fmt.Sprintf("%T", tok)
}

// describe flattens the validator's tree of errors into one line: each leaf
// failure with the JSON pointer of the value it is about. The tree's inner
// nodes only say that their children failed.
func describe(verr *jsonschema.ValidationError) string {
	var parts []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		parts = append(parts, "at "+where(pointer(e.InstanceLocation))+": "+e.ErrorKind.LocalizedString(printer))
	}
	walk(verr)
	return strings.Join(parts, "; ")
}

// pointer joins the tokens of an instance location into a JSON pointer.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapePtr(t))
	}
	return b.String()
}

// escapePtr escapes one JSON pointer token as RFC 6901 asks.
func escapePtr(tok string) string {
	if !strings.ContainsAny(tok, "~/") {
		return tok
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(tok)
}

// where names a JSON pointer in an error message. The empty pointer, the whole
// line, would read as nothing at all.
func where(ptr string) string {
	if ptr == "" {
		return "top level"
	}
	return ptr
}

// prefixLen is how much of a bad line an error quotes: enough to recognise
// the line, not so much that one bad line floods a test log.
const prefixLen = 80

// lineError builds an error that says what is wrong, where (a JSON pointer,
// or "" for the line as a whole), and quotes the start of the line so that a
// reader can find it among many.
func lineError(line []byte, ptr, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if ptr != "" {
		msg = "at " + ptr + ": " + msg
	}
	return fmt.Errorf("schema: invalid audit line: %s (line: %s)", msg, quotePrefix(line))
}

// quotePrefix returns the start of line for an error message. A clean line is
// shown as it is, since quoting JSON would bury it in backslashes; a line with
// control characters or bad UTF-8 is Go-quoted so that the message itself
// stays one readable line.
func quotePrefix(line []byte) string {
	// The newline that ends a line says nothing and would force quoting.
	p, more := bytes.TrimSuffix(line, []byte("\n")), ""
	if len(p) > prefixLen {
		p, more = p[:prefixLen], "…"
		// Cut at a rune boundary, so a valid line is not made to look
		// invalid by the cut.
		for i := 0; i < utf8.UTFMax && len(p) > 0 && !utf8.Valid(p); i++ {
			p = p[:len(p)-1]
		}
	}
	if !utf8.Valid(p) || bytes.ContainsFunc(p, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return strconv.Quote(string(p)) + more
	}
	return string(p) + more
}

// invalidUTF8At returns the offset of the first invalid UTF-8 sequence in b.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// TopLevelKeys returns the names of the top-level properties of the schema,
// sorted. With [NestedKeys] it lets a test in another package check that the
// Go key constants and the schema name the same keys. The caller owns the
// slice.
func TopLevelKeys() []string {
	return slices.Clone(keys().top)
}

// NestedKeys returns, for each top-level property of the schema that is an
// object with properties of its own (context, exception, rpc, target, user),
// the names of those properties, sorted. The open attrs object has none and
// is left out. The caller owns the map and its slices.
func NestedKeys() map[string][]string {
	k := keys()
	m := make(map[string][]string, len(k.nested))
	for name, ks := range k.nested {
		m[name] = slices.Clone(ks)
	}
	return m
}

// schemaKeys is the key names read out of the embedded schema.
type schemaKeys struct {
	top    []string
	nested map[string][]string
}

// keys reads the key names once. The schema is embedded, so a failure here is
// a broken build, not a condition a caller could handle.
var keys = sync.OnceValue(func() schemaKeys {
	type node struct {
		Properties map[string]node `json:"properties"`
	}
	var root node
	if err := json.Unmarshal(JSON(), &root); err != nil {
		panic("schema: audit-line.schema.json is not valid JSON: " + err.Error())
	}
	k := schemaKeys{nested: map[string][]string{}}
	for name, prop := range root.Properties {
		k.top = append(k.top, name)
		if len(prop.Properties) > 0 {
			k.nested[name] = slices.Sorted(maps.Keys(prop.Properties))
		}
	}
	slices.Sort(k.top)
	return k
})
