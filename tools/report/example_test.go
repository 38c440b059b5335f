package report_test

import (
	"context"
	"os"
	"strings"

	"github.com/auditlog-go/auditlog/tools/input"
	"github.com/auditlog-go/auditlog/tools/report"
)

// A perf report of three served requests and one oslo.log access line,
// read from standard input, as text.
func ExampleNew() {
	lines := `{"duration_ms":12.5,"kind":"request","level":"INFO","message":"GET /v2.1/servers","rpc":{"method":"GET","route":"/v2.1/servers","system":"http"},"schema_version":1,"service":"nova-api","status":200,"timestamp":"2026-11-23T09:00:00.000000Z"}
{"duration_ms":20,"kind":"request","level":"INFO","message":"GET /v2.1/servers","rpc":{"method":"GET","route":"/v2.1/servers","system":"http"},"schema_version":1,"service":"nova-api","status":200,"timestamp":"2026-11-23T09:00:01.000000Z"}
{"duration_ms":250,"kind":"request","level":"ERROR","message":"POST /v2.1/servers","outcome":"failure","rpc":{"method":"POST","route":"/v2.1/servers","system":"http"},"schema_version":1,"service":"nova-api","status":500,"timestamp":"2026-11-23T09:00:02.000000Z"}
2026-11-23 09:00:03.000 4470 INFO nova.osapi_compute.wsgi.server [req-1 u1 p1 - - -] 10.0.0.1 "GET /v2/p1/servers/detail HTTP/1.1" status: 200 len: 10 time: 0.0400
`
	a, _ := report.New("perf", report.Options{})
	rd := report.NewReader(report.ReadOptions{Input: input.Options{Stdin: strings.NewReader(lines)}})
	_ = rd.ReadFiles(context.Background(), nil, a.Add)
	r := a.Report()
	r.Input = rd.Stats()
	_ = report.WriteText(os.Stdout, r, report.TextOptions{Sections: []string{"route"}})
	// Output:
	// Performance — 2026-11-23T09:00:00Z to 2026-11-23T09:00:03Z
	// read 4 lines, 4 records, 0 malformed
	// note: percentiles are DDSketch estimates within 1% relative error; count, mean and max are exact
	//
	// Served requests by route (ms)
	//   route                                                     count   p50   p90   p99   max  mean  failed
	//   nova-api GET /v2.1/servers                                    2  12.6  12.6  12.6  20.0  16.2       0
	//   nova-api POST /v2.1/servers                                   1   250   250   250   250   250       1
	//   nova.osapi_compute.wsgi.server GET /v2/p1/servers/detail      1  40.0  40.0  40.0  40.0  40.0       0
}
