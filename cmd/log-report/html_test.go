package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
)

// TestAllWritesOnePage: `all --html` writes one page with every report's
// charts, and nothing on it points anywhere else (the browser test in
// tools/report/browser opens it; this one reads it).
func TestAllWritesOnePage(t *testing.T) {
	page := filepath.Join(t.TempDir(), "report.html")
	var out, errOut bytes.Buffer
	code := run([]string{"all", "--around", "2026-11-23T14:00:00Z", "--html", page, fixture},
		cli.IO{In: bytes.NewReader(nil), Out: &out, Err: &errOut, Getenv: func(string) string { return "" }})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	for _, title := range []string{"User demographics", "Load", "Exceptions", "Performance", "Forensics around"} {
		if !strings.Contains(out.String(), title) {
			t.Errorf("the text output has no %q", title)
		}
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	if n := strings.Count(html, `<svg class="chart"`); n != 6 {
		t.Errorf("%d charts on the page, want 6", n)
	}
	// No src=, href= or @import, and no URL but the SVG namespace.
	for _, re := range []string{`(?i)\bsrc\s*=`, `(?i)\bhref\s*=`, `@import`} {
		if m := regexp.MustCompile(re).FindString(html); m != "" {
			t.Errorf("the page refers outside itself: %q", m)
		}
	}
	for _, m := range regexp.MustCompile(`(?i)https?://[^"' )]*`).FindAllString(html, -1) {
		if m != "http://www.w3.org/2000/svg" {
			t.Errorf("the page names %q", m)
		}
	}
	if !strings.Contains(html, "Content-Security-Policy") {
		t.Error("the page has no CSP that forbids loading anything")
	}
}
