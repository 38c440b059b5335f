package httpaudit_test

import (
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
	"github.com/auditlog-go/auditlog/middleware/internal/failtrail"
	"github.com/auditlog-go/auditlog/schema"
)

// TestDeliveryErrors serves real requests on loopback through a trail that
// loses every line (an AsyncWriter under Fail whose destination is down, or
// whose buffer is full) and checks that the service's error handler is told
// of each lost line with the request it described, that the Reporter counts
// them, and that the requests themselves are served as if nothing were
// wrong. On a healthy trail nothing is reported and every line arrives.
func TestDeliveryErrors(t *testing.T) {
	for _, mode := range failtrail.Modes {
		t.Run(mode.String(), func(t *testing.T) {
			tr := failtrail.New(t, mode, "test-api")
			rep := tr.Reporter()
			mux := http.NewServeMux()
			mux.HandleFunc("POST /v2.1/servers/{id}/action", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusAccepted)
				_, _ = io.WriteString(w, "paused")
			})
			mux.HandleFunc("DELETE /v2.1/servers/{id}", func(http.ResponseWriter, *http.Request) {
				panic("delete went wrong")
			})
			srv := httptest.NewUnstartedServer(httpaudit.New(rep)(mux))
			srv.Config.ErrorLog = log.New(io.Discard, "", 0)
			srv.Start()
			t.Cleanup(srv.Close)

			req, _ := http.NewRequest("POST", srv.URL+"/v2.1/servers/5f1e0b9c/action", strings.NewReader(`{"pause": null}`))
			req.Header.Set("X-OpenStack-Request-ID", "req-delivery-1")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted || string(body) != "paused" {
				t.Errorf("the request got %d %q, want 202 \"paused\": a lost line must not fail it", resp.StatusCode, body)
			}

			req, _ = http.NewRequest("DELETE", srv.URL+"/v2.1/servers/5f1e0b9c", nil)
			req.Header.Set("X-OpenStack-Request-ID", "req-delivery-2")
			resp, err = srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusInternalServerError {
				t.Errorf("the panicking request got %d, want 500", resp.StatusCode)
			}

			if mode == failtrail.Healthy {
				lines := tr.Lines(t)
				if len(lines) != 3 { // request, exception, request
					t.Errorf("%d lines delivered, want 3: %q", len(lines), lines)
				}
				for _, l := range lines {
					if err := schema.Validate([]byte(l)); err != nil {
						t.Errorf("line %s: %v", l, err)
					}
				}
				if n, s := rep.Errors(), tr.Seen(); n != 0 || len(s) != 0 || rep.Failing() {
					t.Errorf("healthy trail: Errors %d, handler told %d times, Failing %v; want 0, 0, false", n, len(s), rep.Failing())
				}
				return
			}

			seen := tr.WaitSeen(t, 3)
			type want struct {
				kind          auditlog.Kind
				method, route string
				status        int64
				requestID     string
			}
			wants := []want{
				{auditlog.KindRequest, "POST", "/v2.1/servers/{id}/action", 202, "req-delivery-1"},
				{auditlog.KindException, "DELETE", "/v2.1/servers/{id}", -1, "req-delivery-2"},
				{auditlog.KindRequest, "DELETE", "/v2.1/servers/{id}", 500, "req-delivery-2"},
			}
			if len(seen) != len(wants) {
				t.Fatalf("handler told of %d lost lines, want %d: %+v", len(seen), len(wants), seen)
			}
			for i, w := range wants {
				s := seen[i]
				c := s.Call
				status := int64(-1)
				if c.Status.Valid {
					status = c.Status.Value
				}
				if c.Kind != w.kind || c.RPC.System != "http" || c.RPC.Method != w.method || c.RPC.Route != w.route ||
					status != w.status || s.RequestID != w.requestID {
					t.Errorf("lost line %d: kind %s, %s %s %s, status %d, request %s; want %s, http %s %s, status %d, request %s",
						i, c.Kind, c.RPC.System, c.RPC.Method, c.RPC.Route, status, s.RequestID,
						w.kind, w.method, w.route, w.status, w.requestID)
				}
				if !tr.WantErr(s.Err) {
					t.Errorf("lost line %d: error %v, want the trail's (%s)", i, s.Err, mode)
				}
			}
			var pe *auditlog.PanicError
			if !errors.As(seen[1].Call.Err, &pe) {
				t.Errorf("the lost exception line's call has error %v, want the panic", seen[1].Call.Err)
			}
			if n := rep.Errors(); n != uint64(len(wants)) || !rep.Failing() {
				t.Errorf("Errors %d, Failing %v; want %d, true", n, rep.Failing(), len(wants))
			}
		})
	}
}
