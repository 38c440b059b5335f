package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/internal/jsonscan"
	"github.com/auditlog-go/auditlog/schema"
)

// This file holds the quick check: a one-pass walk that vouches for the
// lines [schema.Validate] would accept, at a fraction of its cost.
//
// schema.Validate decodes the line into maps and runs a general JSON
// Schema validator over them: about 80 µs and 500 allocations for a
// request line, four times the whole budget of a line at 50,000 lines/s on
// two cores. Most lines a server receives come from our own handler and
// are valid, so they are what must be cheap. The quick check walks the
// bytes once, checks the JSON grammar, key order and uniqueness, and the
// schema's constraints, and answers only "valid for sure" or "not sure".
// Anything it is not sure of (an escape in a key, a keyword it does not
// know, a number in exponent form where an integer is due, any error) goes
// to schema.Validate, whose verdict and wording are final. So a line is
// never accepted that Validate would refuse (FuzzQuick holds it to that),
// and every error a user sees is Validate's.
//
// The rules are read from the schema itself (schema.JSON()) at first use,
// not written out here: a new key or a tightened constraint is followed
// without a change, and a keyword this file does not understand makes the
// value it applies to "not sure" rather than unchecked.

// rule is what the schema says of one value. A nil *rule means any JSON
// value (keys sorted and unique in its objects, as Validate checks
// everywhere).
type rule struct {
	unsure bool // a keyword the quick check does not know: always ask Validate
	slot   int  // where quickRead puts the value for Line, -1 for nowhere

	types    uint8 // bit set of t*; 0 means any type
	enum     [][]byte
	constRaw []byte
	minLen   int
	hasMin   bool
	min      float64
	hasMax   bool
	max      float64
	pattern  func([]byte) bool
	dateTime bool

	props    map[string]prop // nil: no properties keyword
	sorted   []namedProp     // props in byte-wise order, for the merge walk
	closed   bool            // additionalProperties: false
	required uint64
	minProps int
	items    *rule
	hasItems bool
}

// prop is a property's rule and its bit, for required.
type prop struct {
	r   *rule
	bit uint64
}

type namedProp struct {
	name string
	prop
}

const (
	tString = 1 << iota
	tInteger
	tNumber
	tObject
	tArray
	tBoolean
	tNull
)

var typeBits = map[string]uint8{
	"string": tString, "integer": tInteger, "number": tNumber, "object": tObject,
	"array": tArray, "boolean": tBoolean, "null": tNull,
}

// ignored are the keywords that say nothing about validity.
var ignored = map[string]bool{
	"$schema": true, "$id": true, "title": true, "description": true, "examples": true,
	"$comment": true, "default": true,
}

// quickRoot is the top-level rule, or nil when the schema cannot be read
// by the quick check (then every line goes to Validate).
var quickRoot = sync.OnceValue(func() *rule {
	var doc map[string]any
	if err := json.Unmarshal(schema.JSON(), &doc); err != nil {
		return nil
	}
	r := compileRule(doc)
	if r.unsure || r.props == nil || r.types != tObject {
		return nil
	}
	// Line's fields that are the schema's own paths are read on the way.
	for i := range sl.f.Len() {
		p := sl.f.Path(i)
		at := r
		for seg := range strings.SplitSeq(p, ".") {
			if at == nil || at.props == nil {
				at = nil
				break
			}
			at = at.props[seg].r
		}
		if at != nil {
			at.slot = i
		}
	}
	return r
})

