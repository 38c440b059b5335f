package main

import (
	"bufio"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkIdleSubscribers is issue 11's bar: one log-serve process
// holding 1,000 idle stream subscribers stays within 200 MB of resident
// memory. It starts the real binary, opens the streams over loopback,
// waits for each to be open, and reads the process's peak RSS (VmHWM).
//
//	go test -run '^$' -bench IdleSubscribers -benchtime 1x ./cmd/log-serve
func BenchmarkIdleSubscribers(b *testing.B) {
	n := 1000
	if v, err := strconv.Atoi(os.Getenv("IDLE_SUBSCRIBERS")); err == nil && v > 0 {
		n = v
	}
	bin := buildBinary(b)
	for b.Loop() {
		dir := b.TempDir()
		db := filepath.Join(dir, "events.db")
		s := start(b, bin, filepath.Join(dir, "log"), "--db", db)
		tok, err := os.ReadFile(db + ".token")
		if err != nil {
			b.Fatal(err)
		}
		token := strings.TrimSpace(string(tok))
		before := vm(b, s.cmd.Process.Pid, "VmRSS")
		ctx, cancel := context.WithCancel(context.Background())
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: n, MaxConnsPerHost: 0}}
		for i := 0; i < n; i++ {
			req, _ := http.NewRequestWithContext(ctx, "GET", s.url+"/v1/events/stream?type=lifecycle", nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := client.Do(req)
			if err != nil || resp.StatusCode != 200 {
				b.Fatalf("stream %d: %v", i, err)
			}
			// The first comment says the subscription is open.
			if _, err := bufio.NewReader(resp.Body).ReadString('\n'); err != nil {
				b.Fatalf("stream %d: %v", i, err)
			}
			defer resp.Body.Close()
		}
		time.Sleep(time.Second) // settle
		rss := vm(b, s.cmd.Process.Pid, "VmRSS")
		hwm := vm(b, s.cmd.Process.Pid, "VmHWM")
		cancel()
		b.ReportMetric(float64(hwm)/1024, "peak_rss_MB")
		b.ReportMetric(float64(rss-before)/float64(n), "KB/subscriber")
		b.Logf("%d idle subscribers: RSS %d MB (%d MB before), peak %d MB; bar 200 MB", n, rss/1024, before/1024, hwm/1024)
		if hwm > 200*1024 {
			b.Errorf("peak RSS %d MB over the 200 MB bar", hwm/1024)
		}
	}
}

// vm reads one of /proc/PID/status's memory lines, in kB.
func vm(b *testing.B, pid int, key string) int {
	b.Helper()
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		b.Fatal(err)
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, key+":"); ok {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			return n
		}
	}
	b.Fatalf("no %s in /proc/%d/status", key, pid)
	return 0
}
