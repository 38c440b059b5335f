package serve

import (
	"bytes"
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/internal/dbtest"
	"github.com/auditlog-go/auditlog/tools/events"
	"github.com/auditlog-go/auditlog/tools/ingest"
)

// BenchmarkIngestHTTP POSTs batches of real audit lines (1,000 a request,
// ~450 bytes a line, all new) from 4 clients to a real server on loopback
// over a real SQLite store, and reports lines/s end to end: the HTTP
// round trip, parsing and validating each line, and the commit before the
// answer. An op is one request.
func BenchmarkIngestHTTP(b *testing.B) { ingestHTTP(b, nil) }

// BenchmarkIngestHTTPPostgres is BenchmarkIngestHTTP over the PostgreSQL
// store, in a schema of its own on the test server.
func BenchmarkIngestHTTPPostgres(b *testing.B) {
	_, dsn := dbtest.PostgresSchema(b, "bench_ingest")
	st, err := events.Open(context.Background(), dsn)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	ingestHTTP(b, st)
}

// ingestHTTP is BenchmarkIngestHTTP over st (nil: a fresh SQLite file).
func ingestHTTP(b *testing.B, st events.Store) {
	const perReq, clients = 1000, 4
	ts := newTestServer(b, st, func(o *Options) { o.Log = nil })
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = joinLines(genLinesFrom(b, i*perReq, perReq))
	}
	b.SetBytes(int64(len(bodies[0])))
	work := make(chan []byte, len(bodies))
	for _, body := range bodies {
		work <- body
	}
	close(work)
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			for body := range work {
				req, _ := http.NewRequest("POST", ts.URL+"/v1/events", bytes.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+tokIngest)
				req.Header.Set("Content-Type", "application/x-ndjson")
				resp, err := ts.Client().Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Errorf("status %d", resp.StatusCode)
					return
				}
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(b.N*perReq)/time.Since(start).Seconds(), "lines/s")
}

// BenchmarkIngestStoreOnly is the floor under BenchmarkIngestHTTP: the
// same lines, parsed by ingest.Line and stored by Insert in batches of
// 1,000 from one goroutine, with no HTTP. An op is one batch.
func BenchmarkIngestStoreOnly(b *testing.B) {
	const perReq = 1000
	st := openStore(b)
	batches := make([][][]byte, b.N)
	for i := range batches {
		batches[i] = genLinesFrom(b, i*perReq, perReq)
	}
	evs := make([]events.Event, perReq)
	b.ResetTimer()
	start := time.Now()
	for _, ls := range batches {
		for j, l := range ls {
			e, err := ingest.Line(l)
			if err != nil {
				b.Fatal(err)
			}
			evs[j] = e
		}
		if _, err := st.Insert(context.Background(), evs); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N*perReq)/time.Since(start).Seconds(), "lines/s")
}
