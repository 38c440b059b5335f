package logformat

import (
	"errors"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/logline"
)

const rec = `{"s":"héllo wörld","n":42,"neg":-7,"f":3.14159,"big":12345.678,"z":0,"lvl":"INFO","obj":{"a":[1,2.50]},"nul":null}`

func fill(t testing.TB, format, line string, r render) string {
	t.Helper()
	fields := logline.NewFields()
	tm, err := Compile(format, fields, true)
	if err != nil {
		t.Fatalf("Compile(%q): %v", format, err)
	}
	vals := make([][]byte, fields.Len())
	if !fields.Extract([]byte(line), vals) {
		t.Fatalf("not a JSON line: %s", line)
	}
	return string(tm.Append(nil, vals, &r))
}

// TestTemplateLikePython: the expected strings are what Python's % operator
// prints for the same format and record (python3, checked by hand), except
// %r, which quotes as JSON rather than as Python.
func TestTemplateLikePython(t *testing.T) {
	for _, c := range []struct{ format, want string }{
		{"%(s)s|", "héllo wörld|"},
		{"%(s)12s|", " héllo wörld|"},
		{"%(s)-12s|", "héllo wörld |"},
		{"%(s).3s|", "hél|"},
		{"%(s)8.3s|", "     hél|"},
		{"%(n)d|", "42|"},
		{"%(n)5d|", "   42|"},
		{"%(n)-5d|", "42   |"},
		{"%(n)05d|", "00042|"},
		{"%(neg)05d|", "-0007|"},
		{"%(n)+d|", "+42|"},
		{"%(n) d|", " 42|"},
		{"%(f).2f|", "3.14|"},
		{"%(f)08.3f|", "0003.142|"},
		{"%(f)e|", "3.141590e+00|"},
		{"%(f).3E|", "3.142E+00|"},
		{"%(big)g|", "12345.7|"},
		{"%(f)G|", "3.14159|"},
		{"%(n)x|", "2a|"},
		{"%(n)#X|", "0X2A|"},
		{"%(n)o|", "52|"},
		{"%(n)#o|", "0o52|"},
		{"%(f)d|", "3|"},
		{"%(n)f|", "42.000000|"},
		{"%(big).0f|", "12346|"},
		{"%(f)10.4g|", "     3.142|"},
		{"%(z)g|", "0|"},
		{"%(lvl)-8s|", "INFO    |"},
		// Ours, not Python's:
		{"%(s)r|", `"héllo wörld"|`},
		{"%(obj)s|%(obj)r", `{"a":[1,2.5]}|{"a":[1,2.5]}`},
		{"%(nope)s|%(nul)s|%(nope)5s|%(nope)d", "-|-|    -|-"},
		{"%(s)d", "héllo wörld"}, // Python raises; a reader would rather see the value
		{`a\tb\nc\\d %% %(n)s`, "a\tb\nc\\d % 42"},
		{"%(obj.a.1)s %(obj.a.0)03d", "2.5 001"},
	} {
		if got := fill(t, c.format, rec, render{missing: "-"}); got != c.want {
			t.Errorf("%q: got %q, want %q", c.format, got, c.want)
		}
	}
}

func TestTemplateAliasesAndColour(t *testing.T) {
	oslo := `{"asctime":"2015-10-29 10:00:00,123","msecs":123.456,"process":4567,"levelname":"ERROR","name":"nova.api","message":"boom"}`
	if got, want := fill(t, presets["convert-json"], oslo, render{}), "2015-10-29 10:00:00,123.123 4567 ERROR nova.api boom"; got != want {
		t.Errorf("convert-json preset: got %q, want %q", got, want)
	}
	if got, want := fill(t, "%(timestamp)s %(level)s %(service)s %(message)s", oslo, render{}), "2015-10-29 10:00:00,123 ERROR nova.api boom"; got != want {
		t.Errorf("our keys on an oslo line: got %q, want %q", got, want)
	}
	got := fill(t, "%(level)-7s|", oslo, render{color: true})
	if want := colorBoldRed + "ERROR" + colorReset + "  |"; got != want {
		t.Errorf("coloured level: got %q, want %q (padding outside the colour)", got, want)
	}
	fields := logline.NewFields()
	tm, _ := Compile("%(level)s", fields, false)
	vals := make([][]byte, fields.Len())
	fields.Extract([]byte(oslo), vals)
	if got := string(tm.Append(nil, vals, &render{missing: "?"})); got != "?" {
		t.Errorf("without aliases, level on an oslo line: got %q, want missing", got)
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct{ format, want string }{
		{"%", "lone %"},
		{"abc %s", "needs a key"},
		{"%(level", "unclosed"},
		{"%()s", "empty key"},
		{"%(a..b)s", "empty segment"},
		{"%(level)", "no conversion"},
		{"%(level)q", "unknown conversion 'q'"},
		{"%(level)-", "no conversion"},
		{"%(level)99999s", "over 4096"},
	} {
		_, err := Compile(c.format, logline.NewFields(), true)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("Compile(%q): err = %v, want a FormatError", c.format, err)
			continue
		}
		if !strings.Contains(err.Error(), c.want) {
			t.Errorf("Compile(%q): %v; want it to mention %q", c.format, err, c.want)
		}
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{"%(a)s", "%(level)-8s %(b.c)05.2f", "%%", `\t%(x)r\n`, "%(a)#x %(a)+e", "%(s).1s"} {
		f.Add(s, rec)
	}
	f.Fuzz(func(t *testing.T, format, line string) {
		fields := logline.NewFields()
		tm, err := Compile(format, fields, true)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) || fe.Pos < 0 || fe.Pos > len(format) {
				t.Fatalf("Compile(%q): bad error %v", format, err)
			}
			return
		}
		vals := make([][]byte, fields.Len())
		if !fields.Extract([]byte(line), vals) {
			vals = make([][]byte, fields.Len())
		}
		out := tm.Append(nil, vals, &render{missing: "-", escapeControl: true, color: true})
		if !strings.Contains(format, "%") && !strings.Contains(format, `\`) && string(out) != format {
			t.Fatalf("literal format %q printed %q", format, out)
		}
	})
}