// compileRule reads one schema object.
func compileRule(s map[string]any) *rule {
	r := &rule{slot: -1}
	for k, v := range s {
		if ignored[k] {
			continue
		}
		ok := true
		switch k {
		case "type":
			name, _ := v.(string)
			r.types, ok = typeBits[name]
		case "enum":
			list, _ := v.([]any)
			for _, e := range list {
				s, isStr := e.(string)
				raw, err := json.Marshal(s)
				if !isStr || err != nil || !bytes.Equal(raw, append(append([]byte{'"'}, s...), '"')) {
					ok = false
					break
				}
				r.enum = append(r.enum, raw)
			}
			ok = ok && len(r.enum) > 0
		case "const":
			switch c := v.(type) {
			case bool:
				r.constRaw = []byte(strconv.FormatBool(c))
			case float64:
				if c != float64(int64(c)) {
					ok = false
				}
				r.constRaw = []byte(strconv.FormatInt(int64(c), 10))
			default:
				ok = false
			}
		case "minLength":
			f, isNum := v.(float64)
			r.minLen, ok = int(f), isNum && f >= 0
		case "minimum":
			r.min, ok = v.(float64)
			r.hasMin = ok
		case "maximum":
			r.max, ok = v.(float64)
			r.hasMax = ok
		case "pattern":
			p, _ := v.(string)
			r.pattern = patternFunc(p)
			ok = r.pattern != nil
		case "format":
			r.dateTime, ok = v == "date-time", v == "date-time"
		case "additionalProperties":
			r.closed, ok = v == false, v == false
		case "minProperties":
			f, isNum := v.(float64)
			r.minProps, ok = int(f), isNum && f >= 0
		case "required":
			// read after properties, below
		case "properties":
			m, isMap := v.(map[string]any)
			ok = isMap && len(m) <= 64
			r.props = map[string]prop{}
			for name, sub := range m {
				sm, isMap := sub.(map[string]any)
				if !isMap {
					ok = false
					break
				}
				r.props[name] = prop{r: compileRule(sm), bit: 1 << len(r.props)}
			}
			for name, p := range r.props {
				r.sorted = append(r.sorted, namedProp{name, p})
			}
			slices.SortFunc(r.sorted, func(a, b namedProp) int { return strings.Compare(a.name, b.name) })
		case "items":
			m, isMap := v.(map[string]any)
			ok = isMap
			if isMap {
				r.items, r.hasItems = compileRule(m), true
			}
		default:
			ok = false
		}
		if !ok {
			r.unsure = true
		}
	}
	if req, has := s["required"]; has {
		list, _ := req.([]any)
		for _, e := range list {
			name, _ := e.(string)
			p, known := r.props[name]
			if !known {
				r.unsure = true
				break
			}
			r.required |= p.bit
		}
	}
	return r
}

// quickValid reports whether line (without its newline) is surely a line
// schema.Validate accepts. False means only "not sure".
func quickValid(line []byte) bool {
	var buf [maxSlots][]byte
	return quickRead(line, buf[:sl.f.Len()])
}

// quickRead is quickValid that also fills out, as [logline.Fields.Extract]
// would for Line's fields, with the values of our own paths (the
// schema's), when it is sure: one walk does both.
func quickRead(line []byte, out [][]byte) bool {
	root := quickRoot()
	if root == nil || len(line) < 2 || line[0] != '{' || line[len(line)-1] != '}' {
		return false
	}
	clear(out)
	// The walk refuses a raw newline (a control character in a string,
	// not white space between tokens), and stops early on a line of
	// another writer (oslo.log's keys are not sorted); UTF-8 is checked
	// once it has gone through.
	end, ok := qValue(line, 0, root, out)
	return ok && end == len(line) && utf8.Valid(line)
}

