package ingest

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/leakcheck"
)

// TestFollowLogsNoCredential follows every real sample that holds a
// credential (tokens in curl lines, passwords in bodies and URLs) and
// checks that none reaches the follower's log, where bad lines are
// reported with their reason. (The store keeps the lines as written: Raw
// is returned byte for byte, to the owner and admins only.)
func TestFollowLogsNoCredential(t *testing.T) {
	for i, smp := range leakcheck.Samples(t) {
		t.Run(fmt.Sprintf("%d-%s", i, filepath.Base(smp.Path)), func(t *testing.T) {
			s, _ := openSQLite(t)
			r := start(t, s, []string{smp.Path}, FollowOptions{BatchLines: 1000})
			var last int64 = -1
			stable := 0
			waitFor(t, "the sample read and stored", func() bool {
				st := r.f.Stats()
				if st.Lines == last && st.Lines > 0 && st.Inserted+st.Duplicates == st.Events {
					stable++
				} else {
					stable = 0
				}
				last = st.Lines
				time.Sleep(20 * time.Millisecond)
				return stable >= 10
			})
			if err := r.stop(); err != nil {
				t.Fatal(err)
			}
			if st := r.f.Stats(); st.Events == 0 {
				t.Fatalf("no event from %s: %+v", smp.Path, st)
			}
			leakcheck.Check(t, "the follower's log", []byte(r.log.String()), smp.Secrets)
		})
	}
}
