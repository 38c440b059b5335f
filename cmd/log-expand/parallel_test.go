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
// that --jobs splits it: the lines of every golden input of log-expand
// (ours, oslo.log's JSON and text, Python reprs, grep prefixes, junk,
// CRLF) in a seeded random order, some with CRLF endings, some cut short,
// some longer than limit, and a last line without its newline.
func bigInput(t *testing.T, limit int) string {
	t.Helper()
	names, _ := filepath.Glob("../../tools/logexpand/testdata/*/input")
	if len(names) < 5 {
		t.Fatalf("only %d inputs", len(names))
	}
	var pool [][]byte
	for _, name := range names {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		pool = append(pool, bytes.Split(bytes.TrimSuffix(data, []byte("\n")), []byte("\n"))...)
	}
	rng := rand.New(rand.NewPCG(5, 9))
	var b []byte
	for len(b) < 2*input.DefaultChunkSize+64<<10 { // just over the size that is split
		l := pool[rng.IntN(len(pool))]
		switch rng.IntN(40) {
		case 0:
			b = append(b, l[:len(l)/2]...)
		case 1:
			b = append(b, bytes.Repeat(l, 1+limit/max(len(l), 1))...)
		default:
			b = append(b, l...)
		}
		if rng.IntN(5) == 0 {
			b = append(b, '\r')
		}
		b = append(b, '\n')
	}
	b = append(b, pool[0]...)
	name := filepath.Join(t.TempDir(), "big.jsonl")
	if err := os.WriteFile(name, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return name
}

// TestJobsMatchSequential runs log-expand with --jobs 1 and with more
// workers on a file big enough to be split and wants the same bytes.
func TestJobsMatchSequential(t *testing.T) {
	big := bigInput(t, 4096)
	small := "../../tools/logexpand/testdata/ours/input"
	cases := [][]string{
		{big},
		{"--flatten", big},
		{"--depth", "1", "--keys", "message,context", big},
		{"--level", "WARNING", "--show-secrets", big},
		{"--no-embedded", "--max-line-bytes", "300", big},
		{small, big, "nope.jsonl", small},
	}
	for n, args := range cases {
		name := strings.ReplaceAll(strings.Join(args, " "), big, "BIG")
		t.Run(name, func(t *testing.T) {
			want, wantErr, code := runArgs(append([]string{"--jobs", "1"}, args...))
			if len(want) < 1000 {
				t.Fatalf("--jobs 1 wrote %d bytes (exit %d, %s): the case tests nothing", len(want), code, wantErr)
			}
			jobsList := []string{"2"}
			if n == 0 {
				jobsList = append(jobsList, "3")
			}
			for _, jobs := range jobsList {
				got, gotErr, gotCode := runArgs(append([]string{"--jobs", jobs}, args...))
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

func runArgs(args []string) ([]byte, string, int) {
	var out, errb bytes.Buffer
	code := run(args, cli.IO{In: strings.NewReader(""), Out: &out, Err: &errb, Getenv: func(string) string { return "" }})
	return out.Bytes(), errb.String(), code
}
