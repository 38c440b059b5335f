package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	collogs "go.opentelemetry.io/proto/otlp/collector/logs/v1"
	"google.golang.org/protobuf/proto"

	"github.com/auditlog-go/auditlog/auditlog/auditlogtest"
)

// A stand-in Collector: an OTLP/HTTP receiver on loopback that decodes what
// the exporter sends.
type receiver struct {
	mu     sync.Mutex
	bodies []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/logs" {
		http.NotFound(w, r)
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var req collogs.ExportLogsServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	rc.mu.Lock()
	for _, rl := range req.ResourceLogs {
		for _, sl := range rl.ScopeLogs {
			for _, lr := range sl.LogRecords {
				rc.bodies = append(rc.bodies, lr.Body.GetStringValue()+" "+lr.String())
			}
		}
	}
	rc.mu.Unlock()
	out, _ := proto.Marshal(&collogs.ExportLogsServiceResponse{})
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(out)
}

func TestShipsTheSameRecordsOverOTLP(t *testing.T) {
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	rec := auditlogtest.NewRecorder(t)
	var stderr bytes.Buffer
	endpoint := strings.TrimPrefix(srv.URL, "http://")
	if code := run([]string{"--endpoint", endpoint, "--insecure"}, rec, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if rec.Len() != 2 {
		t.Errorf("%d audit lines on stdout, want 2", rec.Len())
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if len(rc.bodies) != 2 {
		t.Fatalf("collector got %d records, want 2: %v", len(rc.bodies), rc.bodies)
	}
	if !strings.HasPrefix(rc.bodies[0], "POST /v2.1/servers/5f1e0b9c/action") || !strings.Contains(rc.bodies[0], "req-1f0c2b7e") {
		t.Errorf("first record: %s", rc.bodies[0])
	}
	if !strings.HasPrefix(rc.bodies[1], "server paused") {
		t.Errorf("second record: %s", rc.bodies[1])
	}
}

func TestUnreachableCollectorIsAnError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := strings.TrimPrefix(srv.URL, "http://")
	srv.Close() // nothing listens there now
	var out, stderr bytes.Buffer
	if code := run([]string{"--endpoint", endpoint, "--insecure"}, &out, &stderr); code != 1 || !strings.Contains(stderr.String(), endpoint) {
		t.Errorf("exit %d, stderr %q", code, stderr.String())
	}
}
