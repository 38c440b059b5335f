package ingest

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/auditlog-go/auditlog/internal/leakcheck"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// TestNoCredentialStored: every record of every real sample that holds a
// credential, and every JSON line of leakcheck's own sample, becomes an
// event whose Raw and Message hold none of them — what log-serve stores,
// lists and streams.
func TestNoCredentialStored(t *testing.T) {
	for _, s := range leakcheck.Samples(t) {
		t.Run(filepath.Base(s.Path), func(t *testing.T) {
			var stored bytes.Buffer
			keep := func(r oslolog.Record, ok bool) {
				if ok {
					ev := Text(r)
					stored.Write(ev.Raw)
					stored.WriteByte('\n')
					stored.WriteString(ev.Message)
					stored.WriteByte('\n')
				}
			}
			g := oslolog.NewGrouper(nil)
			rd := input.Open(context.Background(), []string{s.Path}, input.Options{})
			defer rd.Close()
			n := 0
			for l, ok := rd.Next(); ok; l, ok = rd.Next() {
				n++
				if ev, err := Line(l.Text); l.IsJSONObject() && err == nil {
					// A JSON line, ours or oslo.log's, is stored by Line
					// (one it refuses is stored as text, as log-serve does).
					stored.Write(ev.Raw)
					stored.WriteByte('\n')
					stored.WriteString(ev.Message)
					stored.WriteByte('\n')
					continue
				}
				keep(g.AddLine(l))
			}
			keep(g.Flush())
			if n == 0 || stored.Len() == 0 {
				t.Fatalf("nothing read from %s", s.Path)
			}
			leakcheck.Check(t, "stored events", stored.Bytes(), s.Secrets)
		})
	}
}
