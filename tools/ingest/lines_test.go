package ingest

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

type gotLine struct {
	n   int
	raw string // "<too long>" for a nil raw
}

func readAll(t *testing.T, r io.Reader, opts *LinesOptions) ([]gotLine, error) {
	t.Helper()
	var got []gotLine
	err := ReadLines(r, opts, func(n int, raw []byte) error {
		s := string(raw)
		if raw == nil {
			s = "<too long>"
		}
		got = append(got, gotLine{n, s})
		return nil
	})
	return got, err
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	io.WriteString(w, s)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLines(t *testing.T) {
	body := "{\"a\":1}\r\n\n{\"b\":2}\n\r\napi.log:12:{\"c\":3}\n" + strings.Repeat("x", 100) + "\n{\"d\":4}"
	want := []gotLine{{1, `{"a":1}`}, {3, `{"b":2}`}, {5, `api.log:12:{"c":3}`}, {6, "<too long>"}, {7, `{"d":4}`}}
	for _, c := range []struct {
		name string
		body []byte
	}{
		{"plain", []byte(body)},
		{"gzip", gz(t, body)},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := readAll(t, bytes.NewReader(c.body), &LinesOptions{MaxLine: 50})
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("got  %v\nwant %v", got, want)
			}
		})
	}
}

func TestLinesDefaultLimit(t *testing.T) {
	long := `{"m":"` + strings.Repeat("y", DefaultMaxLine) + `"}`
	got, err := readAll(t, strings.NewReader(long+"\n"+`{"ok":1}`+"\n"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(got) != fmt.Sprint([]gotLine{{1, "<too long>"}, {2, `{"ok":1}`}}) {
		t.Errorf("got %.200v", got)
	}
	// Exactly at the limit is not too long.
	at := strings.Repeat("z", DefaultMaxLine)
	got, err = readAll(t, strings.NewReader(at+"\r\n"), nil)
	if err != nil || len(got) != 1 || len(got[0].raw) != DefaultMaxLine {
		t.Errorf("a line of exactly DefaultMaxLine: %d lines, %v", len(got), err)
	}
}

func TestLinesBrokenGzip(t *testing.T) {
	b := gz(t, strings.Repeat(`{"a":1}`+"\n", 1000))
	b = b[:len(b)-10] // cut the trailer and some data
	got, err := readAll(t, bytes.NewReader(b), nil)
	var re *ReadError
	if !errors.As(err, &re) {
		t.Fatalf("err = %v, want a *ReadError", err)
	}
	if re.Line != len(got) || !strings.Contains(err.Error(), "after line") {
		t.Errorf("error %q after %d lines handed on", err, len(got))
	}
}

func TestLinesStop(t *testing.T) {
	stop := errors.New("stop")
	n := 0
	err := Lines(strings.NewReader("{}\n{}\n{}\n"), func(int, []byte) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || n != 2 {
		t.Errorf("err %v after %d lines, want stop after 2", err, n)
	}
}
