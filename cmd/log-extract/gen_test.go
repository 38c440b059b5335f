package main

import (
	"fmt"
	"strings"
	"time"
)

// genStart is the log time of the first generated request.
var genStart = time.Date(2015, 11, 12, 10, 0, 0, 123e6, time.UTC)

// genCreates returns the lines of a synthetic nova-api log (Kilo's oslo.log
// text format, as in os-log-merger's nova-api.log) holding the create
// requests first to first+n-1, one every 100 ms of log time. Each request
// is the DEBUG line of nova.compute.api that names the new instance and
// the access line of the same request id, which is all the extractor needs
// to emit a create with its instance (see tools/extract's
// TestCheckpointInEmit): two lines per request.
func genCreates(first, n int) []string {
	lines := make([]string, 0, 2*n)
	for i := first; i < first+n; i++ {
		ts := genStart.Add(time.Duration(i) * 100 * time.Millisecond).Format("2006-01-02 15:04:05.000")
		ctx := fmt.Sprintf("[req-%08x-1a2b-4c3d-8e4f-%012x %032x %032x - - -]", i, i, 0xa0+i%7, 0xb0+i%3)
		lines = append(lines,
			fmt.Sprintf("%s 4567 DEBUG nova.compute.api %s [instance: %s] block_device_mapping [] _update_block_device_mapping /usr/lib/python2.7/site-packages/nova/compute/api.py:1150\n", ts, ctx, genInstance(i)),
			fmt.Sprintf("%s 4567 INFO nova.osapi_compute.wsgi.server %s 10.0.0.1 \"POST /v2/%032x/servers HTTP/1.1\" status: 202 len: 733 time: 0.1\n", ts, ctx, 0xb0+i%3))
	}
	return lines
}

// genTrailer is a GET two minutes of log time after the last of n
// requests: past every create's evidence window, so that even an
// incremental run (--state), which holds the actions still inside their
// window at the end of its input, emits them all.
func genTrailer(n int) string {
	ts := genStart.Add(time.Duration(n)*100*time.Millisecond + 2*time.Minute).Format("2006-01-02 15:04:05.000")
	return ts + " 4567 INFO nova.osapi_compute.wsgi.server [-] 10.0.0.1 \"GET /v2/servers/detail HTTP/1.1\" status: 200 len: 15 time: 0.01\n"
}

// genLog is a whole generated log of n creates and its trailer.
func genLog(n int) string {
	return strings.Join(genCreates(0, n), "") + genTrailer(n)
}

// genInstance is the instance id of generated request i.
func genInstance(i int) string {
	return fmt.Sprintf("%08x-5e1f-4c2d-9a3b-%012x", i, i)
}
