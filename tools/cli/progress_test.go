package cli

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/osdata"
)

// TestInputSizeGzip: the progress bar measures a gzip file by the size it
// unpacks to (read from gzip's trailer), as the extractor counts its
// progress in unpacked bytes; before, the bar reached 100% almost at once.
// (Moved here from log-extract's regressions with the bar.)
func TestInputSizeGzip(t *testing.T) {
	gz := osdata.Path(t, "os-loganalyze/screen-n-api.txt.gz")
	if got, want := InputSize(gz), int64(12317962); got != want {
		t.Errorf("InputSize(screen-n-api.txt.gz) = %d, want %d (its unpacked size)", got, want)
	}
	plain := filepath.Join(t.TempDir(), "a.log")
	os.WriteFile(plain, []byte("12345"), 0o644)
	if got := InputSize(plain); got != 5 {
		t.Errorf("InputSize(plain) = %d, want 5", got)
	}
}

// TestInputSizeOthers: standard input, a missing file and a file that only
// starts like gzip count as what can be known of them.
func TestInputSizeOthers(t *testing.T) {
	dir := t.TempDir()
	short := filepath.Join(dir, "short.gz") // gzip's magic, too short for a trailer
	os.WriteFile(short, []byte{0x1f, 0x8b, 8, 0, 0}, 0o644)
	for name, want := range map[string]int64{"-": 0, filepath.Join(dir, "missing"): 0, short: 5} {
		if got := InputSize(name); got != want {
			t.Errorf("InputSize(%s) = %d, want %d", name, got, want)
		}
	}
	if IsGzip(filepath.Join(dir, "missing")) {
		t.Error("a missing file is taken for gzip")
	}
	if !IsGzip(short) {
		t.Error("a file with gzip's magic is not taken for gzip")
	}
}

func gzipFile(t *testing.T, body string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(body))
	zw.Close()
	name := filepath.Join(t.TempDir(), "x.log.gz")
	if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestProgressDraws: --progress=always draws the bar against the inputs'
// unpacked size, with the caller's counts, redrawn in place; Clear wipes
// it once, and only when something was drawn.
func TestProgressDraws(t *testing.T) {
	body := strings.Repeat("a line of a log\n", 1000) // 16000 bytes, compressed to far fewer
	gz := gzipFile(t, body)
	var errb bytes.Buffer
	p := NewProgress(IO{Err: &errb}, ColorAlways, []string{gz, "-"})
	p.Clear()
	if errb.Len() != 0 {
		t.Fatalf("Clear before any drawing wrote %q", errb.String())
	}
	calls := 0
	p.Update(func() (int64, string) { calls++; return 4000, "7 lines  2 actions" })
	want := regexp.MustCompile(`^\r\x1b\[K█{6}░{18}  25%  7 lines  2 actions  0s$`)
	if !want.MatchString(errb.String()) {
		t.Errorf("drawn %q, want a quarter of the bar (4000 of 16000 bytes)", errb.String())
	}
	// Within 200 ms of the last drawing, nothing is measured or drawn.
	n := errb.Len()
	p.Update(func() (int64, string) { calls++; return 8000, "x" })
	if calls != 1 || errb.Len() != n {
		t.Errorf("a second Update at once measured %d times and wrote %q", calls, errb.String()[n:])
	}
	p.Clear()
	p.Clear()
	if got := errb.String()[n:]; got != "\r\x1b[K" {
		t.Errorf("two Clears wrote %q, want one erase", got)
	}
	// Past the interval it draws again, full at most.
	time.Sleep(210 * time.Millisecond)
	p.Update(func() (int64, string) { return 1 << 20, "done" })
	if !strings.Contains(errb.String(), strings.Repeat("█", 24)+" 100%  done") {
		t.Errorf("past the end: %q", errb.String())
	}
}

// TestProgressOff: never, and auto on a stderr that is not a terminal, draw
// nothing and measure nothing; auto on a terminal draws; a nil Progress is
// a no-op.
func TestProgressOff(t *testing.T) {
	for _, tc := range []struct {
		mode     ColorMode
		terminal bool
		draws    bool
	}{
		{ColorNever, true, false},
		{ColorAuto, false, false},
		{"", false, false},
		{ColorAuto, true, true},
		{ColorAlways, false, true},
	} {
		var errb bytes.Buffer
		p := NewProgress(IO{Err: &errb, ErrIsTerminal: tc.terminal}, tc.mode, nil)
		measured := false
		p.Update(func() (int64, string) { measured = true; return 0, "" })
		p.Clear()
		if measured != tc.draws || (errb.Len() > 0) != tc.draws {
			t.Errorf("%q, terminal %v: measured %v, wrote %q; want drawing %v", tc.mode, tc.terminal, measured, errb.String(), tc.draws)
		}
	}
	var p *Progress
	p.Update(func() (int64, string) { t.Error("a nil Progress measured"); return 0, "" })
	p.Clear()
}
