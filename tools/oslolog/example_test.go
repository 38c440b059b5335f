package oslolog_test

import (
	"fmt"
	"time"

	"github.com/auditlog-go/auditlog/tools/oslolog"
)

// One access line of nova-api: the request id, user and project come from
// the context.
func ExampleParseLine() {
	line := `2015-11-12 13:08:50.695 16482 INFO nova.osapi_compute.wsgi.server [req-ac8cb547-766d-4f50-a03b-5d713a26dfc1 e75fdba5ff464c80b1c016b634285e49 d8198f0b982742d0825018545be88282 - - -] 10.211.55.142 "POST /v2/d8198f0b982742d0825018545be88282/servers HTTP/1.1" status: 202 len: 733 time: 0.6`
	est := time.FixedZone("EST", -5*3600)
	r, err := oslolog.ParseLine([]byte(line), est)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.Time.UTC().Format(time.RFC3339Nano), r.PID, r.Level, r.Logger)
	fmt.Println(r.Context.RequestID, r.Context.User, r.Context.Project)
	fmt.Println(r.Message)

	_, err = oslolog.ParseLine([]byte("  File \"/usr/lib/python2.7/site-packages/nova/api/openstack/__init__.py\", line 125"), nil)
	fmt.Println(err)
	// Output:
	// 2015-11-12T18:08:50.695Z 16482 INFO nova.osapi_compute.wsgi.server
	// req-ac8cb547-766d-4f50-a03b-5d713a26dfc1 e75fdba5ff464c80b1c016b634285e49 d8198f0b982742d0825018545be88282
	// 10.211.55.142 "POST /v2/d8198f0b982742d0825018545be88282/servers HTTP/1.1" status: 202 len: 733 time: 0.6
	// not an oslo.log record: no timestamp
}

// The traceback lines oslo.log writes with the record's own prefix, and the
// lines with no prefix at all, go to the record before them; the shell
// trace before the first record is malformed.
func ExampleGrouper() {
	log := []string{
		"+ exec /usr/local/bin/nova-api",
		"2015-11-13 03:22:26.973 16482 ERROR nova.api.openstack [req-31ac e75f d819 - - -] Caught error: Unable to establish connection",
		"2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack Traceback (most recent call last):",
		"2015-11-13 03:22:26.973 16482 TRACE nova.api.openstack ConnectionRefused: Unable to establish connection",
		"2015-11-13 03:22:26.974 16482 INFO nova.osapi_compute.wsgi.server [req-31ac e75f d819 - - -] 10.211.55.140 \"GET /v2/d819/servers/detail HTTP/1.1\" status: 500",
		"  a body line",
	}
	g := oslolog.NewGrouper(nil)
	show := func(r oslolog.Record) {
		fmt.Printf("%s:%d %s %s +%d lines\n", r.File, r.Line, r.Level, r.Context.RequestID, len(r.Extra))
	}
	for i, text := range log {
		if r, ok := g.Add("nova-api.log", int64(i+1), []byte(text)); ok {
			show(r)
		}
	}
	if r, ok := g.Flush(); ok {
		show(r)
	}
	s := g.Stats()
	fmt.Printf("records %d, joined %d, malformed %d at %v\n", s.Records, s.Joined, s.Malformed, s.MalformedAt)
	// Output:
	// nova-api.log:2 ERROR req-31ac +2 lines
	// nova-api.log:5 INFO req-31ac +1 lines
	// records 2, joined 2, malformed 1 at [{nova-api.log 1 1}]
}
