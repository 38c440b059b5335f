package sqlaudit

import (
	"database/sql/driver"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"time"
	"unicode/utf8"

	"github.com/auditlog-go/auditlog/auditlog"
)

// argsKey is the attribute that holds a call's arguments, in attrs.
const argsKey = "args"

// argsAttr renders args as the attrs of a line: one "args" attribute whose
// value is a JSON array in ordinal order. See WithArgs for what each element
// looks like and why.
//
// A named argument becomes a one-member map so that the handler's encoder,
// which redacts by key at any depth of an attribute's JSON form, applies its
// own rules (mask, hash or drop; its list of keys) to the argument's name.
// There is no such hook for a positional argument, so it is masked here
// unless the user's redactor says otherwise.
func (a *auditor) argsAttr(args []driver.NamedValue) []slog.Attr {
	vals := make([]any, len(args))
	for i, nv := range args {
		var v any
		switch {
		case a.o.redactor != nil:
			v = jsonSafe(callRedactor(a.o.redactor, nv))
		case nv.Name == "":
			v = auditlog.Masked
		default:
			v = jsonSafe(nv.Value)
		}
		if nv.Name != "" {
			v = map[string]any{nv.Name: v}
		}
		vals[i] = v
	}
	return []slog.Attr{slog.Any(argsKey, vals)}
}

// callRedactor calls the user's redactor and masks the argument if it
// panics: a bug in a logging hook must neither fail the call nor let the
// raw value through.
func callRedactor(f func(int, string, any) any, nv driver.NamedValue) (v any) {
	defer func() {
		if recover() != nil {
			v = auditlog.Masked
		}
	}()
	return f(nv.Ordinal, nv.Name, nv.Value)
}

// jsonSafe returns v in a form encoding/json always accepts. The handler
// marshals the whole args array at once, and when that fails it falls back
// to printing the array with fmt — named values and all, past the key-based
// redaction. So no element may make Marshal fail: NaN, a time outside
// years 0–9999, a channel, a MarshalJSON that errs or panics.
func jsonSafe(v any) any {
	switch x := v.(type) {
	case nil, bool, string, int64, int, int32, uint64:
		return x
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return fmt.Sprint(x)
		}
		return x
	case []byte:
		if utf8.Valid(x) {
			return string(x)
		}
		return x // encoding/json writes it as base64
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	// Types a driver accepts through its NamedValueChecker (pgx takes
	// almost anything): keep their JSON form, so that keys inside it are
	// still redacted by the handler, or else their printed form.
	if js, ok := marshal(v); ok {
		return js
	}
	return sprint(v)
}

func marshal(v any) (js json.RawMessage, ok bool) {
	defer func() {
		if recover() != nil {
			js, ok = nil, false
		}
	}()
	b, err := json.Marshal(v)
	if err != nil {
		return nil, false
	}
	return b, true
}

func sprint(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = fmt.Sprintf("!PANIC: %T", v)
		}
	}()
	return fmt.Sprintf("%v", v)
}
