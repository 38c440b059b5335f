package serve

import (
	"bufio"
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

// BenchmarkStreamLatency is issue 11's bar: from the POST of a line to a
// subscriber reading it, at 5,000 events/s with 50 subscribers, over
// loopback, through the whole server (ingest, SQLite store, hub, SSE).
// Each line carries the time it was sent (in attrs.sent_ns); every
// subscriber reads every event and records now - sent. It reports the
// 50th and 99th percentile and the worst over all deliveries.
//
//	STREAM_SECONDS=10 go test -run '^$' -bench StreamLatency -benchtime 1x ./tools/serve
func BenchmarkStreamLatency(b *testing.B) {
	const (
		rate = 5000 // events per second
		subs = 50
		tick = 20 * time.Millisecond // a batch every tick: 100 lines
	)
	seconds := 3
	if s, err := strconv.Atoi(os.Getenv("STREAM_SECONDS")); err == nil && s > 0 {
		seconds = s
	}
	for b.Loop() {
		ts := newTestServer(b, nil, nil)
		ts.runStream(b)
		total := rate * seconds
		lat := make([][]time.Duration, subs)
		var wg sync.WaitGroup
		ctx, cancel := context.WithTimeout(context.Background(), time.Duration(seconds+60)*time.Second)
		for i := range subs {
			req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/v1/events/stream", nil)
			req.Header.Set("Authorization", "Bearer "+tokAdmin)
			resp, err := ts.Client().Do(req)
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("subscriber %d: %v", i, err)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer resp.Body.Close()
				sc := bufio.NewScanner(resp.Body)
				sc.Buffer(make([]byte, 1<<20), 1<<20)
				for len(lat[i]) < total && sc.Scan() {
					line := sc.Bytes()
					k := bytes.Index(line, []byte(`"sent_ns":`))
					if !bytes.HasPrefix(line, []byte("data: ")) || k < 0 {
						continue
					}
					rest := line[k+len(`"sent_ns":`):]
					end := bytes.IndexAny(rest, ",}")
					sent, err := strconv.ParseInt(string(rest[:end]), 10, 64)
					if err != nil {
						continue
					}
					lat[i] = append(lat[i], time.Duration(time.Now().UnixNano()-sent))
				}
			}()
		}
		waitFor(b, func() bool { return ts.srv.hub.Subscribers() == subs })
		var buf bytes.Buffer
		h := auditlog.NewHandler(&buf, &auditlog.Options{Service: "bench"})
		per := rate * int(tick) / int(time.Second)
		start := time.Now()
		for n := 0; n < total; n += per {
			time.Sleep(time.Until(start.Add(time.Duration(n/per) * tick)))
			buf.Reset()
			for j := 0; j < per; j++ {
				h.LogEvent(context.Background(), &auditlog.Event{Kind: auditlog.KindRequest, Message: "POST /v2.1/servers",
					Action: "create", Status: auditlog.Int(202), Outcome: auditlog.OutcomeSuccess,
					Attrs: []slog.Attr{slog.Int64("sent_ns", time.Now().UnixNano()), slog.Int("n", n+j)}})
			}
			r := ts.do(b, "POST", "/v1/events", tokIngest, bytes.NewReader(buf.Bytes()))
			if r.status != 200 {
				b.Fatalf("post: %d %s", r.status, r.body)
			}
		}
		sendRate := float64(total) / time.Since(start).Seconds()
		done := make(chan struct{})
		go func() { wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			b.Fatalf("subscribers did not receive every event")
		}
		cancel()
		var all []time.Duration
		for i := range lat {
			if len(lat[i]) != total {
				b.Fatalf("subscriber %d got %d events, want %d", i, len(lat[i]), total)
			}
			all = append(all, lat[i]...)
		}
		slices.Sort(all)
		q := func(p float64) float64 { return float64(all[int(p*float64(len(all)-1))]) / 1e6 }
		b.ReportMetric(q(0.5), "p50_ms")
		b.ReportMetric(q(0.99), "p99_ms")
		b.ReportMetric(float64(all[len(all)-1])/1e6, "max_ms")
		b.ReportMetric(sendRate, "events/s")
		b.Logf("%d events at %.0f/s to %d subscribers: p50 %.1f ms, p99 %.1f ms, max %.1f ms", total, sendRate, subs, q(0.5), q(0.99), float64(all[len(all)-1])/1e6)
	}
}
