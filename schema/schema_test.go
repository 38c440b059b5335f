package schema

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func TestSchemaCompiles(t *testing.T) {
	if _, err := compiled(); err != nil {
		t.Fatal(err)
	}
}

// TestSchemaDescribesEveryProperty holds the schema to its role as the
// reference documentation: a property without a description is undocumented.
func TestSchemaDescribesEveryProperty(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(ptr string, node map[string]any)
	walk = func(ptr string, node map[string]any) {
		props, _ := node["properties"].(map[string]any)
		for name, p := range props {
			p := p.(map[string]any)
			if d, _ := p["description"].(string); strings.TrimSpace(d) == "" {
				t.Errorf("%s/%s has no description", ptr, name)
			}
			walk(ptr+"/"+name, p)
			if items, ok := p["items"].(map[string]any); ok {
				walk(ptr+"/"+name+"/items", items)
			}
		}
	}
	walk("", doc)
}

// examples returns the schema's examples as lines, written the way the
// package auditlog writes them: compact, with sorted keys.
func examples(t testing.TB) [][]byte {
	t.Helper()
	var doc struct {
		Examples []json.RawMessage `json:"examples"`
	}
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Examples) == 0 {
		t.Fatal("the schema has no examples")
	}
	var lines [][]byte
	for _, raw := range doc.Examples {
		// Decoding into maps and encoding again sorts the keys and keeps
		// numbers exact (UseNumber); Compact alone would keep the order of
		// the file, which is sorted by hand.
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		line, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, append(line, '\n'))
	}
	return lines
}

func TestExamplesValidate(t *testing.T) {
	for i, line := range examples(t) {
		if err := Validate(line); err != nil {
			t.Errorf("example %d: %v", i, err)
		}
	}
}

// TestExamplesAreSortedInFile checks that the examples are also sorted as
// written in the schema file, so that a reader who copies one copies a
// valid line.
func TestExamplesAreSortedInFile(t *testing.T) {
	var doc struct {
		Examples []json.RawMessage `json:"examples"`
	}
	if err := json.Unmarshal(JSON(), &doc); err != nil {
		t.Fatal(err)
	}
	for i, raw := range doc.Examples {
		var b bytes.Buffer
		if err := json.Compact(&b, raw); err != nil {
			t.Fatal(err)
		}
		if err := Validate(b.Bytes()); err != nil {
			t.Errorf("example %d as written: %v", i, err)
		}
	}
}

const (
	minimal = `{"kind":"log","level":"INFO","message":"","schema_version":1,"service":"s"}`
	ts      = `"2026-03-14T09:26:53.589793Z"`
)

