package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// TestLongLine runs the command on lines over 1 MiB: a JSON line (parsed
// whole under the default limit, and passed through in pieces under a
// smaller one) and a text line.
func TestLongLine(t *testing.T) {
	big := strings.Repeat("x", 3<<20/2)
	in := `{"big":"` + big + `","n":1}` + "\n" + strings.Repeat("text ", 300<<10) + "\n" + `{"after":true}` + "\n"
	expandIn := func(args ...string) string {
		var out, errOut bytes.Buffer
		code := run(args, cli.IO{In: strings.NewReader(in), Out: &out, Err: &errOut})
		if code != 0 || errOut.Len() > 0 {
			t.Fatalf("exit %d, stderr %q", code, errOut.String())
		}
		return out.String()
	}
	want := "{\n  big: \"" + big + "\"\n  n: 1\n}\n" + strings.Repeat("text ", 300<<10) + "\n{\n  after: true\n}\n"
	if got := expandIn(); got != want {
		t.Errorf("default limit: got %d bytes, want %d", len(got), len(want))
	}
	want = `{"big":"` + big + `","n":1}` + "\n" + strings.Repeat("text ", 300<<10) + "\n{\n  after: true\n}\n"
	if got := expandIn("--max-line-bytes", "65536"); got != want {
		t.Errorf("64 KiB limit: got %d bytes, want %d", len(got), len(want))
	}
}