// qValue checks the value at b[i] against r and returns the index after
// it.
func qValue(b []byte, i int, r *rule, out [][]byte) (int, bool) {
	if i >= len(b) {
		return 0, false
	}
	if r != nil && r.unsure {
		return 0, false
	}
	var t uint8
	start := i
	var end int
	var ok bool
	switch c := b[i]; {
	case c == '"':
		t = tString
		end, ok = qString(b, i+1)
	case c == '{':
		t = tObject
		end, ok = qObject(b, i, r, out)
	case c == '[':
		t = tArray
		end, ok = qArray(b, i, r, out)
	case c == 't':
		t, end, ok = tBoolean, i+4, bytes.HasPrefix(b[i:], []byte("true"))
	case c == 'f':
		t, end, ok = tBoolean, i+5, bytes.HasPrefix(b[i:], []byte("false"))
	case c == 'n':
		t, end, ok = tNull, i+4, bytes.HasPrefix(b[i:], []byte("null"))
	case c == '-' || c >= '0' && c <= '9':
		var integer bool
		end, integer, ok = jsonscan.Number(b, i)
		t = tNumber
		if integer {
			t |= tInteger
		}
	}
	if !ok || r == nil {
		return end, ok
	}
	v := b[start:end]
	if r.slot >= 0 && out != nil {
		out[r.slot] = v
	}
	if r.types != 0 && r.types&t == 0 {
		return 0, false
	}
	if r.enum != nil && !rawIn(v, r.enum) || r.constRaw != nil && !bytes.Equal(v, r.constRaw) {
		return 0, false
	}
	if t == tString {
		body := v[1 : len(v)-1]
		constrained := r.minLen > 0 || r.pattern != nil || r.dateTime
		if constrained && bytes.IndexByte(body, '\\') >= 0 {
			return 0, false
		}
		if r.minLen > 0 && utf8.RuneCount(body) < r.minLen ||
			r.pattern != nil && !r.pattern(body) {
			return 0, false
		}
		if r.dateTime && !validStamp(body) {
			return 0, false
		}
	}
	if t&tNumber != 0 && (r.hasMin || r.hasMax) {
		if len(v) > 15 {
			return 0, false // beyond float64's exact integers: let Validate decide
		}
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil || r.hasMin && f < r.min || r.hasMax && f > r.max {
			return 0, false
		}
	}
	return end, true
}

// stampPattern is the schema's pattern of a timestamp, which parseStamp
// checks by hand.
const stampPattern = `^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}Z$`

// patternFunc returns a matcher of the pattern p: by hand for the
// timestamp's and for a run of lowercase hex digits (trace_id, span_id),
// the shapes on every line, and through regexp otherwise. Go's RE2 and
// JSON Schema's ECMA-262 agree on the simple patterns a schema like ours
// uses; one RE2 cannot compile makes the value "not sure" (nil).
func patternFunc(p string) func([]byte) bool {
	if p == stampPattern {
		return func(b []byte) bool { return len(b) == len(stampLayout) && stampShape(b) }
	}
	var n int
	var tail string
	if k, _ := fmt.Sscanf(p, "^[0-9a-f]{%d}%s", &n, &tail); k == 2 && tail == "$" && n > 0 {
		return func(b []byte) bool {
			if len(b) != n {
				return false
			}
			for _, c := range b {
				if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
					return false
				}
			}
			return true
		}
	}
	re, err := regexp.Compile(p)
	if err != nil || p == "" {
		return nil
	}
	return re.Match
}

// stampLayout is the one form of our timestamps.
const stampLayout = "2006-01-02T15:04:05.000000Z"

// stampShape checks the digits and separators of stampLayout.
func stampShape(b []byte) bool {
	for i, c := range []byte(stampLayout) {
		if c >= '0' && c <= '9' {
			if b[i] < '0' || b[i] > '9' {
				return false
			}
		} else if b[i] != c {
			return false
		}
	}
	return true
}

// validStamp is parseStamp's check without making the time.
func validStamp(b []byte) bool {
	if len(b) != len(stampLayout) || !stampShape(b) {
		_, err := time.Parse(time.RFC3339Nano, string(b))
		return err == nil
	}
	d2 := func(i int) int { return int(b[i]-'0')*10 + int(b[i+1]-'0') }
	y := d2(0)*100 + d2(2)
	mo, d := d2(5), d2(8)
	if mo < 1 || mo > 12 || d < 1 || d2(11) > 23 || d2(14) > 59 || d2(17) > 59 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo]
	if mo == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// parseStamp reads a timestamp of our one form, checking that the date