func TestValidateValid(t *testing.T) {
	maximal := `{"action":"delete",` +
		`"attrs":{"":null,"a":[1,{"x":true,"y":[]}],"b":{"c":{"d":"e"}},"n":-1.5e300},` +
		`"context":{"global_request_id":"g","remote_addr":"192.0.2.1:1","request_id":"r",` +
		`"span_id":"00f067aa0ba902b7","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","user_agent":"ua"},` +
		`"duration_ms":0,` +
		`"exception":{"chain":[{"message":"m","type":"t"}],"message":"boom","stacktrace":"goroutine 1\n","type":"*errors.errorString"},` +
		`"kind":"db","level":"CRITICAL","message":"héllo \"world\" \u2028",` +
		`"outcome":"unknown",` +
		`"rpc":{"method":"DELETE","peer":"db:5432","response_bytes":0,"route":"/x","rows_affected":3,` +
		`"service":"nova","statement":"DELETE FROM t WHERE id = $1","system":"postgresql","transaction_id":"tx1"},` +
		`"schema_version":1,"seq":1,"service":"compute","status":999,` +
		`"target":{"id":"i","name":"n","type":"server"},` +
		`"timestamp":` + ts + `,"truncated":true,` +
		`"user":{"domain_id":"default","id":"u","name":"alice","project_id":"p","roles":["admin","member"]}}`
	for name, line := range map[string]string{
		"minimal":                 minimal,
		"minimal with newline":    minimal + "\n",
		"maximal":                 maximal + "\n",
		"empty roles and chain":   `{"exception":{"chain":[],"message":"m","type":"t"},"kind":"exception","level":"ERROR","message":"m","schema_version":1,"service":"s","user":{"roles":[]}}`,
		"JSON whitespace":         " { \"kind\" : \"log\" ,\t\"level\":\"INFO\",\"message\":\"\",\"schema_version\":1,\"service\":\"s\"} \r\n",
		"empty attrs":             `{"attrs":{},"kind":"log","level":"DEBUG","message":"m","schema_version":1,"service":"s"}`,
		"status zero (gRPC OK)":   `{"kind":"rpc","level":"INFO","message":"m","schema_version":1,"service":"s","status":0}`,
		"escaped key sorts as is": `{"attrs":{"a\u00e9":1,"b":2,"é":3},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
	} {
		if err := Validate([]byte(line)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestValidateInvalid(t *testing.T) {
	// Each case names a fragment the error must contain, so that a test
	// notices when an error stops saying what is wrong or where.
	for _, tc := range []struct {
		name, line string
		want       []string
	}{
		{"empty", "", []string{"empty line"}},
		{"just a newline", "\n", []string{"empty line"}},
		{"not an object", `["kind"]`, []string{"not a JSON object", "an array"}},
		{"syntax error", `{"kind":"log",}`, []string{"invalid JSON at byte"}},
		{"unterminated", `{"kind":"log"`, []string{"invalid JSON"}},
		{"unsorted keys", `{"level":"INFO","kind":"log","message":"m","schema_version":1,"service":"s"}`,
			[]string{`key "kind" comes after "level"`, "sorted"}},
		{"duplicate key", `{"kind":"log","kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{`duplicate key "kind"`}},
		{"nested unsorted keys", `{"context":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","request_id":"r"},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /context:", `"request_id" comes after "trace_id"`}},
		{"unsorted keys deep in attrs", `{"attrs":{"a":[{"z":1,"y":2}]},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /attrs/a/0:", `"y" comes after "z"`}},
		{"duplicate key deep in attrs", `{"attrs":{"a":{"b":1,"b":2}},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /attrs/a:", `duplicate key "b"`}},
		{"two lines in one", minimal + "\n" + minimal + "\n", []string{"raw newline at byte 75"}},
		{"two newlines", minimal + "\n\n", []string{"raw newline"}},
		{"two objects on one line", minimal + minimal, []string{"unexpected data after the object at byte 75"}},
		{"trailing garbage", minimal + " x", []string{"unexpected data after the object at byte 76"}},
		{"unknown top-level key", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","zone":"a"}`,
			[]string{"at top level", "zone"}},
		{"unknown nested key", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","target":{"owner":"x"}}`,
			[]string{"at /target", "owner"}},
		{"bad kind", `{"kind":"audit","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /kind", "audit"}},
		{"bad level", `{"kind":"log","level":"WARN","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /level", "WARN"}},
		{"lowercase level", `{"kind":"log","level":"info","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /level"}},
		{"bad outcome", `{"kind":"log","level":"INFO","message":"m","outcome":"ok","schema_version":1,"service":"s"}`,
			[]string{"at /outcome"}},
		{"timestamp in milliseconds", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","timestamp":"2026-03-14T09:26:53.589Z"}`,
			[]string{"at /timestamp", "does not match pattern"}},
		{"timestamp with offset", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","timestamp":"2026-03-14T09:26:53.589793+01:00"}`,
			[]string{"at /timestamp"}},
		{"timestamp impossible date", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","timestamp":"2026-02-30T09:26:53.589793Z"}`,
			[]string{"at /timestamp", "date-time"}},
		{"message not a string", `{"kind":"log","level":"INFO","message":1,"schema_version":1,"service":"s"}`,
			[]string{"at /message", "string"}},
		{"seq a string", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"seq":"1","service":"s"}`,
			[]string{"at /seq"}},
		{"seq zero", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"seq":0,"service":"s"}`,
			[]string{"at /seq"}},
		{"status fractional", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","status":200.5}`,
			[]string{"at /status"}},
		{"status too big", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","status":1000}`,
			[]string{"at /status"}},
		{"negative duration", `{"duration_ms":-1,"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /duration_ms"}},
		{"roles not strings", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","user":{"roles":[1]}}`,
			[]string{"at /user/roles/0"}},
		{"truncated false", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s","truncated":false}`,
			[]string{"at /truncated"}},
		{"schema version 2", `{"kind":"log","level":"INFO","message":"m","schema_version":2,"service":"s"}`,
			[]string{"at /schema_version"}},
		{"empty service", `{"kind":"log","level":"INFO","message":"m","schema_version":1,"service":""}`,
			[]string{"at /service"}},
		{"empty context", `{"context":{},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /context"}},
		{"trace id too short", `{"context":{"trace_id":"4bf92f3577b34da6a3ce929d0e0e473"},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /context/trace_id", "does not match pattern"}},
		{"trace id upper case", `{"context":{"trace_id":"4BF92F3577B34DA6A3CE929D0E0E4736"},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /context/trace_id"}},
		{"span id too long", `{"context":{"span_id":"00f067aa0ba902b7ab"},"kind":"log","level":"INFO","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /context/span_id"}},
		{"exception without type", `{"exception":{"message":"m"},"kind":"exception","level":"ERROR","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /exception", "type"}},
		{"chain entry without message", `{"exception":{"chain":[{"type":"t"}],"message":"m","type":"t"},"kind":"exception","level":"ERROR","message":"m","schema_version":1,"service":"s"}`,
			[]string{"at /exception/chain/0", "message"}},
		{"missing required key", `{"kind":"log","level":"INFO","message":"m","schema_version":1}`,
			[]string{"at top level", "service"}},
		{"missing several required keys", `{"message":"m"}`,
			[]string{"kind", "level", "schema_version", "service"}},
		{"invalid UTF-8", "{\"kind\":\"log\",\"level\":\"INFO\",\"message\":\"caf\xe9\",\"schema_version\":1,\"service\":\"s\"}",
			[]string{"invalid UTF-8 at byte 43", `\xe9`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate([]byte(tc.line))
			if err == nil {
				t.Fatalf("Validate(%q) = nil, want an error", tc.line)
			}
			msg := err.Error()
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("Validate(%q) = %q\nwant it to contain %q", tc.line, msg, w)
				}
			}
			if !strings.HasPrefix(msg, "schema: ") {
				t.Errorf("error %q does not start with the package name", msg)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("error %q spans more than one line", msg)
			}
			if tc.line != "" && tc.line != "\n" && !strings.Contains(msg, "(line: ") {
				t.Errorf("error %q does not quote the line", msg)
			}
		})
	}
}

func TestValidateErrorUnwrapsToValidationError(t *testing.T) {
	err := Validate([]byte(`{"kind":"nope","level":"INFO","message":"m","schema_version":1,"service":"s"}`))
	var verr *jsonschema.ValidationError
	if !errors.As(err, &verr) {
		t.Fatalf("errors.As(%v, *jsonschema.ValidationError) = false", err)
	}
}

func TestValidateQuotesOnlyAPrefix(t *testing.T) {
	long := `{"kind":"log","level":"INFO","message":"` + strings.Repeat("é", 500) + `","schema_version":1,"service":""}`
	err := Validate([]byte(long))
	if err == nil {
		t.Fatal("want an error for the empty service")
	}
	if len(err.Error()) > 400 {
		t.Errorf("error is %d bytes long; want only a prefix of the line: %s", len(err.Error()), err)
	}
	if !strings.Contains(err.Error(), "…") {
		t.Errorf("error %q does not mark the cut", err)
	}
	if strings.Contains(err.Error(), `\x`) {
		t.Errorf("error %q cut the line inside a rune", err)
	}
}

func TestValidateConcurrent(t *testing.T) {
	lines := examples(t)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for range 50 {
				for _, l := range lines {
					if err := Validate(l); err != nil {
						t.Error(err)
						return
					}
				}
				if Validate([]byte(`{"b":1,"a":2}`)) == nil {
					t.Error("unsorted line passed")
					return
				}
			}
		})
	}
	wg.Wait()
}

func TestKeys(t *testing.T) {
	top := TopLevelKeys()
	want := []string{
		"action", "attrs", "context", "duration_ms", "exception", "kind",
		"level", "message", "outcome", "rpc", "schema_version", "seq",
		"service", "status", "target", "timestamp", "truncated", "user",
	}
	if !slices.Equal(top, want) {
		t.Errorf("TopLevelKeys() = %q\nwant %q", top, want)
	}
	nested := NestedKeys()
	if _, ok := nested["attrs"]; ok {
		t.Error("NestedKeys() lists attrs, which is open")
	}
	for _, name := range []string{"context", "exception", "rpc", "target", "user"} {
		ks := nested[name]
		if len(ks) == 0 || !slices.IsSorted(ks) {
			t.Errorf("NestedKeys()[%q] = %q, want a sorted, non-empty list", name, ks)
		}
	}
	if len(nested) != 5 {
		t.Errorf("NestedKeys() has %d entries, want 5: %v", len(nested), nested)
	}
	// The results are the caller's to change.
	top[0] = "changed"
	nested["context"][0] = "changed"
	if TopLevelKeys()[0] == "changed" || NestedKeys()["context"][0] == "changed" {
		t.Error("changing a result changed what later calls return")
	}
}

func FuzzValidate(f *testing.F) {
	for _, l := range examples(f) {
		f.Add(l)
	}
	for _, s := range []string{
		"", "\n", "{}", "[]", "null", minimal, minimal + "\n" + minimal,
		`{"attrs":{"a":[[[{"b":{}}]]]}}`, `{"b":1,"a":2}`, `{"a":1,"a":1}`,
		"{\"\xff\":1}", `{"kind":"log"`, `{"a":1}{"b":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		_ = Validate(line)
	})
}
