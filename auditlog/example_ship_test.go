package auditlog_test

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/auditlog-go/auditlog/auditlog"
)

// A Shipper sends the lines to an events server (log-serve) in batches,
// gzip-compressed NDJSON posted to /v1/events with a bearer token. Put an
// AsyncWriter in front of it, so that a server that is slow or away costs
// the service only what the policy allows; at the end close the writer
// (every line handed to the shipper), then the shipper (the last batch
// sent). Here the server is a stand-in on loopback that prints what it
// receives.
func ExampleNewShipper() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		zr, _ := gzip.NewReader(r.Body)
		sc := bufio.NewScanner(zr)
		n := 0
		for sc.Scan() {
			n++
		}
		fmt.Printf("%s %s %s: %d lines\n", r.Method, r.URL.Path, r.Header.Get("Authorization"), n)
		fmt.Fprintf(w, `{"accepted":%d,"duplicates":0,"rejected":[]}`, n)
	}))
	defer srv.Close()

	ship := auditlog.NewShipper(srv.URL, &auditlog.ShipperOptions{Token: "t0k3n", BatchLines: 2, Interval: time.Hour})
	w := auditlog.NewAsyncWriter(ship, &auditlog.AsyncOptions{Policy: auditlog.Block})
	logger := auditlog.New(w, &auditlog.Options{Service: "compute-api"})
	logger.Info("server created")
	logger.Info("server paused")
	logger.Info("server deleted")
	if err := w.Close(); err != nil {
		fmt.Println(err)
	}
	if err := ship.Close(); err != nil {
		fmt.Println(err)
	}
	fmt.Printf("%+v\n", ship.Stats())
	// Output:
	// POST /v1/events Bearer t0k3n: 2 lines
	// POST /v1/events Bearer t0k3n: 1 lines
	// {Taken:3 Sent:3 Accepted:3 Duplicates:0 Rejected:0 Failures:0 Lost:0 Pending:0}
}
