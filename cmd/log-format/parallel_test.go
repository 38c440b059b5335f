package main

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/tools/cli"
	"github.com/auditlog-go/auditlog/tools/input"
)

// bigInput writes a file of more than two of input.Parallel's chunks, so
// that --jobs splits it: the lines of every file in testdata/inputs (ours,
// oslo.log's, other loggers', text with grep prefixes) in a seeded random
// order, some with CRLF endings, some cut short (not JSON any more), some
// longer than limit, and a last line without its newline.
func bigInput(t *testing.T, limit int) string {
	t.Helper()
	var pool [][]byte
	for _, name := range []string{"ours.jsonl", "oslo.jsonl", "oslo-real.jsonl", "gologgers.jsonl", "freetext.jsonl", "mixed.txt"} {
		data, err := os.ReadFile(filepath.Join("testdata/inputs", name))
		if err != nil {
			t.Fatal(err)
		}
		pool = append(pool, bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))...)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	var b []byte
	for len(b) < 2*input.DefaultChunkSize+64<<10 { // just over the size that is split
		l := pool[rng.IntN(len(pool))]
		switch rng.IntN(40) {
		case 0:
			b = append(b, l[:len(l)/2]...) // a bad line
		case 1:
			b = append(b, bytes.Repeat(l, 1+limit/max(len(l), 1))...) // too long to parse
		case 2:
			b = append(b, "--"...)
		default:
			b = append(b, l...)
		}
		if rng.IntN(5) == 0 {
			b = append(b, '\r')
		}
		b = append(b, '\n')
	}
	b = append(b, pool[0]...) // no newline
	name := filepath.Join(t.TempDir(), "big.jsonl")
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestJobsMatchSequential runs the command with --jobs 1 and with more
// workers on a file big enough to be split, with the formats and filters
// that read the most of a line, and wants the same bytes.
func TestJobsMatchSequential(t *testing.T) {
	big := bigInput(t, 4096)
	small := "testdata/inputs/oslo-real.jsonl"
	cases := [][]string{
		{big},
		{"-f", "short", big},
		{"-f", "%(timestamp)s %(level)-8s %(service)s %(context.request_id)s %(user.id)s %(status)5d %(duration_ms).2f %(message)r", "--traceback", big},
		{"-f", "convert-json", big},
		{"-f", "convert-json", "--locator", "[%(funcname)s %(pathname)s:%(lineno)s]", "--levels", "ERROR", "DEBUG", big},
		{"-f", "tsv", "--show-secrets", big},
		{"--level", "WARNING", big},
		{"-w", "kind=request", "-w", "status>=400", big},
		{"--request", "req-0b9c6f1e-4d2a-4c8e-9f3b-7a5d1e2c4b6a", "-f", "oslo", big},
		{"--since", "2026-11-27T07:47:20Z", "--until", "2026-12-31T00:00:00Z", big},
		{"--service", "nova", "-H", big},
		{"--max-line-bytes", "300", big},
		{small, big, small},
	}
	for n, args := range cases {
		name := strings.Join(args, " ")
		name = strings.ReplaceAll(name, big, "BIG")
		t.Run(name, func(t *testing.T) {
			want, wantErr, code := runArgs(t, append([]string{"--jobs", "1"}, args...))
			if len(want) < 1000 {
				t.Fatalf("--jobs 1 wrote %d bytes (exit %d, %s): the case tests nothing", len(want), code, wantErr)
			}
			jobsList := []string{"2"}
			if n == 0 {
				jobsList = append(jobsList, "3")
			}
			for _, jobs := range jobsList {
				got, gotErr, gotCode := runArgs(t, append([]string{"--jobs", jobs}, args...))
				if gotCode != code || gotErr != wantErr {
					t.Errorf("--jobs %s: exit %d, stderr %q; --jobs 1: exit %d, %q", jobs, gotCode, gotErr, code, wantErr)
				}
				if !bytes.Equal(got, want) {
					i := 0
					for i < len(got) && i < len(want) && got[i] == want[i] {
						i++
					}
					t.Fatalf("--jobs %s: output differs from --jobs 1 at byte %d of %d:\n got %.200q\nwant %.200q", jobs, i, len(want), got[i:], want[i:])
				}
			}
		})
	}
}

// TestJobsMissingFile: a name that cannot be read is reported in its place
// and the others are still read, as without --jobs.
func TestJobsMissingFile(t *testing.T) {
	big := bigInput(t, 4096)
	args := []string{"-f", "short", big, "nope.jsonl", big}
	want, wantErr, code := runArgs(t, append([]string{"--jobs", "1"}, args...))
	got, gotErr, gotCode := runArgs(t, append([]string{"--jobs", "2"}, args...))
	if code != cli.ExitInput || !strings.Contains(wantErr, "nope.jsonl") {
		t.Fatalf("--jobs 1: exit %d, stderr %q", code, wantErr)
	}
	if gotCode != code || gotErr != wantErr || !bytes.Equal(got, want) {
		t.Errorf("--jobs 2: exit %d, stderr %q, %d bytes; --jobs 1: exit %d, %q, %d bytes", gotCode, gotErr, len(got), code, wantErr, len(want))
	}
}

func runArgs(t *testing.T, args []string) ([]byte, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
	return out.Bytes(), errb.String(), code
}
