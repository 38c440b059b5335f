package middleware_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/auditlog-go/auditlog/auditlog"
	"github.com/auditlog-go/auditlog/middleware"
	"github.com/auditlog-go/auditlog/middleware/httpaudit"
)

// disk is an audit destination that can fill up.
type disk struct{ full bool }

func (d *disk) Write(p []byte) (int, error) {
	if d.full {
		return 0, errors.New("write /var/log/nova/audit.log: no space left on device")
	}
	return len(p), nil
}

// The error handler is told of every audit line that could not be written,
// with the call the line described and the ctx it was served with; Errors
// counts them for a metric. The request itself is served as usual.
func ExampleWithErrorHandler() {
	h := auditlog.NewHandler(&disk{full: true}, &auditlog.Options{Service: "nova-api"})
	rep := middleware.NewReporter(h, middleware.WithErrorHandler(func(ctx context.Context, c *middleware.Call, err error) {
		r, _ := auditlog.FromContext(ctx)
		fmt.Printf("audit line lost: %s %s %s (%s): %v\n", c.Kind, c.RPC.Method, c.RPC.Route, r.ID, err)
	}))
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v2.1/servers", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
	})
	handler := httpaudit.New(rep)(mux)

	r := httptest.NewRequest("POST", "/v2.1/servers", nil)
	r.Header.Set("X-OpenStack-Request-ID", "req-0001")
	w := httptest.NewRecorder()
	handler.ServeHTTP(w, r)
	fmt.Println("status", w.Code, "lost lines", rep.Errors())
	// Output:
	// audit line lost: request POST /v2.1/servers (req-0001): write /var/log/nova/audit.log: no space left on device
	// status 202 lost lines 1
}

// A service that wants no action without its audit line can refuse new
// work while the trail is failing. The gate sits inside httpaudit, so that
// a refused request still gets a line: the first of those that is written
// shows the trail is back, and opens the gate again. The request whose line
// was lost first has already been served: that cannot be undone.
func ExampleReporter_Failing() {
	d := &disk{}
	rep := middleware.NewReporter(auditlog.NewHandler(d, &auditlog.Options{Service: "nova-api"}))
	served := 0
	app := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served++
		w.WriteHeader(http.StatusAccepted)
	})
	gate := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if rep.Failing() {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "audit trail unavailable", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	handler := httpaudit.New(rep)(gate(app))
	post := func(note string) {
		w := httptest.NewRecorder()
		handler.ServeHTTP(w, httptest.NewRequest("POST", "/v2.1/servers", nil))
		fmt.Printf("%-28s %d  served %d, lines lost %d\n", note, w.Code, served, rep.Errors())
	}

	post("trail healthy:")
	d.full = true
	post("disk full, line lost:")
	post("refused, line lost:")
	d.full = false
	post("refused, line written:")
	post("gate open again:")
	// Output:
	// trail healthy:               202  served 1, lines lost 0
	// disk full, line lost:        202  served 2, lines lost 1
	// refused, line lost:          503  served 2, lines lost 2
	// refused, line written:       503  served 2, lines lost 2
	// gate open again:             202  served 3, lines lost 2
}
