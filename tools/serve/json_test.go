package serve

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/tools/events"
)

// TestAppendEventRaw: the line comes back byte for byte in every format:
// JSON embedded as it is (spaces, key order, escapes, <&> untouched), text
// as a string that decodes to the same bytes, and bytes that are not UTF-8
// in base64.
func TestAppendEventRaw(t *testing.T) {
	tm := time.Date(2026, 11, 23, 9, 30, 0, 123456000, time.UTC)
	for _, tc := range []struct {
		format string
		raw    string
		key    string
	}{
		{events.FormatAudit, `{"b":1, "a":"<&>\u00e9\u2028","c":[1.50,  2]}`, "line"},
		{events.FormatOsloJSON, `{"levelname":"INFO","message":"x\ty"}`, "line"},
		{events.FormatOsloText, "2026-11-23 09:30:00.123 1 ERROR nova.api [req-1 u p] boom\nTraceback (most recent call last):\n  \"x\" \u2028 \x01", "line"},
		{events.FormatOsloText, "{\"looks\":\"like json\"}", "line"},
		{events.FormatOsloText, "bad \xff\xfe bytes", "line_base64"},
		{events.FormatAudit, `{"truncated json"`, "line"},
	} {
		e := events.Event{ID: events.ContentID([]byte(tc.raw)), Time: tm, Level: "INFO", Format: tc.format, Raw: []byte(tc.raw),
			Status: 0, HasStatus: true, DurationMS: 1.25, HasDuration: true, Message: "m\n\"q\""}
		b := appendEvent(nil, &e)
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%q: not JSON: %v\n%s", tc.raw, err, b)
		}
		var got []byte
		switch tc.key {
		case "line":
			raw := m["line"]
			if len(raw) > 0 && raw[0] == '"' {
				var s string
				if err := json.Unmarshal(raw, &s); err != nil {
					t.Fatal(err)
				}
				got = []byte(s)
			} else {
				got = raw
			}
		case "line_base64":
			var s string
			json.Unmarshal(m["line_base64"], &s)
			got, _ = base64.StdEncoding.DecodeString(s)
		}
		if !bytes.Equal(got, []byte(tc.raw)) {
			t.Errorf("%s %q: came back as %q\n%s", tc.format, tc.raw, got, b)
		}
		if string(m["time"]) != `"2026-11-23T09:30:00.123456Z"` || string(m["status"]) != "0" || string(m["duration_ms"]) != "1.25" {
			t.Errorf("columns: %s", b)
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"", "plain", "\"\\/", "\x00\x1f\x7f", "é\u2028\u2029😀", "\xff", "a\tb\nc\rd"} {
		b := appendString(nil, s)
		var got string
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("%q: %s is not a JSON string: %v", s, b, err)
			continue
		}
		want := string(bytes.ToValidUTF8([]byte(s), []byte("\ufffd")))
		if got != want {
			t.Errorf("%q: decodes to %q", s, got)
		}
		if bytes.ContainsAny(b, "\n\r\u2028\u2029") {
			t.Errorf("%q: %s holds a raw line break", s, b)
		}
	}
}