// and time exist (no 30 February, no second 60), as RFC 3339's date-time
// requires; any other form is left to time.Parse.
func parseStamp(b []byte) (time.Time, bool) {
	if len(b) != len(stampLayout) || !stampShape(b) {
		t, err := time.Parse(time.RFC3339Nano, string(b))
		return t, err == nil
	}
	num := func(from, to int) int {
		n := 0
		for _, c := range b[from:to] {
			n = n*10 + int(c-'0')
		}
		return n
	}
	y, mo, d := num(0, 4), num(5, 7), num(8, 10)
	h, mi, sec, us := num(11, 13), num(14, 16), num(17, 19), num(20, 26)
	if mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC)
	if t.Day() != d { // past the end of the month
		return time.Time{}, false
	}
	return t, true
}

func rawIn(v []byte, list [][]byte) bool {
	for _, e := range list {
		if bytes.Equal(v, e) {
			return true
		}
	}
	return false
}

// qObject checks the object at b[i] ('{'): keys unescaped, sorted and
// unique, each value against its property's rule.
func qObject(b []byte, i int, r *rule, out [][]byte) (int, bool) {
	i = qSkipWS(b, i+1)
	var prev []byte
	var seen uint64
	n := 0
	next := 0 // the line's keys come sorted, as r.sorted is: walk both at once
	if i < len(b) && b[i] == '}' {
		i++
	} else {
		for {
			if i >= len(b) || b[i] != '"' {
				return 0, false
			}
			ke, ok := qString(b, i+1)
			if !ok {
				return 0, false
			}
			key := b[i+1 : ke-1]
			if bytes.IndexByte(key, '\\') >= 0 || n > 0 && bytes.Compare(key, prev) <= 0 {
				return 0, false
			}
			prev = key
			n++
			var sub *rule
			if r != nil && r.props != nil {
				for next < len(r.sorted) && r.sorted[next].name < string(key) {
					next++
				}
				if next < len(r.sorted) && r.sorted[next].name == string(key) {
					sub = r.sorted[next].r
					seen |= r.sorted[next].bit
					next++
				} else if r.closed {
					return 0, false
				}
			}
			i = qSkipWS(b, ke)
			if i >= len(b) || b[i] != ':' {
				return 0, false
			}
			if i, ok = qValue(b, qSkipWS(b, i+1), sub, out); !ok {
				return 0, false
			}
			i = qSkipWS(b, i)
			if i >= len(b) {
				return 0, false
			}
			if b[i] == '}' {
				i++
				break
			}
			if b[i] != ',' {
				return 0, false
			}
			i = qSkipWS(b, i+1)
		}
	}
	if r != nil && (seen&r.required != r.required || n < r.minProps) {
		return 0, false
	}
	return i, true
}

// qArray checks the array at b[i] ('['), each element against r's items.
func qArray(b []byte, i int, r *rule, out [][]byte) (int, bool) {
	var items *rule
	if r != nil && r.hasItems {
		items = r.items
	}
	i = qSkipWS(b, i+1)
	if i < len(b) && b[i] == ']' {
		return i + 1, true
	}
	for {
		var ok bool
		if i, ok = qValue(b, i, items, nil); !ok {
			return 0, false
		}
		i = qSkipWS(b, i)
		if i >= len(b) {
			return 0, false
		}
		if b[i] == ']' {
			return i + 1, true
		}
		if b[i] != ',' {
			return 0, false
		}
		i = qSkipWS(b, i+1)
	}
}

// qString checks the string whose contents start at b[i] and returns the
// index after its closing quote. Raw control characters and bad escapes
// are refused (not sure); the caller checked UTF-8 for the whole line.
func qString(b []byte, i int) (int, bool) {
	for i < len(b) {
		c := b[i]
		switch {
		case c == '"':
			return i + 1, true
		case c < 0x20:
			return 0, false
		case c == '\\':
			if i+1 >= len(b) {
				return 0, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return 0, false
				}
				i += 6
			default:
				return 0, false
			}
		default:
			i++
		}
	}
	return 0, false
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func qSkipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r') {
		i++
	}
	return i
}
