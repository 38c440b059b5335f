package ingest

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/auditlog-go/auditlog/internal/leakcheck"
	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// TestFollowLogsNoCredential reads every real sample that holds a
// credential (tokens in curl lines, passwords in bodies and URLs) through
// the follower's line handling — the code that recognises each line and
// logs the bad ones with their reason — and checks that none of the
// credentials reaches its log. (Storing is left out: it logs nothing about
// a line. The store keeps the lines as written; Raw is returned byte for
// byte, to the owner and admins only.)
func TestFollowLogsNoCredential(t *testing.T) {
	for i, smp := range leakcheck.Samples(t) {
		t.Run(fmt.Sprintf("%d-%s", i, filepath.Base(smp.Path)), func(t *testing.T) {
			var logs bytes.Buffer
			f := NewFollower(nil, []string{smp.Path}, FollowOptions{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
			fs := &followed{name: smp.Path, key: smp.Path, g: oslolog.NewGrouper(nil)}
			rd := input.Open(context.Background(), []string{smp.Path}, input.Options{MaxLine: DefaultMaxLine})
			defer rd.Close()
			for {
				l, ok := rd.Next()
				if !ok {
					break
				}
				f.line(fs, l, append(l.Prefix[:len(l.Prefix):len(l.Prefix)], l.Text...))
				clear(f.batch)
				f.batch = f.batch[:0]
			}
			if err := rd.Err(); err != nil {
				t.Fatal(err)
			}
			f.closeText(fs)
			if st := f.Stats(); st.Events == 0 || st.Lines == 0 {
				t.Fatalf("nothing read from %s: %+v", smp.Path, st)
			}
			leakcheck.Check(t, "the follower's log", logs.Bytes(), smp.Secrets)
		})
	}
}
